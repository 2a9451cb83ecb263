package io.tidemark.testkit.history;

/**
 * What the {@link Checker} can find (named after Jepsen's Kafka checker where one exists). Some kinds are
 * fatal under every contract; the others are fatal or only counted according to the {@link Contract}.
 */
public enum AnomalyKind
{
    /** Two values at one offset across acks, polls and the final read, or an acked or polled value found at another offset. */
    INCONSISTENT_OFFSET(true),
    /** An acknowledged value absent from the final read. */
    LOST_ACKED(false),
    /** A polled value absent from the final read. */
    READ_THEN_LOST(false),
    /** A polled offset at or above the high watermark reported with the poll, or beyond the end of the final read. */
    READ_BEYOND_HW(true),
    /** One value at two or more offsets of the final read. */
    DUPLICATE(false),
    /** A value sent after another was acknowledged (or, for an idempotent producer, sent after another by it) sits at a lower offset. */
    REORDERED(false),
    /** An offset inside the final read's range that holds nothing. */
    HOLE(false),
    /** A value that was never sent, or was sent to another partition. */
    UNKNOWN_VALUE(true),
    /** Bytes that do not decode to a value (CRC mismatch). */
    CORRUPT_VALUE(true),
    /** A value whose send definitely failed, yet it was read. */
    FAILED_WRITE_VISIBLE(true),
    /** A consumer's next record skipped over records the log holds, without a seek or new assignment. */
    POLL_SKIP(false),
    /** A consumer read an offset at or below the one it read before, without a seek or new assignment. */
    NONMONOTONIC_POLL(false),
    /** A group's acknowledged commit went below one acknowledged before it, or the final committed offset is below it. */
    COMMIT_REGRESS(false),
    /** A group committed past a record none of its members had polled. */
    COMMIT_SKIP(false),
    /** Replicas hold different values at one offset, or different log end offsets, after the heal. */
    REPLICA_DIVERGENCE(true),
    /** An acknowledged value in the final read that no poll ever returned. */
    UNSEEN_ACKED(false),
    /** No acknowledgement within the contract's bound after a fault was healed. */
    SLOW_RECOVERY(false);

    private final boolean alwaysFatal;

    AnomalyKind(final boolean alwaysFatal)
    {
        this.alwaysFatal = alwaysFatal;
    }

    /** @return true when no contract may merely count it. */
    public boolean alwaysFatal()
    {
        return alwaysFatal;
    }
}
