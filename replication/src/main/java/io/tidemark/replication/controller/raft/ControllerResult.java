package io.tidemark.replication.controller.raft;

import java.util.List;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.TopicInfo;

/**
 * The answer to a controller operation, as the state machine returns it (never a thrown exception: a
 * refusal is a deterministic outcome of the log, identical on every voter) and as it travels back to
 * a forwarding node.
 */
sealed interface ControllerResult
{
    /**
     * Applied (or, for a validation, acceptable).
     *
     * @param value null, a {@link Long} (broker epoch), a {@link TopicInfo}, a {@link PartitionInfo}, a
     *              {@link ProducerIdBlock} or a list of {@link TopicPartition}s.
     */
    record Ok(Object value) implements ControllerResult
    {
        /** Checks the value's type. */
        public Ok
        {
            if (value != null && !(value instanceof Long) && !(value instanceof TopicInfo) && !(value instanceof PartitionInfo) &&
                !(value instanceof ProducerIdBlock) && !(value instanceof List<?>))
            {
                throw new IllegalArgumentException("unsupported result value " + value.getClass());
            }
        }
    }

    /**
     * Refused by the metadata rules.
     *
     * @param reason  why.
     * @param message for the client.
     */
    record Refused(ControllerException.Reason reason, String message) implements ControllerResult
    {
        /**
         * @return the exception the client's future fails with.
         */
        ControllerException toException()
        {
            return new ControllerException(reason, message);
        }
    }

    /**
     * Only on the wire: the node asked is not the active controller (or could not get the operation
     * committed this time); the client retries, at {@code leaderHint} when it is not -1.
     *
     * @param leaderHint the node believed to lead, or -1.
     * @param message    what happened.
     */
    record Retry(int leaderHint, String message) implements ControllerResult
    {
    }

    /** The result of operations that return nothing. */
    Ok OK = new Ok(null);
}
