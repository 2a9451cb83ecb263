package io.tidemark.broker.compress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import org.apache.kafka.common.protocol.Errors;

/**
 * Reads the records of one compressed v2 batch, one at a time, without trusting any length in the data.
 * The records section (after the 61-byte batch header) is decompressed as a stream through the codec
 * libraries kafka-clients uses, never through kafka-clients' record iterator, which allocates what a
 * record or a snappy block declares. Every record is framed as Kafka's {@code DefaultRecord}:
 *
 * <pre>
 *  varint length            bytes after this field, at least 1
 *  int8   attributes
 *  varlong timestampDelta
 *  varint offsetDelta
 *  varint keyLength (-1 null), key
 *  varint valueLength (-1 null), value
 *  varint headerCount (&gt;= 0), then per header: varint keyLength (&gt;= 0), key,
 *                                                 varint valueLength (-1 null), value
 * </pre>
 *
 * Bounds: at most {@code limitBytes} decompressed bytes are ever produced or read (a record whose
 * declared length would pass the limit is refused before its bytes are read); records are parsed in a
 * fixed 8 KiB window and their keys, values and headers skipped, never held; a snappy block is believed
 * only once verified and within the limit ({@link SnappyInput}); an lz4 block is at most its frame's
 * 4 MiB maximum ({@link Lz4FrameInput}). So one batch costs at most the limit (snappy: one block's
 * output) plus a few fixed buffers, whatever it declares.
 *
 * <p>Errors are {@link DecompressionException}s: CORRUPT_MESSAGE when the data is not valid for its
 * codec, INVALID_RECORD when the decompressed records are malformed, MESSAGE_TOO_LARGE past the limit.
 *
 * <p>Not thread safe: one per request handler thread (its buffers are reused from batch to batch).
 */
public final class CompressedRecordReader implements AutoCloseable
{
    /** Reused buffers larger than this are dropped after the batch. */
    static final int KEEP_BYTES = 1 << 20;

    private static final int WINDOW_BYTES = 8192;
    private static final int GZIP_BUFFER_BYTES = 8192;
    private static final String[] CODECS = {"uncompressed", "gzip", "snappy", "lz4", "zstd"};
    private static final int ZSTD_WINDOW_LOG_MAX = 27;

    private final byte[] window = new byte[WINDOW_BYTES];
    private final SnappyInput snappy = new SnappyInput();
    private final Lz4FrameInput lz4 = new Lz4FrameInput();
    private InputStream in;
    private String codec;
    private long limitBytes;
    private int pos;
    private int lim;
    private long taken;
    private int count;
    private int index;

    private int attributes;
    private long timestampDelta;
    private int offsetDelta;

