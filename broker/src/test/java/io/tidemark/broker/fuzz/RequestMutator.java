package io.tidemark.broker.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Structure-aware byte mutations of an encoded request (header and body, without the length prefix): the
 * places a parser trusts are lengths (int16 strings, int32 arrays and bytes, unsigned varints of the flexible
 * versions), so besides flips and cuts it writes boundary values there.
 *
 * <p>Stateless; the caller's {@link Random} makes a run replayable from its seed.
 */
final class RequestMutator
{
    private static final int[] INTERESTING_INTS = {
        -1, 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0x7ffffff0, 1 << 20, 100 * 1024 * 1024
    };
    private static final short[] INTERESTING_SHORTS = {-1, 0, 1, 0x7f, 0x80, 0x7fff, (short)0x8000, (short)0xffff};
    /** Unsigned varints: 0 (null in a compact field), 1 (empty), huge lengths. */
    private static final byte[][] INTERESTING_VARINTS = {
        {0}, {1}, {(byte)0xff, (byte)0xff, (byte)0xff, (byte)0xff, 0x07}, {(byte)0xff, (byte)0xff, (byte)0xff, (byte)0xff, 0x0f},
        {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, 0x01}, {(byte)0xff, (byte)0xff, 0x7f}
    };
    /** The api key and version (4 bytes) are mutated one time in 20 only: most inputs should reach a body parser. */
    private static final int HEADER_PREFIX = 4;

    private RequestMutator()
    {
    }

    /**
     * @param request the encoded request.
     * @param count   how many mutations to apply (0 leaves it valid).
     * @return the mutated copy.
     */
    static byte[] mutate(final byte[] request, final int count, final Random random)
    {
        byte[] b = request.clone();
        for (int i = 0; i < count; i++)
        {
            b = mutateOnce(b, random);
        }
        return b;
    }

    private static byte[] mutateOnce(final byte[] b, final Random random)
    {
        if (b.length == 0)
        {
            return new byte[] {(byte)random.nextInt()};
        }
        final int at = position(b.length, random);
        switch (random.nextInt(10))
        {
            case 0 ->
            {
                b[at] ^= (byte)(1 << random.nextInt(8));
                return b;
            }
            case 1 ->
            {
                b[at] = (byte)INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
                return b;
            }
            case 2 ->
            {
                if (at + 2 <= b.length)
                {
                    ByteBuffer.wrap(b).putShort(at, INTERESTING_SHORTS[random.nextInt(INTERESTING_SHORTS.length)]);
                }
                return b;
            }
            case 3 ->
            {
                if (at + 4 <= b.length)
                {
                    ByteBuffer.wrap(b).putInt(at, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
                }
                return b;
            }
            case 4 ->
            {
                final byte[] varint = INTERESTING_VARINTS[random.nextInt(INTERESTING_VARINTS.length)];
                return splice(b, at, Math.min(b.length - at, 1 + random.nextInt(2)), varint);
            }
            case 5 ->
            {
                return Arrays.copyOf(b, Math.max(HEADER_PREFIX, at));
            }
            case 6 ->
            {
                final byte[] extra = new byte[1 + random.nextInt(64)];
                random.nextBytes(extra);
                return splice(b, at, 0, extra);
            }
            case 7 ->
            {
                final int length = Math.min(b.length - at, 1 + random.nextInt(32));
                return splice(b, at, 0, Arrays.copyOfRange(b, at, at + length));
            }
            case 8 ->
            {
                return splice(b, at, Math.min(b.length - at, 1 + random.nextInt(16)), new byte[0]);
            }
            default ->
            {
                // a random byte anywhere, the header included
                b[random.nextInt(b.length)] = (byte)random.nextInt();
                return b;
            }
        }
    }

    private static int position(final int length, final Random random)
    {
        if (length <= HEADER_PREFIX || random.nextInt(20) == 0)
        {
            return random.nextInt(length);
        }
        return HEADER_PREFIX + random.nextInt(length - HEADER_PREFIX);
    }

    private static byte[] splice(final byte[] b, final int at, final int remove, final byte[] insert)
    {
        final byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
