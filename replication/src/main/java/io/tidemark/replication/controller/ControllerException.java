package io.tidemark.replication.controller;

/**
 * A metadata change the controller refused, with a reason the broker maps to a Kafka error code.
 */
public final class ControllerException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason
    {
        /** A topic of that name exists. */
        TOPIC_ALREADY_EXISTS,
        /** No such topic. */
        UNKNOWN_TOPIC_OR_PARTITION,
        /** The topic name is not legal. */
        INVALID_TOPIC,
        /** The replication factor is not possible. */
        INVALID_REPLICATION_FACTOR,
        /** The partition count is not possible. */
        INVALID_PARTITIONS,
        /** A config key or value is not acceptable. */
        INVALID_CONFIG,
        /** An explicit replica assignment is not acceptable. */
        INVALID_REPLICA_ASSIGNMENT,
        /** This node is not the active controller (retry elsewhere). */
        NOT_CONTROLLER,
        /** A fenced or stale request (partition epoch, broker epoch). */
        STALE,
        /** Anything else. */
        UNKNOWN,
        /** The metadata could not be written to disk (a full disk, an I/O error): nothing changed. */
        KAFKA_STORAGE_ERROR,
        /** The change is larger than one controller operation may be (Kafka's POLICY_VIOLATION). */
        POLICY_VIOLATION
    }

    private final Reason reason;

    /**
     * @param reason  why.
     * @param message what happened, for the client.
     */
    public ControllerException(final Reason reason, final String message)
    {
        super(message);
        this.reason = reason;
    }

    /**
     * @return why.
     */
    public Reason reason()
    {
        return reason;
    }
}
