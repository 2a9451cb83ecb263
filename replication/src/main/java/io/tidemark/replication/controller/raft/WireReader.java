package io.tidemark.replication.controller.raft;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Reads what {@link WireWriter} wrote, checking every length against the bytes left before reading
 * or allocating anything, so malformed input fails with a {@link CodecException} naming what was
 * being read and never with another exception or a huge allocation. Not thread safe.
 */
final class WireReader
{
    /** Longest string accepted (topic names, config values, messages are far shorter). */
    static final int MAX_STRING_BYTES = 1 << 20;

    private final ByteBuffer buffer;
    private final String what;

    /**
     * @param buffer the bytes from its position to its limit (read through a duplicate).
     * @param what   what is decoded, for error messages.
     */
    WireReader(final ByteBuffer buffer, final String what)
    {
        this.buffer = buffer.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        this.what = what;
    }

    WireReader(final byte[] bytes, final String what)
    {
        this(ByteBuffer.wrap(bytes), what);
    }

    CodecException error(final String message)
    {
        return new CodecException(what + ": " + message + " (at byte " + buffer.position() + " of " + buffer.limit() + ")");
    }

    private void need(final long n, final String field)
    {
        if (n < 0 || n > buffer.remaining())
        {
            throw error(field + " needs " + n + " bytes but " + buffer.remaining() + " remain");
        }
    }

    int remaining()
    {
        return buffer.remaining();
    }

    int u8(final String field)
    {
        need(1, field);
        return buffer.get() & 0xFF;
    }

    boolean bool(final String field)
    {
        final int v = u8(field);
        if (v > 1)
        {
            throw error(field + " must be 0 or 1, got " + v);
        }
        return v == 1;
    }

    short i16(final String field)
    {
        need(2, field);
        return buffer.getShort();
    }

    int i32(final String field)
    {
        need(4, field);
        return buffer.getInt();
    }

    long i64(final String field)
    {
        need(8, field);
        return buffer.getLong();
    }

    /** An int32 that must lie in [min, max]. */
    int i32(final String field, final int min, final int max)
    {
        final int v = i32(field);
        if (v < min || v > max)
        {
            throw error(field + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    /** An int64 that must lie in [min, max]. */
    long i64(final String field, final long min, final long max)
    {
        final long v = i64(field);
        if (v < min || v > max)
        {
            throw error(field + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    UUID uuid(final String field)
    {
        return new UUID(i64(field), i64(field));
    }

    /**
     * A count of items that each take at least {@code minItemBytes}: checked against the bytes left.
     */
    int count(final String field, final int minItemBytes)
    {
        final int n = i32(field);
        if (n < 0)
        {
            throw error(field + " count is negative: " + n);
        }
        need((long)n * Math.max(1, minItemBytes), field + " (" + n + " items)");
        return n;
    }

    String string(final String field)
    {
        final int n = i32(field);
        if (n == -1)
        {
            return null;
        }
        if (n < -1 || n > MAX_STRING_BYTES)
        {
            throw error(field + " has an invalid string length " + n);
        }
        need(n, field);
        final ByteBuffer slice = buffer.slice();
        slice.limit(n);
        buffer.position(buffer.position() + n);
        try
        {
            final CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(slice);
            return chars.toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw error(field + " is not valid UTF-8");
        }
    }

    String nonNullString(final String field)
    {
        final String s = string(field);
        if (s == null)
        {
            throw error(field + " must not be null");
        }
        return s;
    }

    byte[] bytes(final String field, final int maxBytes)
    {
        final int n = i32(field);
        if (n < 0 || n > maxBytes)
        {
            throw error(field + " has an invalid length " + n + " (at most " + maxBytes + ")");
        }
        need(n, field);
        final byte[] out = new byte[n];
        buffer.get(out);
        return out;
    }

    /** Fails unless every byte was consumed. */
    void end()
    {
        if (buffer.hasRemaining())
        {
            throw error(buffer.remaining() + " unexpected trailing bytes");
        }
    }
}
