package io.tidemark.replication;

import java.util.List;

import io.tidemark.engine.TopicPartition;

/**
 * A follower's fetch from a leader: it reports, per partition, how far its log goes (its fetch
 * offset is its log end offset) and how far it has synced, and asks for what follows.
 *
 * @param replicaId   the follower.
 * @param brokerEpoch its broker epoch (a restarted broker has a new one).
 * @param maxWaitMs   long-poll bound.
 * @param minBytes    respond once this many bytes are available.
 * @param maxBytes    bytes per partition at most (one batch always fits).
 * @param partitions  the partitions.
 */
public record ReplicaFetchRequest(int replicaId, long brokerEpoch, int maxWaitMs, int minBytes, int maxBytes,
    List<ReplicaFetchRequest.PartitionFetch> partitions)
{
    /**
     * Copies the list.
     */
    public ReplicaFetchRequest
    {
        partitions = List.copyOf(partitions);
    }

    /**
     * One partition of a replica fetch.
     *
     * @param topicPartition     the partition.
     * @param currentLeaderEpoch the leader epoch the follower follows in.
     * @param fetchOffset        the follower's log end offset.
     * @param durableOffset      the follower's durable offset.
     */
    public record PartitionFetch(TopicPartition topicPartition, int currentLeaderEpoch, long fetchOffset, long durableOffset)
    {
    }
}
