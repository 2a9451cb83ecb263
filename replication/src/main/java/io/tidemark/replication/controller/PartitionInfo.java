package io.tidemark.replication.controller;

import java.util.List;

/**
 * The controller's record of one partition.
 *
 * @param partition      partition number.
 * @param replicas       assigned replicas, preferred leader first.
 * @param isr            in-sync replicas.
 * @param leader         leader broker id, -1 if none.
 * @param leaderEpoch    bumped on every leader change.
 * @param partitionEpoch bumped on every change of this record.
 * @param elr            eligible leader replicas (KIP-966): replicas that left the ISR while it was
 *                       below {@code min.insync.replicas}, so nothing was committed without them; they
 *                       may lead when no ISR member is live.
 * @param recovery       log summaries of former ISR/ELR members that restarted after an unclean
 *                       shutdown (they may have lost unsynced records); when no ISR or ELR member is
 *                       left, the most complete of them leads.
 */
public record PartitionInfo(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
    int partitionEpoch, List<Integer> elr, List<ReplicaLogSummary> recovery)
{
    /**
     * Copies the lists.
     */
    public PartitionInfo
    {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        elr = List.copyOf(elr);
        recovery = List.copyOf(recovery);
    }

    /**
     * A partition with no eligible leader replicas and nothing to recover.
     */
    public PartitionInfo(final int partition, final List<Integer> replicas, final List<Integer> isr, final int leader,
        final int leaderEpoch, final int partitionEpoch)
    {
        this(partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }
}