    /**
     * Starts reading a batch's records.
     *
     * @param compression the batch's codec: 1 gzip, 2 snappy, 3 lz4, 4 zstd.
     * @param records     the compressed records section (from the batch's byte 61 to its end).
     * @param recordCount the batch's declared record count.
     * @param limitBytes  the most decompressed bytes to accept.
     * @throws DecompressionException if the data does not start as its codec requires.
     * @throws IllegalArgumentException for codec 0 or above 4.
     */
    public void open(final int compression, final ByteBuffer records, final int recordCount, final long limitBytes)
    {
        if (compression < 1 || compression > 4)
        {
            throw new IllegalArgumentException("codec " + compression + " is not a compression codec");
        }
        close();
        codec = CODECS[compression];
        this.limitBytes = limitBytes;
        count = recordCount;
        index = 0;
        pos = 0;
        lim = 0;
        taken = 0;
        try
        {
            switch (compression)
            {
                case 1 -> in = new GZIPInputStream(new ByteBufferInput(records), GZIP_BUFFER_BYTES);
                case 2 ->
                {
                    snappy.open(records, limitBytes);
                    in = snappy;
                }
                case 3 ->
                {
                    lz4.open(records);
                    in = lz4;
                }
                default ->
                {
                    final ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(new ByteBufferInput(records), RecyclingBufferPool.INSTANCE);
                    in = zstd; // closed by close() even if the next line fails
                    // zstd's window is at most 128 MiB (its default cap, which Kafka keeps for level 22 producers);
                    // its pages are touched only as output is produced, and that stops at the limit
                    zstd.setLongMax(Math.max(ZSTD_WINDOW_LOG_MAX, 64 - Long.numberOfLeadingZeros(Math.max(1, limitBytes - 1))));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw notValid(ex);
        }
    }

    /**
     * @return the codec's name, for messages.
     */
    public String codec()
    {
        return codec;
    }

    /**
     * Reads the next record's framing; its key, value and headers are checked and skipped.
     *
     * @return false after the declared count of records.
     * @throws DecompressionException if the records are not as declared, or pass the limit.
     */
    public boolean next()
    {
        if (index == count)
        {
            return false;
        }
        final long lengthAt = consumed();
        final int length = readVarint("length");
        if (length < 1)
        {
            throw invalid("record " + index + " of the " + codec + "-compressed batch declares length " + length);
        }
        final long start = consumed();
        if (start + length > limitBytes)
        {
            throw new DecompressionException(Errors.MESSAGE_TOO_LARGE, "record " + index + " of the " + codec + "-compressed batch (" +
                length + " bytes from decompressed byte " + lengthAt + ") goes past the " + limitBytes +
                " decompressed bytes a batch may hold (message.max.decompressed.bytes)", null);
        }
        final long recordEnd = start + length;
        attributes = readByte("attributes") & 0xFF;
        timestampDelta = readVarlong("timestamp delta");
        offsetDelta = readVarint("offset delta");
        within(recordEnd, "offset delta");
        skipField(readVarint("key length"), -1, recordEnd, "key");
        skipField(readVarint("value length"), -1, recordEnd, "value");
        final int headers = readVarint("header count");
        if (headers < 0)
        {
            throw invalid("record " + index + " of the " + codec + "-compressed batch declares " + headers + " headers");
        }
        for (int h = 0; h < headers; h++)
        {
            within(recordEnd, "headers");
            skipField(readVarint("header key length"), 0, recordEnd, "header key");
            skipField(readVarint("header value length"), -1, recordEnd, "header value");
        }
        if (consumed() != recordEnd)
        {
            throw invalid("record " + index + " of the " + codec + "-compressed batch declares " + length + " bytes but its fields take " +
                (consumed() - start));
        }
        index++;
        return true;
    }

    /**
     * @return the current record's attributes byte.
     */
    public int attributes()
    {
        return attributes;
    }

    /**
     * @return the current record's timestamp delta from the batch's base timestamp.
     */
    public long timestampDelta()
    {
        return timestampDelta;
    }

    /**
     * @return the current record's offset delta from the batch's base offset.
     */
    public int offsetDelta()
    {
        return offsetDelta;
    }

    /**
     * @return how many records were read.
     */
    public int recordsRead()
    {
        return index;
    }

    /**
     * Ends the batch: releases the codec's native state; the reader can be opened again.
     */
    @Override
    public void close()
    {
        final InputStream stream = in;
        in = null;
        if (stream != null)
        {
            try
            {
                stream.close();
            }
            catch (final IOException ex)
            {
                // closing only frees native state and buffers: nothing is lost
            }
        }
    }

    static DecompressionException tooLarge(final String codec, final long limitBytes)
    {
        return new DecompressionException(Errors.MESSAGE_TOO_LARGE, "the " + codec + "-compressed records decompress to more than the " +
            limitBytes + " bytes a batch may hold (message.max.decompressed.bytes)", null);
    }

    private long consumed()
    {
        return taken - (lim - pos);
    }

    private DecompressionException invalid(final String message)
    {
        return new DecompressionException(Errors.INVALID_RECORD, message, null);
    }

    private DecompressionException notValid(final Throwable cause)
    {
        if (cause instanceof DecompressionException d)
        {
            return d;
        }
        return new DecompressionException(Errors.CORRUPT_MESSAGE, "the " + codec + "-compressed records are not valid " + codec, cause);
    }

    private void within(final long recordEnd, final String field)
    {
        if (consumed() > recordEnd)
        {
            throw invalid("record " + index + " of the " + codec + "-compressed batch: its " + field + " run past the record's length");
        }
    }

    private void skipField(final int length, final int min, final long recordEnd, final String field)
    {
        if (length < min)
        {
            throw invalid("record " + index + " of the " + codec + "-compressed batch declares " + field + " length " + length);
        }
        if (length > 0 && consumed() + length > recordEnd)
        {
            throw invalid("record " + index + " of the " + codec + "-compressed batch: its " + field + " of " + length +
                " bytes runs past the record's length");
        }
        int remaining = Math.max(0, length);
        while (remaining > 0)
        {
            if (pos == lim)
            {
                refill(field);
            }
            final int n = Math.min(remaining, lim - pos);
            pos += n;
            remaining -= n;
        }
    }

    private int readByte(final String field)
    {
        if (pos == lim)
        {
            refill(field);
        }
        return window[pos++];
    }

    private int readVarint(final String field)
    {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            final int b = readByte(field);
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw invalid("record " + index + " of the " + codec + "-compressed batch has a malformed varint in its " + field);
    }

    private long readVarlong(final String field)
    {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            final int b = readByte(field);
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw invalid("record " + index + " of the " + codec + "-compressed batch has a malformed varint in its " + field);
    }

    private void refill(final String field)
    {
        final long budget = limitBytes + 1 - taken;
        if (budget <= 0)
        {
            throw tooLarge(codec, limitBytes);
        }
        final int n;
        try
        {
            n = in.read(window, 0, (int)Math.min(WINDOW_BYTES, budget));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw notValid(ex);
        }
        if (n <= 0)
        {
            throw invalid("the " + codec + "-compressed records end inside the " + field + " of record " + index + " (the batch declares " +
                count + " records)");
        }
        taken += n;
        pos = 0;
        lim = n;
    }
}
