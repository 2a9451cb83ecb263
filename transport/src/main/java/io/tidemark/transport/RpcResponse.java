package io.tidemark.transport;

import java.nio.ByteBuffer;

/**
 * A response received by a {@link ClientConnection}: the decoded header (see {@link RpcResponseHeaderEncoder})
 * and the body, which belongs to the caller.
 */
public final class RpcResponse
{
    private final int correlationId;
    private final short errorCode;
    private final ByteBuffer body;

    RpcResponse(final int correlationId, final short errorCode, final ByteBuffer body)
    {
        this.correlationId = correlationId;
        this.errorCode = errorCode;
        this.body = body;
    }

    /**
     * @return the correlation id of the request answered.
     */
    public int correlationId()
    {
        return correlationId;
    }

    /**
     * @return the error code; 0 ({@link RpcError#NONE}) on success.
     */
    public short errorCode()
    {
        return errorCode;
    }

    /**
     * @return the response body: position after the header, limit at the frame end.
     */
    public ByteBuffer body()
    {
        return body;
    }

    @Override
    public String toString()
    {
        return "RpcResponse{correlationId=" + correlationId + ", errorCode=" + errorCode +
            ", bodyLength=" + body.remaining() + "}";
    }
}
