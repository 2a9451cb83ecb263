package io.tidemark.perf.bench;

import org.HdrHistogram.Histogram;

/**
 * One measured load phase of a cell.
 *
 * @param mode       {@code closed} (as fast as possible) or {@code open} (fixed rate).
 * @param targetRate records per second asked for (0 for the closed loop).
 * @param records    records acknowledged while measuring.
 * @param failed     records that failed while measuring.
 * @param seconds    measured time, first send to the last acknowledgement.
 * @param latencyUs  produce latency (send or due time to acknowledgement), microseconds.
 */
public record LoadResult(String mode, double targetRate, long records, long failed, double seconds, Histogram latencyUs)
{
    /**
     * @return acknowledged records per second.
     */
    public double recordsPerSecond()
    {
        return seconds > 0 ? records / seconds : 0;
    }

    /**
     * @param recordSize bytes per record value.
     * @return acknowledged value megabytes (10^6 bytes) per second.
     */
    public double megabytesPerSecond(final int recordSize)
    {
        return recordsPerSecond() * recordSize / 1e6;
    }

    /**
     * @param percentile 0 .. 100.
     * @return the latency at that percentile, milliseconds.
     */
    public double latencyMs(final double percentile)
    {
        return Stats.ms(latencyUs, percentile);
    }
}
