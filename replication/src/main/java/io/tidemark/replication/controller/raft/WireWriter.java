package io.tidemark.replication.controller.raft;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * A growable big-endian byte sink for the controller's binary formats (Raft messages, operations,
 * results, snapshots, store records). Not thread safe.
 */
final class WireWriter
{
    private byte[] bytes;
    private int length;

    WireWriter()
    {
        this(256);
    }

    WireWriter(final int initialCapacity)
    {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(final int more)
    {
        final long needed = (long)length + more;
        if (needed > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("encoded form larger than 2 GiB");
        }
        if (needed > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, (int)Math.min(Integer.MAX_VALUE - 16, Math.max(needed, bytes.length * 2L)));
        }
    }

    WireWriter u8(final int v)
    {
        ensure(1);
        bytes[length++] = (byte)v;
        return this;
    }

    WireWriter bool(final boolean v)
    {
        return u8(v ? 1 : 0);
    }

    WireWriter i16(final int v)
    {
        ensure(2);
        bytes[length++] = (byte)(v >>> 8);
        bytes[length++] = (byte)v;
        return this;
    }

    WireWriter i32(final int v)
    {
        ensure(4);
        bytes[length++] = (byte)(v >>> 24);
        bytes[length++] = (byte)(v >>> 16);
        bytes[length++] = (byte)(v >>> 8);
        bytes[length++] = (byte)v;
        return this;
    }

    WireWriter i64(final long v)
    {
        i32((int)(v >>> 32));
        return i32((int)v);
    }

    WireWriter uuid(final UUID v)
    {
        return i64(v.getMostSignificantBits()).i64(v.getLeastSignificantBits());
    }

    /** A string: int32 byte length (-1 for null) and UTF-8 bytes. */
    WireWriter string(final String v)
    {
        if (v == null)
        {
            return i32(-1);
        }
        final byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
        i32(utf8.length);
        return raw(utf8, 0, utf8.length);
    }

    /** Bytes with an int32 length prefix. */
    WireWriter bytes(final byte[] v)
    {
        i32(v.length);
        return raw(v, 0, v.length);
    }

    WireWriter raw(final byte[] v, final int offset, final int count)
    {
        ensure(count);
        System.arraycopy(v, offset, bytes, length, count);
        length += count;
        return this;
    }

    /** Overwrites 4 bytes at {@code position} (for a length or CRC written after the fact). */
    void putI32At(final int position, final int v)
    {
        bytes[position] = (byte)(v >>> 24);
        bytes[position + 1] = (byte)(v >>> 16);
        bytes[position + 2] = (byte)(v >>> 8);
        bytes[position + 3] = (byte)v;
    }

    int length()
    {
        return length;
    }

    byte[] array()
    {
        return bytes;
    }

    byte[] toByteArray()
    {
        return Arrays.copyOf(bytes, length);
    }

    ByteBuffer toBuffer()
    {
        return ByteBuffer.wrap(bytes, 0, length);
    }
}
