package io.tidemark.replication.controller;

import io.tidemark.engine.Log;
import io.tidemark.engine.TopicPartition;

import java.util.HashMap;
import java.util.Map;

/**
 * What a broker restarting after an unclean shutdown reports about one of its replicas: the
 * controller uses it to pick, among former in-sync replicas that all restarted uncleanly, the one with
 * the most complete log (highest last epoch, then highest log end offset).
 *
 * @param brokerId     the broker.
 * @param lastEpoch    the latest leader epoch in its log, -1 if empty.
 * @param logEndOffset its log end offset.
 */
public record ReplicaLogSummary(int brokerId, int lastEpoch, long logEndOffset) implements Comparable<ReplicaLogSummary>
{
    @Override
    public int compareTo(final ReplicaLogSummary o)
    {
        final int c = Integer.compare(lastEpoch, o.lastEpoch);
        return c != 0 ? c : Long.compare(logEndOffset, o.logEndOffset);
    }

    /**
     * Summarises the logs a broker opened, for its registration.
     *
     * @param brokerId the broker.
     * @param logs     its open logs.
     * @return one summary per partition.
     */
    public static Map<TopicPartition, ReplicaLogSummary> of(final int brokerId, final Iterable<Log> logs)
    {
        final Map<TopicPartition, ReplicaLogSummary> result = new HashMap<>();
        for (final Log log : logs)
        {
            result.put(log.topicPartition(), new ReplicaLogSummary(brokerId, log.epochCache().latestEpoch(), log.logEndOffset()));
        }
        return result;
    }
}
