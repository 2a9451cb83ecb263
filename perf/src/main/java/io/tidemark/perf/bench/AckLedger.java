package io.tidemark.perf.bench;

import java.util.Arrays;

/**
 * Every acknowledged record of one topic: its id, partition, offset and the {@code System.nanoTime()} of
 * its acknowledgement. Written by the producer's I/O thread (the send callbacks), read after the producer
 * is closed; synchronized, so also readable while it runs.
 */
final class AckLedger
{
    private long[] ackNanos = new long[1 << 14];
    private long[] offsets = new long[1 << 14];
    private int[] partitions = new int[1 << 14];
    private boolean[] acked = new boolean[1 << 14];
    private long count;
    private long highestId = -1;

    synchronized void acked(final long id, final int partition, final long offset, final long nanos)
    {
        ensure(id);
        if (!acked[(int)id])
        {
            count++;
        }
        acked[(int)id] = true;
        ackNanos[(int)id] = nanos;
        offsets[(int)id] = offset;
        partitions[(int)id] = partition;
        highestId = Math.max(highestId, id);
    }

    private void ensure(final long id)
    {
        if (id >= Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("too many records for one ledger: " + id);
        }
        if (id >= acked.length)
        {
            final int n = (int)Math.min(Integer.MAX_VALUE - 8, Math.max(id + 1, 2L * acked.length));
            ackNanos = Arrays.copyOf(ackNanos, n);
            offsets = Arrays.copyOf(offsets, n);
            partitions = Arrays.copyOf(partitions, n);
            acked = Arrays.copyOf(acked, n);
        }
    }

    synchronized long count()
    {
        return count;
    }

    /**
     * @return one past the highest acknowledged id.
     */
    synchronized long idLimit()
    {
        return highestId + 1;
    }

    synchronized boolean isAcked(final long id)
    {
        return id >= 0 && id < acked.length && acked[(int)id];
    }

    synchronized long ackNanos(final long id)
    {
        return ackNanos[(int)id];
    }

    synchronized long offset(final long id)
    {
        return offsets[(int)id];
    }

    synchronized int partition(final long id)
    {
        return partitions[(int)id];
    }
}
