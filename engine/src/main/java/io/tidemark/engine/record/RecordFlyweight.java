package io.tidemark.engine.record;

import static io.tidemark.engine.record.RecordBatchDescriptor.RECORDS_OFFSET;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * A reusable view of one record inside an uncompressed v2 batch. Key, value and header bytes are
 * exposed as (offset, length) into {@link #buffer()}; nothing is copied. A null key or value has
 * length -1.
 *
 * <pre>
 *  length: varint        bytes of the record after this field
 *  attributes: int8      unused, 0
 *  timestampDelta: varlong
 *  offsetDelta: varint
 *  keyLength: varint     -1 for null
 *  key: byte[keyLength]
 *  valueLength: varint   -1 for null
 *  value: byte[valueLength]
 *  headerCount: varint
 *  headers: [keyLength: varint, key: utf8, valueLength: varint (-1 null), value]
 * </pre>
 */
public final class RecordFlyweight
{
    private final Varints.VarintReader reader = new Varints.VarintReader();
    private final Varints.VarintReader headerReader = new Varints.VarintReader();
    private DirectBuffer buffer;
    private long baseOffset;
    private long baseTimestamp;
    private long logAppendTime;
    private boolean useLogAppendTime;
    private int batchEnd;
    private int recordEnd;
    private boolean malformed;

    private long timestampDelta;
    private int offsetDelta;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private int headerCount;
    private int headersOffset;

    private int headersRead;
    private int headerKeyOffset;
    private int headerKeyLength;
    private int headerValueOffset;
    private int headerValueLength;

    boolean wrapFirst(final RecordBatchFlyweight batch)
    {
        buffer = batch.buffer();
        baseOffset = batch.baseOffset();
        baseTimestamp = batch.baseTimestamp();
        useLogAppendTime = batch.isLogAppendTime();
        logAppendTime = batch.maxTimestamp();
        batchEnd = batch.offset() + batch.sizeInBytes();
        malformed = false;
        return parseAt(batch.offset() + RECORDS_OFFSET);
    }

    /**
     * Moves to the next record of the batch.
     *
     * @return false at the end of the batch or if the next record is malformed (see {@link #malformed()}).
     */
    public boolean next()
    {
        if (malformed || recordEnd >= batchEnd)
        {
            return false;
        }
        return parseAt(recordEnd);
    }

    private boolean parseAt(final int position)
    {
        reader.wrap(buffer, position, batchEnd);
        final int length = reader.readVarint();
        if (reader.failed() || length < 1 || length > batchEnd - reader.position())
        {
            return fail();
        }
        final int end = reader.position() + length;
        reader.wrap(buffer, reader.position(), end);
        reader.skip(1); // attributes
        timestampDelta = reader.readVarlong();
        offsetDelta = reader.readVarint();
        keyLength = reader.readVarint();
        keyOffset = reader.position();
        reader.skip(keyLength);
        valueLength = reader.readVarint();
        valueOffset = reader.position();
        reader.skip(valueLength);
        headerCount = reader.readVarint();
        headersOffset = reader.position();
        if (reader.failed() || keyLength < -1 || valueLength < -1 || headerCount < 0)
        {
            return fail();
        }
        for (int i = 0; i < headerCount; i++)
        {
            final int hk = reader.readVarint();
            if (hk < 0)
            {
                return fail();
            }
            reader.skip(hk);
            reader.skip(reader.readVarint());
            if (reader.failed())
            {
                return fail();
            }
        }
        if (reader.position() != end)
        {
            return fail();
        }
        recordEnd = end;
        headersRead = 0;
        headerReader.wrap(buffer, headersOffset, end);
        return true;
    }

    private boolean fail()
    {
        malformed = true;
        return false;
    }

    /**
     * @return true if the last parse met a malformed record.
     */
    public boolean malformed()
    {
        return malformed;
    }

    /**
     * @return the position one past the current record.
     */
    public int end()
    {
        return recordEnd;
    }

    /**
     * @return the buffer the offsets refer to.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the record's offset.
     */
    public long offset()
    {
        return baseOffset + offsetDelta;
    }

    /**
     * @return the offset delta within the batch.
     */
    public int offsetDelta()
    {
        return offsetDelta;
    }

    /**
     * @return the record timestamp (the batch's max timestamp under log append time).
     */
    public long timestamp()
    {
        return useLogAppendTime ? logAppendTime : baseTimestamp + timestampDelta;
    }

    /**
     * @return where the key starts.
     */
    public int keyOffset()
    {
        return keyOffset;
    }

    /**
     * @return key length, -1 for a null key.
     */
    public int keyLength()
    {
        return keyLength;
    }

    /**
     * @return where the value starts.
     */
    public int valueOffset()
    {
        return valueOffset;
    }

    /**
     * @return value length, -1 for a null value.
     */
    public int valueLength()
    {
        return valueLength;
    }

    /**
     * @return the number of headers.
     */
    public int headerCount()
    {
        return headerCount;
    }

    /**
     * Moves to the next header of this record.
     *
     * @return false when all headers were read.
     */
    public boolean nextHeader()
    {
        if (headersRead >= headerCount)
        {
            return false;
        }
        headerKeyLength = headerReader.readVarint();
        headerKeyOffset = headerReader.position();
        headerReader.skip(headerKeyLength);
        headerValueLength = headerReader.readVarint();
        headerValueOffset = headerReader.position();
        headerReader.skip(headerValueLength);
        headersRead++;
        return !headerReader.failed();
    }

    /**
     * @return current header key offset.
     */
    public int headerKeyOffset()
    {
        return headerKeyOffset;
    }

    /**
     * @return current header key length.
     */
    public int headerKeyLength()
    {
        return headerKeyLength;
    }

    /**
     * @return current header value offset.
     */
    public int headerValueOffset()
    {
        return headerValueOffset;
    }

    /**
     * @return current header value length, -1 for null.
     */
    public int headerValueLength()
    {
        return headerValueLength;
    }

    /**
     * Copies the key out (allocates; for tools and tests, not hot paths).
     *
     * @return the key bytes or null.
     */
    public byte[] keyBytes()
    {
        return copy(keyOffset, keyLength);
    }

    /**
     * Copies the value out (allocates; for tools and tests, not hot paths).
     *
     * @return the value bytes or null.
     */
    public byte[] valueBytes()
    {
        return copy(valueOffset, valueLength);
    }

    /**
     * @return the current header key as a string (allocates).
     */
    public String headerKey()
    {
        return new String(copy(headerKeyOffset, headerKeyLength), StandardCharsets.UTF_8);
    }

    /**
     * @return the current header value (allocates), or null.
     */
    public byte[] headerValue()
    {
        return copy(headerValueOffset, headerValueLength);
    }

    private byte[] copy(final int offset, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
