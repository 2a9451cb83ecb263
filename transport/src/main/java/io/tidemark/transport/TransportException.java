package io.tidemark.transport;

/**
 * A failed transport operation on a control path: a request that timed out, a connection that closed with
 * requests pending, a connect that failed. {@link #code()} says which, so callers can branch without parsing
 * messages. Hot paths return codes instead of throwing this.
 */
public final class TransportException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What failed.
     */
    public enum Code
    {
        /** No response arrived within the request timeout; the response, if it comes, is discarded. */
        REQUEST_TIMEOUT(true),
        /** The connection closed (by either side, or on an error) before the operation completed. */
        CONNECTION_CLOSED(true),
        /** The connection was not established within the connect timeout. */
        CONNECT_TIMEOUT(true),
        /** The connection could not be established (refused, unreachable, ...). */
        CONNECT_FAILED(true),
        /** The connection already has {@code maxInFlightRequestsPerConnection} requests awaiting a response. */
        TOO_MANY_IN_FLIGHT(true),
        /** A one-way send was refused because more than {@code maxQueuedSendBytes} were already queued. */
        SEND_QUEUE_FULL(true),
        /** A send could not be written: I/O error or a file region past the end of its file. */
        SEND_FAILED(false),
        /** The client or server was closed. */
        TRANSPORT_CLOSED(false);

        private final boolean retriable;

        Code(final boolean retriable)
        {
            this.retriable = retriable;
        }

        /**
         * @return true when retrying the same operation (perhaps on a new connection) may succeed.
         */
        public boolean retriable()
        {
            return retriable;
        }
    }

    /** What failed. */
    private final Code code;

    /**
     * @param code    what failed.
     * @param message what, where and why.
     */
    public TransportException(final Code code, final String message)
    {
        super(code + ": " + message);
        this.code = code;
    }

    /**
     * @param code    what failed.
     * @param message what, where and why.
     * @param cause   the underlying failure.
     */
    public TransportException(final Code code, final String message, final Throwable cause)
    {
        super(code + ": " + message, cause);
        this.code = code;
    }

    /**
     * @return what failed.
     */
    public Code code()
    {
        return code;
    }
}
