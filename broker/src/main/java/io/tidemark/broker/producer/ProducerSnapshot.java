package io.tidemark.broker.producer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A copy of a partition's producer state as of a log offset, and its file format. Files are named like
 * Kafka's, {@code %020d.snapshot} after the offset (the map end offset: the offset after the last batch
 * the state includes), live in the partition directory and are replaced atomically. Unlike Kafka's, which
 * keeps one batch per producer, all retained batches are kept, so duplicate detection after a restart
 * covers the last 5 batches as before it.
 *
 * <pre>
 *  offset  size  field (big-endian)
 *  0       4     magic 0x544D5053 ("TMPS")
 *  4       2     version = 1
 *  6       4     CRC32C of everything from byte 10 to the end
 *  10      8     offset (map end offset)
 *  18      4     producer count N
 *  22      ...   N x producer:
 *                  8 producer id, 2 epoch, 8 last seen (wall ms), 1 batch count B (0..5),
 *                  B x batch: 4 first sequence, 4 last sequence, 8 first offset, 8 last offset, 8 max timestamp
 * </pre>
 *
 * @param offset    the map end offset.
 * @param producers the producers.
 */
public record ProducerSnapshot(long offset, List<Producer> producers)
{
    /** File name suffix. */
    public static final String SUFFIX = ".snapshot";
    private static final int MAGIC = 0x544D5053;
    private static final short VERSION = 1;
    private static final int HEADER = 22;
    private static final int PRODUCER_BYTES = 8 + 2 + 8 + 1;
    private static final int BATCH_BYTES = 4 + 4 + 8 + 8 + 8;

    /**
     * One producer.
     *
     * @param producerId    its id.
     * @param epoch         its epoch.
     * @param lastSeenMs    broker wall time it last appended (expiration).
     * @param batches       retained batches, oldest first.
     */
    public record Producer(long producerId, short epoch, long lastSeenMs, List<Batch> batches)
    {
    }

    /**
     * One retained batch.
     *
     * @param firstSeq    first sequence.
     * @param lastSeq     last sequence.
     * @param firstOffset first offset.
     * @param lastOffset  last offset.
     * @param timestamp   max timestamp.
     */
    public record Batch(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp)
    {
    }

    /**
     * @param offset a snapshot offset.
     * @return its file name.
     */
    public static String fileName(final long offset)
    {
        return String.format("%020d", offset) + SUFFIX;
    }

    /**
     * @param name a file name.
     * @return the offset it names, or -1 if it is not a snapshot file.
     */
    public static long parseFileName(final String name)
    {
        if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(0, 20));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @return the file content.
     */
    public byte[] encode()
    {
        int size = HEADER;
        for (final Producer p : producers)
        {
            size += PRODUCER_BYTES + p.batches().size() * BATCH_BYTES;
        }
        final ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(MAGIC).putShort(VERSION).putInt(0).putLong(offset).putInt(producers.size());
        for (final Producer p : producers)
        {
            b.putLong(p.producerId()).putShort(p.epoch()).putLong(p.lastSeenMs()).put((byte)p.batches().size());
            for (final Batch x : p.batches())
            {
                b.putInt(x.firstSeq()).putInt(x.lastSeq()).putLong(x.firstOffset()).putLong(x.lastOffset()).putLong(x.timestamp());
            }
        }
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 10, size - 10);
        b.putInt(6, (int)crc.getValue());
        return b.array();
    }

    /**
     * @param bytes file content.
     * @return the snapshot.
     * @throws IllegalArgumentException if the content is not a valid snapshot (wrong magic, version, CRC or shape).
     */
    public static ProducerSnapshot decode(final byte[] bytes)
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        try
        {
            if (b.getInt() != MAGIC)
            {
                throw new IllegalArgumentException("not a producer snapshot (bad magic)");
            }
            final short version = b.getShort();
            if (version != VERSION)
            {
                throw new IllegalArgumentException("unknown producer snapshot version " + version);
            }
            final int stored = b.getInt();
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 10, bytes.length - 10);
            if ((int)crc.getValue() != stored)
            {
                throw new IllegalArgumentException("producer snapshot CRC mismatch");
            }
            final long offset = b.getLong();
            final int count = b.getInt();
            if (count < 0 || count > (bytes.length - HEADER) / PRODUCER_BYTES)
            {
                throw new IllegalArgumentException("implausible producer count " + count);
            }
            final List<Producer> producers = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final long pid = b.getLong();
                final short epoch = b.getShort();
                final long ts = b.getLong();
                final int n = b.get();
                if (n < 0 || n > ProducerEntry.RETAINED_BATCHES)
                {
                    throw new IllegalArgumentException("implausible batch count " + n);
                }
                final List<Batch> batches = new ArrayList<>(n);
                for (int j = 0; j < n; j++)
                {
                    batches.add(new Batch(b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong()));
                }
                producers.add(new Producer(pid, epoch, ts, batches));
            }
            if (b.hasRemaining())
            {
                throw new IllegalArgumentException(b.remaining() + " trailing bytes");
            }
            return new ProducerSnapshot(offset, producers);
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("truncated producer snapshot", ex);
        }
    }
}
