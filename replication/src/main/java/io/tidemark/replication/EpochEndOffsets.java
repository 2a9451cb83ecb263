package io.tidemark.replication;

import io.tidemark.engine.TopicPartition;

/**
 * KIP-101/279: a follower asks the leader where an epoch ended, to truncate to the end of the largest
 * epoch both share instead of to its high watermark.
 */
public final class EpochEndOffsets
{
    private EpochEndOffsets()
    {
    }

    /**
     * A question.
     *
     * @param topicPartition     the partition.
     * @param currentLeaderEpoch the leader epoch the follower believes current (fencing).
     * @param leaderEpoch        the epoch asked about: the follower's latest.
     */
    public record Query(TopicPartition topicPartition, int currentLeaderEpoch, int leaderEpoch)
    {
    }

    /**
     * An answer.
     *
     * @param topicPartition the partition.
     * @param error          NONE or why not.
     * @param leaderEpoch    the largest epoch at most the one asked about that the leader knows.
     * @param endOffset      where that epoch ended on the leader.
     */
    public record Answer(TopicPartition topicPartition, ReplicationError error, int leaderEpoch, long endOffset)
    {
    }
}
