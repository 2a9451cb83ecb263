package io.tidemark.engine.record;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Zig-zag variable-length integers as Kafka's record format uses them (protobuf style, 7 bits a byte,
 * least significant group first). Decoding goes through a reusable {@link VarintReader} so nothing
 * is allocated.
 */
public final class Varints
{
    /** Longest encoding of a 32-bit varint. */
    public static final int MAX_VARINT_LENGTH = 5;
    /** Longest encoding of a 64-bit varint. */
    public static final int MAX_VARLONG_LENGTH = 10;

    private Varints()
    {
    }

    /**
     * @param value a signed value.
     * @return bytes its zig-zag varint encoding takes.
     */
    public static int sizeOfVarint(final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xFFFFFF80) != 0)
        {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /**
     * @param value a signed value.
     * @return bytes its zig-zag varlong encoding takes.
     */
    public static int sizeOfVarlong(final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L)
        {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /**
     * Writes {@code value} as a zig-zag varint.
     *
     * @param buffer destination.
     * @param index  where to write.
     * @param value  the value.
     * @return bytes written.
     */
    public static int putVarint(final MutableDirectBuffer buffer, final int index, final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int i = index;
        while ((v & 0xFFFFFF80) != 0)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);
        return i - index;
    }

    /**
     * Writes {@code value} as a zig-zag varlong.
     *
     * @param buffer destination.
     * @param index  where to write.
     * @param value  the value.
     * @return bytes written.
     */
    public static int putVarlong(final MutableDirectBuffer buffer, final int index, final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int i = index;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);
        return i - index;
    }

    /**
     * Reads varints from a buffer region, tracking the position; reusable, allocation free.
     * A malformed or truncated varint sets {@link #failed()} instead of throwing.
     */
    public static final class VarintReader
    {
        private DirectBuffer buffer;
        private int position;
        private int limit;
        private boolean failed;

        /**
         * @param buffer   the buffer.
         * @param position first byte to read.
         * @param limit    one past the last readable byte.
         * @return this.
         */
        public VarintReader wrap(final DirectBuffer buffer, final int position, final int limit)
        {
            this.buffer = buffer;
            this.position = position;
            this.limit = limit;
            this.failed = false;
            return this;
        }

        /**
         * @return the next byte to read.
         */
        public int position()
        {
            return position;
        }

        /**
         * @param position the next byte to read.
         */
        public void position(final int position)
        {
            this.position = position;
        }

        /**
         * @return the limit.
         */
        public int limit()
        {
            return limit;
        }

        /**
         * @return true once a read ran past the limit or met an over-long encoding.
         */
        public boolean failed()
        {
            return failed;
        }

        /**
         * @return the next zig-zag varint, or 0 with {@link #failed()} set.
         */
        public int readVarint()
        {
            int raw = 0;
            int shift = 0;
            while (true)
            {
                if (position >= limit || shift > 28)
                {
                    failed = true;
                    return 0;
                }
                final byte b = buffer.getByte(position++);
                raw |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
                shift += 7;
            }
            return (raw >>> 1) ^ -(raw & 1);
        }

        /**
         * @return the next zig-zag varlong, or 0 with {@link #failed()} set.
         */
        public long readVarlong()
        {
            long raw = 0;
            int shift = 0;
            while (true)
            {
                if (position >= limit || shift > 63)
                {
                    failed = true;
                    return 0;
                }
                final byte b = buffer.getByte(position++);
                raw |= (long)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
                shift += 7;
            }
            return (raw >>> 1) ^ -(raw & 1);
        }

        /**
         * Skips {@code length} bytes.
         *
         * @param length bytes to skip; negative lengths other than -1 (null) fail.
         */
        public void skip(final int length)
        {
            if (length < -1 || (length > 0 && length > limit - position))
            {
                failed = true;
                return;
            }
            if (length > 0)
            {
                position += length;
            }
        }
    }
}
