package io.tidemark.replication;

/**
 * Told when a partition's high watermark or log end offset advanced, or its state changed: long-poll
 * fetches and replica fetch sessions re-check themselves. Must not block.
 */
@FunctionalInterface
public interface PartitionWatcher
{
    /**
     * @param partition the partition that moved.
     */
    void onPartitionProgress(Partition partition);
}
