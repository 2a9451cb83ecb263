package io.tidemark.testkit.history;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The workload's record values: a unique 64-bit value with a CRC, so a consumer can tell a value it was
 * sent from a corrupt one. Encoded big-endian:
 *
 * <pre>
 *   0                   4                               12                  16
 *   +-------------------+-------------------------------+-------------------+----------------------+---------+
 *   | magic 0x54444D56  | value (int64)                 | padding length n  | padding (n bytes)    | CRC32C  |
 *   +-------------------+-------------------------------+-------------------+----------------------+---------+
 *                                                                        16+n                 16+n+4 = length
 * </pre>
 *
 * The CRC32C covers bytes {@code [0, 16+n)}; the padding is a pseudo-random function of the value, so
 * larger records can be produced without losing the check. {@link #decode} returns {@link #CORRUPT} for
 * anything that is not exactly such a value. Values are non-negative; {@link Sequence} makes unique ones.
 */
public final class Values
{
    /** What {@link #decode} returns for bytes that are not a valid value. Never a real value. */
    public static final long CORRUPT = Long.MIN_VALUE;
    /** The encoded length without padding. */
    public static final int MIN_LENGTH = 20;
    private static final int MAGIC = 0x54444D56;
    private static final int MAX_PADDING = 1 << 20;

    private Values()
    {
    }

    /**
     * @param value a non-negative value.
     * @return its 20-byte encoding.
     */
    public static byte[] encode(final long value)
    {
        return encode(value, 0);
    }

    /**
     * @param value        a non-negative value.
     * @param paddingBytes extra bytes derived from the value, 0..1 MiB.
     * @return its encoding, {@code 20 + paddingBytes} long.
     */
    public static byte[] encode(final long value, final int paddingBytes)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("values are non-negative: " + value);
        }
        if (paddingBytes < 0 || paddingBytes > MAX_PADDING)
        {
            throw new IllegalArgumentException("paddingBytes " + paddingBytes + " not in 0.." + MAX_PADDING);
        }
        final ByteBuffer b = ByteBuffer.allocate(MIN_LENGTH + paddingBytes).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).putLong(value).putInt(paddingBytes);
        long x = value * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < paddingBytes; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.put((byte)x);
        }
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16 + paddingBytes);
        b.putInt((int)crc.getValue());
        return b.array();
    }

    /**
     * @param bytes an encoded value (may be null).
     * @return the value, or {@link #CORRUPT} when the bytes are not a valid encoding.
     */
    public static long decode(final byte[] bytes)
    {
        return bytes == null ? CORRUPT : decode(bytes, 0, bytes.length);
    }

    /**
     * @param bytes  a buffer.
     * @param offset where the encoding starts.
     * @param length its length.
     * @return the value, or {@link #CORRUPT}.
     */
    public static long decode(final byte[] bytes, final int offset, final int length)
    {
        if (length < MIN_LENGTH || offset < 0 || offset + length > bytes.length)
        {
            return CORRUPT;
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.BIG_ENDIAN);
        if (b.getInt(offset) != MAGIC)
        {
            return CORRUPT;
        }
        final long value = b.getLong(offset + 4);
        final int padding = b.getInt(offset + 12);
        if (value < 0 || padding < 0 || padding != length - MIN_LENGTH)
        {
            return CORRUPT;
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, 16 + padding);
        return b.getInt(offset + 16 + padding) == (int)crc.getValue() ? value : CORRUPT;
    }

    /**
     * Unique values for one writer: {@code writer << 40 | n} for n = 0, 1, 2, ... Thread-safe.
     */
    public static final class Sequence
    {
        private static final int WRITER_BITS = 23;
        private final long base;
        private final AtomicLong next = new AtomicLong();

        /**
         * @param writer a number unique among the run's writers, 0..8388607.
         */
        public Sequence(final int writer)
        {
            if (writer < 0 || writer >= 1 << WRITER_BITS)
            {
                throw new IllegalArgumentException("writer " + writer + " not in 0.." + ((1 << WRITER_BITS) - 1));
            }
            this.base = (long)writer << 40;
        }

        /** @return a value never returned before by any Sequence of another writer or this one. */
        public long next()
        {
            final long n = next.getAndIncrement();
            if (n >= 1L << 40)
            {
                throw new IllegalStateException("sequence exhausted");
            }
            return base | n;
        }
    }
}
