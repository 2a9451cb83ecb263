package io.tidemark.replication;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.tidemark.engine.LogConfig;
import io.tidemark.engine.TopicPartition;

/**
 * What the controller decided about one partition, as a broker applies it.
 *
 * @param topicPartition     the partition.
 * @param topicId            the topic's id.
 * @param replicas           assigned replicas, preferred leader first.
 * @param isr                in-sync replicas.
 * @param leader             leader broker id, or -1 when there is none.
 * @param leaderEpoch        leader epoch: bumped on every leader change.
 * @param partitionEpoch     partition epoch: bumped on every change of this state (fences ISR updates).
 * @param minInsyncReplicas  {@code min.insync.replicas} for the topic.
 * @param logConfig          configuration of the partition's log.
 */
public record PartitionState(
    TopicPartition topicPartition,
    UUID topicId,
    List<Integer> replicas,
    List<Integer> isr,
    int leader,
    int leaderEpoch,
    int partitionEpoch,
    int minInsyncReplicas,
    LogConfig logConfig)
{
    /**
     * Validates and copies.
     */
    public PartitionState
    {
        Objects.requireNonNull(topicPartition, "topicPartition");
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        Objects.requireNonNull(logConfig, "logConfig");
        if (leaderEpoch < 0 || partitionEpoch < 0)
        {
            throw new IllegalArgumentException("epochs must be >= 0: " + leaderEpoch + ", " + partitionEpoch);
        }
        if (minInsyncReplicas < 1)
        {
            throw new IllegalArgumentException("min.insync.replicas must be >= 1: " + minInsyncReplicas);
        }
    }

    /**
     * @param brokerId a broker.
     * @return true if it leads the partition.
     */
    public boolean isLeader(final int brokerId)
    {
        return leader == brokerId;
    }

    /**
     * @param brokerId a broker.
     * @return true if it holds a replica.
     */
    public boolean isReplica(final int brokerId)
    {
        return replicas.contains(brokerId);
    }
}
