package io.tidemark.replication;

import java.nio.ByteBuffer;
import java.util.List;

import io.tidemark.engine.FileSlice;
import io.tidemark.engine.TopicPartition;

/**
 * The leader's answer to a replica fetch. On the leader the records are file slices (sent zero-copy
 * and closed after the send); on the follower they are the received bytes.
 *
 * @param partitions one entry per requested partition.
 */
public record ReplicaFetchResponse(List<ReplicaFetchResponse.PartitionData> partitions)
{
    /**
     * Copies the list.
     */
    public ReplicaFetchResponse
    {
        partitions = List.copyOf(partitions);
    }

    /**
     * Releases the file slices (leader side), once sent or abandoned.
     */
    public void release()
    {
        for (final PartitionData p : partitions)
        {
            if (p.slice() != null)
            {
                p.slice().close();
            }
        }
    }

    /**
     * One partition's data.
     *
     * @param topicPartition the partition.
     * @param error          NONE or why not.
     * @param highWatermark  the leader's high watermark.
     * @param logStartOffset the leader's log start offset.
     * @param logEndOffset   the leader's log end offset.
     * @param leaderEpoch    the leader epoch.
     * @param slice          leader side: whole batches to send, or null.
     * @param records        follower side: the received batches, or null.
     */
    public record PartitionData(
        TopicPartition topicPartition,
        ReplicationError error,
        long highWatermark,
        long logStartOffset,
        long logEndOffset,
        int leaderEpoch,
        FileSlice slice,
        ByteBuffer records)
    {
        /**
         * @return record bytes carried.
         */
        public int recordBytes()
        {
            return slice != null ? slice.length() : records != null ? records.remaining() : 0;
        }
    }
}
