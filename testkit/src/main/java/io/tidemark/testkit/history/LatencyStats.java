package io.tidemark.testkit.history;

/**
 * Latency of acknowledged sends in one kind of window (normal or under a fault), and the acknowledgement
 * rate over the window's length.
 *
 * @param count          acknowledged sends invoked in the window.
 * @param p50Micros      median latency.
 * @param p99Micros      99th percentile.
 * @param maxMicros      maximum.
 * @param windowSeconds  total length of the window.
 * @param acksPerSecond  acknowledgements completed in the window per second of it.
 */
public record LatencyStats(long count, long p50Micros, long p99Micros, long maxMicros, double windowSeconds,
    double acksPerSecond)
{
    @Override
    public String toString()
    {
        if (count == 0)
        {
            return String.format("n=0 over %.1fs", windowSeconds);
        }
        return String.format("n=%d p50=%dus p99=%dus max=%dus, %.1f acks/s over %.1fs", count, p50Micros, p99Micros,
            maxMicros, acksPerSecond, windowSeconds);
    }
}
