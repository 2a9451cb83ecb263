package io.tidemark.replication;

/**
 * Completion of a produce to one partition. Called exactly once, on a replication or writer thread:
 * it must not block.
 */
@FunctionalInterface
public interface ProduceCompletion
{
    /**
     * @param error           NONE on success.
     * @param baseOffset      first offset of the batch (the original one for a duplicate), or -1.
     * @param logAppendTimeMs the log append time stamped into the batch, or -1.
     * @param logStartOffset  the partition's log start offset.
     * @param rejectCode      the producer-state code when {@code error} is PRODUCER_REJECTED.
     * @param message         detail for errors, may be null.
     */
    void onComplete(ReplicationError error, long baseOffset, long logAppendTimeMs, long logStartOffset, int rejectCode,
        String message);
}
