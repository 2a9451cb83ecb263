package io.tidemark.perf.bench;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * A record value of the lab's workload.
 *
 * <pre>
 *  0        8                16                      recordSize
 *  +--------+----------------+-----------------------+
 *  | id     | intended send  | filler (random bytes) |
 *  | int64  | nanoTime int64 |                       |
 *  +--------+----------------+-----------------------+
 * </pre>
 *
 * Ids are dense from 0 per topic, so the read-back is a bit set; the send time (this JVM's
 * {@code System.nanoTime()}) gives the end-to-end latency.
 */
final class Payload
{
    static final int HEADER_BYTES = 16;

    private Payload()
    {
    }

    static byte[] filler(final int recordSize, final long seed)
    {
        final byte[] bytes = new byte[recordSize];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] value(final byte[] filler, final long id, final long sendNanos)
    {
        final byte[] value = filler.clone();
        final ByteBuffer b = ByteBuffer.wrap(value);
        b.putLong(0, id);
        b.putLong(8, sendNanos);
        return value;
    }

    static long id(final byte[] value)
    {
        return value == null || value.length < HEADER_BYTES ? -1 : ByteBuffer.wrap(value).getLong(0);
    }

    static long sendNanos(final byte[] value)
    {
        return ByteBuffer.wrap(value).getLong(8);
    }
}
