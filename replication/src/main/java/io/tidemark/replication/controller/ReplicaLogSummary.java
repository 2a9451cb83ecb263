package io.tidemark.replication.controller;

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
}
