package io.tidemark.broker.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import io.tidemark.replication.ReplicationError;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.transport.LogText;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Maps replication and controller outcomes onto Kafka's wire errors, and failures onto the message a
 * client is shown: a refusal's own words (a controller reason, a Kafka {@code ApiException}), never the
 * text of an unexpected exception, which goes to the broker's log instead (escaped).
 *
 * <p>Thread safe (stateless).
 */
public final class ErrorMapping
{
    /** What a client is told of an unexpected failure; the broker's log has the rest. */
    public static final String UNEXPECTED = "the broker could not complete the request (an unexpected error; its log has the detail)";

    private static final System.Logger LOG = System.getLogger(ErrorMapping.class.getName());

    private ErrorMapping()
    {
    }

    /**
     * @param error      a replication outcome.
     * @param rejectCode the producer-state reject code (a Kafka error code) for PRODUCER_REJECTED.
     * @return the Kafka error.
     */
    public static Errors of(final ReplicationError error, final int rejectCode)
    {
        return switch (error)
        {
            case NONE -> Errors.NONE;
            case NOT_LEADER_OR_FOLLOWER -> Errors.NOT_LEADER_OR_FOLLOWER;
            case FENCED_LEADER_EPOCH -> Errors.FENCED_LEADER_EPOCH;
            case UNKNOWN_LEADER_EPOCH -> Errors.UNKNOWN_LEADER_EPOCH;
            case UNKNOWN_TOPIC_OR_PARTITION -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
            case NOT_ENOUGH_REPLICAS -> Errors.NOT_ENOUGH_REPLICAS;
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND -> Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
            case REQUEST_TIMED_OUT -> Errors.REQUEST_TIMED_OUT;
            case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
            case CORRUPT_MESSAGE -> Errors.CORRUPT_MESSAGE;
            case MESSAGE_TOO_LARGE -> Errors.MESSAGE_TOO_LARGE;
            case INVALID_RECORD -> Errors.INVALID_RECORD;
            case KAFKA_STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
            case PRODUCER_REJECTED -> rejectCode > 0 ? Errors.forCode((short)rejectCode) : Errors.UNKNOWN_SERVER_ERROR;
        };
    }

    /**
     * @param error a replication outcome.
     * @return the Kafka error.
     */
    public static Errors of(final ReplicationError error)
    {
        return of(error, 0);
    }

    /**
     * @param reason why the controller refused.
     * @return the Kafka error.
     */
    public static Errors of(final ControllerException.Reason reason)
    {
        return switch (reason)
        {
            case TOPIC_ALREADY_EXISTS -> Errors.TOPIC_ALREADY_EXISTS;
            case UNKNOWN_TOPIC_OR_PARTITION -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
            case INVALID_TOPIC -> Errors.INVALID_TOPIC_EXCEPTION;
            case INVALID_REPLICATION_FACTOR -> Errors.INVALID_REPLICATION_FACTOR;
            case INVALID_PARTITIONS -> Errors.INVALID_PARTITIONS;
            case INVALID_CONFIG -> Errors.INVALID_CONFIG;
            case INVALID_REPLICA_ASSIGNMENT -> Errors.INVALID_REPLICA_ASSIGNMENT;
            case NOT_CONTROLLER -> Errors.NOT_CONTROLLER;
            case KAFKA_STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
            case POLICY_VIOLATION -> Errors.POLICY_VIOLATION;
            case STALE, UNKNOWN -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }

    /**
     * An error and its message.
     *
     * @param error   the Kafka error.
     * @param message the message for the client, or null.
     */
    public record ErrorAndMessage(Errors error, String message)
    {
    }

    /**
     * @param failure a failed metadata change (possibly wrapped).
     * @return the Kafka error and the controller's message.
     */
    public static ErrorAndMessage of(final Throwable failure)
    {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null)
        {
            t = t.getCause();
        }
        if (t instanceof ControllerException ce)
        {
            final Errors error = of(ce.reason());
            return new ErrorAndMessage(error, error == Errors.UNKNOWN_SERVER_ERROR ? unexpected(t) : ce.getMessage());
        }
        if (t instanceof TimeoutException)
        {
            return new ErrorAndMessage(Errors.REQUEST_TIMED_OUT, "the controller did not answer in time");
        }
        if (t instanceof ApiException)
        {
            final Errors error = Errors.forException(t);
            // an ApiException made from a cause carries the cause's toString(): show Kafka's words for the code instead
            final boolean fromCause = t.getCause() != null && String.valueOf(t.getCause()).equals(t.getMessage());
            return new ErrorAndMessage(error, error == Errors.UNKNOWN_SERVER_ERROR ? unexpected(t) : fromCause ? error.message() : t.getMessage());
        }
        return new ErrorAndMessage(Errors.UNKNOWN_SERVER_ERROR, unexpected(t));
    }

    private static String unexpected(final Throwable t)
    {
        LOG.log(System.Logger.Level.WARNING, "answering UNKNOWN_SERVER_ERROR for: " + LogText.escape(t));
        return UNEXPECTED;
    }
}
