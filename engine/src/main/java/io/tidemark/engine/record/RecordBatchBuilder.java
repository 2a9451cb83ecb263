package io.tidemark.engine.record;

import static io.tidemark.engine.record.RecordBatchDescriptor.*;
import static java.nio.ByteOrder.BIG_ENDIAN;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes records into one uncompressed v2 batch in a caller-owned buffer. Reusable: {@link #reset()}
 * starts a new batch in the same space. The {@link DirectBuffer} form of {@code append} allocates
 * nothing.
 *
 * <pre>{@code
 * RecordBatchBuilder builder = new RecordBatchBuilder(new UnsafeBuffer(new byte[64 * 1024]));
 * builder.append(System.currentTimeMillis(), "key".getBytes(), "value".getBytes());
 * int length = builder.build();   // the batch is builder.buffer()[0, length)
 * }</pre>
 */
public final class RecordBatchBuilder
{
    private final Crc32cs crc = new Crc32cs();
    private MutableDirectBuffer buffer;
    private int offset;
    private int capacity;
    private int position;
    private int count;
    private long baseTimestamp;
    private long maxTimestamp;
    private long producerId = NO_PRODUCER_ID;
    private short producerEpoch = NO_PRODUCER_EPOCH;
    private int baseSequence = NO_SEQUENCE;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);

    /**
     * Builds into the whole of {@code buffer}.
     *
     * @param buffer destination.
     */
    public RecordBatchBuilder(final MutableDirectBuffer buffer)
    {
        wrap(buffer, 0, buffer.capacity());
    }

    /**
     * Builds into {@code buffer[offset, offset + capacity)}.
     *
     * @param buffer   destination.
     * @param offset   where the batch starts.
     * @param capacity bytes available.
     * @return this, reset.
     */
    public RecordBatchBuilder wrap(final MutableDirectBuffer buffer, final int offset, final int capacity)
    {
        if (capacity < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("capacity " + capacity + " < batch header " + HEADER_LENGTH);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.capacity = capacity;
        return reset();
    }

    /**
     * Starts a new, empty batch without producer id.
     *
     * @return this.
     */
    public RecordBatchBuilder reset()
    {
        position = offset + RECORDS_OFFSET;
        count = 0;
        baseTimestamp = NO_TIMESTAMP;
        maxTimestamp = NO_TIMESTAMP;
        producerId = NO_PRODUCER_ID;
        producerEpoch = NO_PRODUCER_EPOCH;
        baseSequence = NO_SEQUENCE;
        return this;
    }

    /**
     * Marks the batch idempotent.
     *
     * @param producerId    producer id.
     * @param producerEpoch producer epoch.
     * @param baseSequence  sequence of the first record.
     * @return this.
     */
    public RecordBatchBuilder producer(final long producerId, final short producerEpoch, final int baseSequence)
    {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /**
     * @return records appended so far.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the buffer the batch is built in.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the batch starts in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return the batch size so far, header included.
     */
    public int sizeInBytes()
    {
        return position - offset;
    }

    /**
     * Appends a record whose key and value are in Agrona buffers. Allocates nothing.
     *
     * @param timestampMs the record timestamp.
     * @param key         key buffer, or null for a null key.
     * @param keyOffset   key start.
     * @param keyLength   key length.
     * @param value       value buffer, or null for a null value.
     * @param valueOffset value start.
     * @param valueLength value length.
     * @return false (and nothing written) if the record does not fit.
     */
    public boolean append(
        final long timestampMs,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        final long base = count == 0 ? timestampMs : baseTimestamp;
        final long timestampDelta = timestampMs - base;
        final int kLen = key == null ? -1 : keyLength;
        final int vLen = value == null ? -1 : valueLength;
        final int bodyLength = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(count) +
            Varints.sizeOfVarint(kLen) + Math.max(kLen, 0) + Varints.sizeOfVarint(vLen) + Math.max(vLen, 0) +
            Varints.sizeOfVarint(0);
        if (!fits(bodyLength))
        {
            return false;
        }
        int p = position;
        p += Varints.putVarint(buffer, p, bodyLength);
        buffer.putByte(p++, (byte)0);
        p += Varints.putVarlong(buffer, p, timestampDelta);
        p += Varints.putVarint(buffer, p, count);
        p += Varints.putVarint(buffer, p, kLen);
        if (kLen > 0)
        {
            buffer.putBytes(p, key, keyOffset, kLen);
            p += kLen;
        }
        p += Varints.putVarint(buffer, p, vLen);
        if (vLen > 0)
        {
            buffer.putBytes(p, value, valueOffset, vLen);
            p += vLen;
        }
        p += Varints.putVarint(buffer, p, 0);
        commitRecord(p, timestampMs);
        return true;
    }

    /**
     * Appends a record from byte arrays (null for a null key or value).
     *
     * @param timestampMs the record timestamp.
     * @param key         the key or null.
     * @param value       the value or null.
     * @param headers     headers, possibly none.
     * @return false (and nothing written) if the record does not fit.
     */
    public boolean append(final long timestampMs, final byte[] key, final byte[] value, final Header... headers)
    {
        if (headers.length == 0)
        {
            final DirectBuffer k = key == null ? null : new UnsafeBuffer(key);
            final DirectBuffer v = value == null ? null : new UnsafeBuffer(value);
            return append(timestampMs, k, 0, key == null ? 0 : key.length, v, 0, value == null ? 0 : value.length);
        }
        final long base = count == 0 ? timestampMs : baseTimestamp;
        final long timestampDelta = timestampMs - base;
        final int kLen = key == null ? -1 : key.length;
        final int vLen = value == null ? -1 : value.length;
        int headersLength = Varints.sizeOfVarint(headers.length);
        final byte[][] headerKeys = new byte[headers.length][];
        for (int i = 0; i < headers.length; i++)
        {
            headerKeys[i] = headers[i].key().getBytes(StandardCharsets.UTF_8);
            final byte[] hv = headers[i].value();
            headersLength += Varints.sizeOfVarint(headerKeys[i].length) + headerKeys[i].length +
                Varints.sizeOfVarint(hv == null ? -1 : hv.length) + (hv == null ? 0 : hv.length);
        }
        final int bodyLength = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(count) +
            Varints.sizeOfVarint(kLen) + Math.max(kLen, 0) + Varints.sizeOfVarint(vLen) + Math.max(vLen, 0) +
            headersLength;
        if (!fits(bodyLength))
        {
            return false;
        }
        int p = position;
        p += Varints.putVarint(buffer, p, bodyLength);
        buffer.putByte(p++, (byte)0);
        p += Varints.putVarlong(buffer, p, timestampDelta);
        p += Varints.putVarint(buffer, p, count);
        p = putBytes(p, key);
        p = putBytes(p, value);
        p += Varints.putVarint(buffer, p, headers.length);
        for (int i = 0; i < headers.length; i++)
        {
            p = putBytes(p, headerKeys[i]);
            p = putBytes(p, headers[i].value());
        }
        commitRecord(p, timestampMs);
        return true;
    }

    private int putBytes(final int position, final byte[] bytes)
    {
        int p = position;
        p += Varints.putVarint(buffer, p, bytes == null ? -1 : bytes.length);
        if (bytes != null && bytes.length > 0)
        {
            scratch.wrap(bytes);
            buffer.putBytes(p, scratch, 0, bytes.length);
            p += bytes.length;
        }
        return p;
    }

    private boolean fits(final int bodyLength)
    {
        final long recordLength = (long)Varints.sizeOfVarint(bodyLength) + bodyLength;
        return position - offset + recordLength <= capacity;
    }

    private void commitRecord(final int newPosition, final long timestampMs)
    {
        if (count == 0)
        {
            baseTimestamp = timestampMs;
            maxTimestamp = timestampMs;
        }
        else if (timestampMs > maxTimestamp)
        {
            maxTimestamp = timestampMs;
        }
        position = newPosition;
        count++;
    }

    /**
     * Writes the header and CRC. The base offset is 0 and the leader epoch -1 until the log assigns them.
     *
     * @return the batch size in bytes.
     * @throws IllegalStateException if no record was appended.
     */
    public int build()
    {
        if (count == 0)
        {
            throw new IllegalStateException("a batch needs at least one record");
        }
        final int size = position - offset;
        buffer.putLong(offset + BASE_OFFSET_OFFSET, 0L, BIG_ENDIAN);
        buffer.putInt(offset + LENGTH_OFFSET, size - LOG_OVERHEAD, BIG_ENDIAN);
        buffer.putInt(offset + PARTITION_LEADER_EPOCH_OFFSET, NO_PARTITION_LEADER_EPOCH, BIG_ENDIAN);
        buffer.putByte(offset + MAGIC_OFFSET, MAGIC_V2);
        buffer.putShort(offset + ATTRIBUTES_OFFSET, (short)0, BIG_ENDIAN);
        buffer.putInt(offset + LAST_OFFSET_DELTA_OFFSET, count - 1, BIG_ENDIAN);
        buffer.putLong(offset + BASE_TIMESTAMP_OFFSET, baseTimestamp, BIG_ENDIAN);
        buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, maxTimestamp, BIG_ENDIAN);
        buffer.putLong(offset + PRODUCER_ID_OFFSET, producerId, BIG_ENDIAN);
        buffer.putShort(offset + PRODUCER_EPOCH_OFFSET, producerEpoch, BIG_ENDIAN);
        buffer.putInt(offset + BASE_SEQUENCE_OFFSET, baseSequence, BIG_ENDIAN);
        buffer.putInt(offset + RECORDS_COUNT_OFFSET, count, BIG_ENDIAN);
        final int crcValue = crc.compute(buffer, offset + ATTRIBUTES_OFFSET, size - ATTRIBUTES_OFFSET);
        buffer.putInt(offset + CRC_OFFSET, crcValue, BIG_ENDIAN);
        return size;
    }
}
