package io.tidemark.replication;

/**
 * Replication settings of one broker (Kafka's key names in the documentation).
 *
 * @param brokerId                 {@code node.id}: this broker.
 * @param replicaLagTimeMaxMs      {@code replica.lag.time.max.ms}: a follower that has not caught up to
 *                                 the leader's log end offset for this long leaves the ISR.
 * @param replicaFetchMaxBytes     {@code replica.fetch.max.bytes}: bytes per partition per replica fetch.
 * @param replicaFetchWaitMaxMs    {@code replica.fetch.wait.max.ms}: long-poll wait of a replica fetch.
 * @param replicaFetchBackoffMs    {@code replica.fetch.backoff.ms}: pause after a failed replica fetch.
 * @param producePurgatoryTickMs   how often expired acks=all produces are swept (ours).
 */
public record ReplicationConfig(
    int brokerId,
    long replicaLagTimeMaxMs,
    int replicaFetchMaxBytes,
    int replicaFetchWaitMaxMs,
    long replicaFetchBackoffMs,
    long producePurgatoryTickMs)
{
    /**
     * Validates ranges.
     */
    public ReplicationConfig
    {
        check("node.id", brokerId, 0, Integer.MAX_VALUE);
        check("replica.lag.time.max.ms", replicaLagTimeMaxMs, 1, Long.MAX_VALUE);
        check("replica.fetch.max.bytes", replicaFetchMaxBytes, 1024, Integer.MAX_VALUE);
        check("replica.fetch.wait.max.ms", replicaFetchWaitMaxMs, 0, replicaLagTimeMaxMs);
        check("replica.fetch.backoff.ms", replicaFetchBackoffMs, 0, Long.MAX_VALUE);
        check("produce.purgatory.tick.ms", producePurgatoryTickMs, 1, 60_000);
    }

    private static void check(final String knob, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("invalid " + knob + "=" + value + ": must be in [" + min + ", " + max + "]");
        }
    }

    /**
     * @param brokerId this broker.
     * @return Kafka's defaults.
     */
    public static ReplicationConfig defaults(final int brokerId)
    {
        return new ReplicationConfig(brokerId, 30_000, 1024 * 1024, 500, 1000, 10);
    }
}
