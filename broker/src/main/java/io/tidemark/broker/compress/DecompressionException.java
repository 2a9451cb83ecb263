package io.tidemark.broker.compress;

import org.apache.kafka.common.protocol.Errors;

/**
 * Why the records of a compressed batch cannot be read, in the words a client can act on; the library's
 * own failure, if any, is the cause (for the broker's log, never for the client).
 */
public final class DecompressionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The Kafka error. */
    private final transient Errors error;

    /**
     * @param error   the Kafka error: CORRUPT_MESSAGE (not valid compressed data), INVALID_RECORD (the
     *                decompressed records are malformed) or MESSAGE_TOO_LARGE (over the limit).
     * @param message what is wrong.
     * @param cause   the library's failure, or null.
     */
    DecompressionException(final Errors error, final String message, final Throwable cause)
    {
        super(message, cause, false, false);
        this.error = error;
    }

    /**
     * @return the Kafka error to answer.
     */
    public Errors error()
    {
        return error;
    }
}
