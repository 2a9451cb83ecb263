package io.tidemark.replication;

/**
 * Outcomes of replication-level operations. The broker maps them onto Kafka's wire error codes (the
 * names match Kafka's where the meaning does).
 */
public enum ReplicationError
{
    /** Success. */
    NONE(false),
    /** This broker is not the leader (or, for a replica fetch, not a replica) of the partition. */
    NOT_LEADER_OR_FOLLOWER(true),
    /** The request names an older leader epoch than the partition's: the caller is stale. */
    FENCED_LEADER_EPOCH(false),
    /** The request names a newer leader epoch than this broker knows: this broker is stale. */
    UNKNOWN_LEADER_EPOCH(true),
    /** The partition is not hosted here. */
    UNKNOWN_TOPIC_OR_PARTITION(true),
    /** Fewer in-sync replicas than {@code min.insync.replicas}: nothing was appended. */
    NOT_ENOUGH_REPLICAS(true),
    /** Appended locally, but the ISR fell below {@code min.insync.replicas} before it committed. */
    NOT_ENOUGH_REPLICAS_AFTER_APPEND(true),
    /** The append did not commit within the request timeout; its fate is unknown. */
    REQUEST_TIMED_OUT(true),
    /** The fetch offset is outside [log start, log end]. */
    OFFSET_OUT_OF_RANGE(false),
    /** The batch failed its CRC or framing checks. */
    CORRUPT_MESSAGE(true),
    /** A batch is larger than {@code max.message.bytes}. */
    MESSAGE_TOO_LARGE(false),
    /** The records are not acceptable (bad offsets, epochs or structure). */
    INVALID_RECORD(false),
    /** The log failed (disk full, failed fsync, log dir offline). */
    KAFKA_STORAGE_ERROR(true),
    /** The append interceptor (producer state) rejected the batch; see the reject code. */
    PRODUCER_REJECTED(false);

    private final boolean retriable;

    ReplicationError(final boolean retriable)
    {
        this.retriable = retriable;
    }

    /**
     * @return true if a client may retry.
     */
    public boolean retriable()
    {
        return retriable;
    }
}
