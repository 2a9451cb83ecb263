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
 */
public record PartitionInfo(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch)
{
    /**
     * Copies the lists.
     */
    public PartitionInfo
    {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
