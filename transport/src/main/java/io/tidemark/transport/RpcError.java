package io.tidemark.transport;

/**
 * Error codes the transport's RPC layer itself puts in {@code errorCode} of a response. Codes below 1000 keep
 * Kafka's meaning (so a Kafka reader recognises them); codes from 1000 are internal-RPC only. Other modules
 * (replication, controller) define their own codes for their APIs and must not reuse these numbers.
 *
 * <pre>
 *   code   name                   retriable  when
 *   0      NONE                   -          success
 *   -1     UNKNOWN_SERVER_ERROR   no         the API handler threw
 *   35     UNSUPPORTED_VERSION    no         apiKey known, apiVersion outside the registered range
 *   42     INVALID_REQUEST        no         frame shorter than the request header
 *   1000   UNSUPPORTED_API_KEY    no         no handler registered for apiKey
 * </pre>
 */
public enum RpcError
{
    /** Success. */
    NONE(0, false),
    /** The handler failed unexpectedly. */
    UNKNOWN_SERVER_ERROR(-1, false),
    /** The API key is known but the version is not supported. */
    UNSUPPORTED_VERSION(35, false),
    /** The request is malformed (shorter than its header). */
    INVALID_REQUEST(42, false),
    /** No handler is registered for the API key. */
    UNSUPPORTED_API_KEY(1000, false);

    private static final RpcError[] VALUES = values();

    private final short code;
    private final boolean retriable;

    RpcError(final int code, final boolean retriable)
    {
        this.code = (short)code;
        this.retriable = retriable;
    }

    /**
     * @return the wire code.
     */
    public short code()
    {
        return code;
    }

    /**
     * @return true when the same request may succeed later.
     */
    public boolean retriable()
    {
        return retriable;
    }

    /**
     * @param code a wire code.
     * @return the matching error, or null when the code is not one of the transport's.
     */
    public static RpcError forCode(final short code)
    {
        for (final RpcError e : VALUES)
        {
            if (e.code == code)
            {
                return e;
            }
        }
        return null;
    }
}
