package io.tidemark.broker.api;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.ReplicaManager;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.protocol.Errors;

/**
 * Finds the partition a request names, with Kafka's errors when it cannot be served here.
 */
public final class PartitionLookup
{
    private final MetadataView metadata;
    private final ReplicaManager replicas;

    /**
     * @param metadata the metadata view.
     * @param replicas the partitions hosted here.
     */
    public PartitionLookup(final MetadataView metadata, final ReplicaManager replicas)
    {
        this.metadata = metadata;
        this.replicas = replicas;
    }

    /**
     * The outcome: a leader partition, or the error.
     *
     * @param partition the partition led here, or null.
     * @param error     NONE, or why not.
     */
    public record Found(Partition partition, Errors error)
    {
    }

    /**
     * @param topic          the topic, or null if unknown.
     * @param partitionIndex the partition number.
     * @param unknownTopic   the error for an unknown topic (UNKNOWN_TOPIC_OR_PARTITION or UNKNOWN_TOPIC_ID).
     * @return the leader partition, or the error.
     */
    public Found leader(final TopicInfo topic, final int partitionIndex, final Errors unknownTopic)
    {
        if (topic == null)
        {
            return new Found(null, unknownTopic);
        }
        if (partitionIndex < 0 || partitionIndex >= topic.partitions().size())
        {
            return new Found(null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        final Partition p = replicas.partition(new TopicPartition(topic.name(), partitionIndex));
        if (p == null || !p.isLeader())
        {
            return new Found(null, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return new Found(p, Errors.NONE);
    }

    /**
     * @param name           a topic name.
     * @param partitionIndex the partition number.
     * @return the leader partition, or the error.
     */
    public Found leader(final String name, final int partitionIndex)
    {
        return leader(metadata.topic(name), partitionIndex, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    /**
     * KIP-320: a request naming an older leader epoch is fenced; a newer one means this broker is behind.
     *
     * @param partition          the partition.
     * @param currentLeaderEpoch the epoch the client believes current, or -1 to skip the check.
     * @return NONE, FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH.
     */
    public static Errors checkLeaderEpoch(final Partition partition, final int currentLeaderEpoch)
    {
        if (currentLeaderEpoch < 0)
        {
            return Errors.NONE;
        }
        final int epoch = partition.state().leaderEpoch();
        if (currentLeaderEpoch < epoch)
        {
            return Errors.FENCED_LEADER_EPOCH;
        }
        return currentLeaderEpoch > epoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NONE;
    }
}
