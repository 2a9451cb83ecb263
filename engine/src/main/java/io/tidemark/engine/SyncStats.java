package io.tidemark.engine;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the fsyncs of one log directory cost and how many records each made durable (the group-commit
 * size). Plain recorders, no names, no registry: the broker reads them and publishes them under its
 * metric names.
 *
 * <p>Threads: the log writer threads record ({@link Recorder} is wait-free and allocates nothing once
 * built, so several writer threads may sync logs of the same directory at once); one reader at a time
 * takes interval histograms ({@link #sampleLatencyUs(Histogram)}, {@link #sampleGroupCommitRecords(Histogram)}),
 * each sample holding the records since the previous one.
 */
public final class SyncStats
{
    /** Longest fsync latency tracked exactly, in microseconds (a minute); longer ones are clamped. */
    public static final long MAX_LATENCY_US = TimeUnit.MINUTES.toMicros(1);
    /** Largest group commit tracked exactly, in records; larger ones are clamped. */
    public static final long MAX_GROUP_RECORDS = 100_000_000L;
    private static final int SIGNIFICANT_DIGITS = 2;

    private final Recorder latencyUs = new Recorder(1, MAX_LATENCY_US, SIGNIFICANT_DIGITS);
    private final Recorder groupRecords = new Recorder(1, MAX_GROUP_RECORDS, SIGNIFICANT_DIGITS);

    /**
     * Records one completed fsync. Runs on a log writer thread; allocates nothing.
     *
     * @param latencyNs how long the fsync took.
     * @param records   records it made durable.
     */
    public void recordSync(final long latencyNs, final long records)
    {
        latencyUs.recordValue(Math.min(MAX_LATENCY_US, Math.max(1, latencyNs / 1_000)));
        groupRecords.recordValue(Math.min(MAX_GROUP_RECORDS, Math.max(1, records)));
    }

    /**
     * @param recycle a histogram from an earlier call, or null.
     * @return fsync latencies in microseconds since the previous sample.
     */
    public synchronized Histogram sampleLatencyUs(final Histogram recycle)
    {
        return latencyUs.getIntervalHistogram(recycle);
    }

    /**
     * @param recycle a histogram from an earlier call, or null.
     * @return records per fsync since the previous sample.
     */
    public synchronized Histogram sampleGroupCommitRecords(final Histogram recycle)
    {
        return groupRecords.getIntervalHistogram(recycle);
    }
}
