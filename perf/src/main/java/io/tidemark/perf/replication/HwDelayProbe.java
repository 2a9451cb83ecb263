package io.tidemark.perf.replication;

import java.util.concurrent.TimeUnit;

import io.tidemark.replication.Partition;
import io.tidemark.replication.PartitionWatcher;
import org.HdrHistogram.Histogram;

/**
 * Measures, on a partition's leader, the replication delay: from the moment the leader's log reports an
 * append (its log end offset moved to E) to the moment the high watermark passes it (HW >= E, i.e. every
 * offset below E is committed). Attached with {@link Partition#addWatcher}, so it needs nothing from the
 * replication module beyond its public watcher API.
 *
 * <pre>
 *   writer thread:  append batches ... publish ... complete ... Log listener -> Partition.onLogProgress
 *                                                                    -> watchers: LEO = E at t0   (push E, t0)
 *   request thread: follower fetch reports LEO/durable -> HW advances -> watchers: HW >= E at t1 (record t1 - t0)
 * </pre>
 *
 * The log calls its listener once per group of appends the writer completed together, so one sample covers
 * every batch of that group (they share the append instant). A follower may fetch published bytes before
 * the writer's listener runs; if the HW has already passed E when E is first seen, the sample is recorded as
 * 0 (an underestimate, bounded by the writer's publish-to-listener gap). Watchers run on the writer and on
 * request threads, hence the lock; it is held for a few array operations.
 *
 * <p>Not for production: a benchmark instrument. Values are nanoseconds.
 */
final class HwDelayProbe implements PartitionWatcher
{
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int CAPACITY = 1 << 16;

    private final Histogram histogram = new Histogram(MAX_NS, 3);
    private final long[] endOffsets = new long[CAPACITY];
    private final long[] appendNs = new long[CAPACITY];
    private int head;
    private int size;
    private long lastEndOffset;
    private long dropped;

    /**
     * @param startEndOffset the leader's log end offset when attached; earlier offsets are not sampled.
     */
    HwDelayProbe(final long startEndOffset)
    {
        this.lastEndOffset = startEndOffset;
    }

    @Override
    public void onPartitionProgress(final Partition partition)
    {
        final long nowNs = System.nanoTime();
        onProgress(partition.log().logEndOffset(), partition.highWatermark(), nowNs);
    }

    /**
     * @param endOffset the leader's log end offset now.
     * @param hw        its high watermark now.
     * @param nowNs     now.
     */
    void onProgress(final long endOffset, final long hw, final long nowNs)
    {
        synchronized (this)
        {
            if (endOffset > lastEndOffset)
            {
                lastEndOffset = endOffset;
                if (size < CAPACITY)
                {
                    final int tail = (head + size) & (CAPACITY - 1);
                    endOffsets[tail] = endOffset;
                    appendNs[tail] = nowNs;
                    size++;
                }
                else
                {
                    dropped++;
                }
            }
            while (size > 0 && endOffsets[head] <= hw)
            {
                histogram.recordValue(Math.min(MAX_NS, Math.max(0, nowNs - appendNs[head])));
                head = (head + 1) & (CAPACITY - 1);
                size--;
            }
        }
    }

    /**
     * Forgets the samples taken so far (after a warm-up); appends still waiting stay pending.
     */
    synchronized void reset()
    {
        histogram.reset();
        dropped = 0;
    }

    /**
     * @param into adds this probe's samples to it.
     */
    synchronized void addTo(final Histogram into)
    {
        into.add(histogram);
    }

    /**
     * @return appends not sampled because the pending queue was full.
     */
    synchronized long dropped()
    {
        return dropped;
    }
}
