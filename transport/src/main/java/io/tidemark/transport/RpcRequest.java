package io.tidemark.transport;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One internal RPC request: the decoded header (see {@link RpcRequestHeaderEncoder}) and its body. Complete it
 * exactly once, from any thread; the response header (correlation id, error code) is written by the server
 * in front of the given body.
 */
public final class RpcRequest
{
    private final ServerFrame frame;
    private final int correlationId;
    private final short apiKey;
    private final short apiVersion;

    RpcRequest(final ServerFrame frame, final int correlationId, final short apiKey, final short apiVersion)
    {
        this.frame = frame;
        this.correlationId = correlationId;
        this.apiKey = apiKey;
        this.apiVersion = apiVersion;
    }

    /**
     * @return the correlation id the client chose.
     */
    public int correlationId()
    {
        return correlationId;
    }

    /**
     * @return the API key.
     */
    public short apiKey()
    {
        return apiKey;
    }

    /**
     * @return the API version.
     */
    public short apiVersion()
    {
        return apiVersion;
    }

    /**
     * @return the connection the request arrived on.
     */
    public Connection connection()
    {
        return frame.connection();
    }

    /**
     * @return the underlying frame (e.g. for {@link InboundFrame#release()} or its arrival time).
     */
    public InboundFrame frame()
    {
        return frame;
    }

    /**
     * @return the request body: the frame buffer positioned after the header, limit at the frame end.
     */
    public ByteBuffer body()
    {
        return frame.body().position(RpcRequestHeaderEncoder.ENCODED_LENGTH);
    }

    /**
     * @return bytes of the body.
     */
    public int bodyLength()
    {
        return frame.length() - RpcRequestHeaderEncoder.ENCODED_LENGTH;
    }

    /**
     * Responds with success.
     *
     * @param body the response body.
     * @return true when queued; false when the connection closed (the send's completion gets the error).
     */
    public boolean respond(final Send body)
    {
        return respond(RpcError.NONE.code(), body);
    }

    /**
     * Responds with an error code and a body.
     *
     * @param errorCode int16 error code, 0 for success.
     * @param body      the response body.
     * @return true when queued; false when the connection closed (the send's completion gets the error).
     * @throws IllegalStateException when already completed or the send was already used.
     */
    public boolean respond(final int errorCode, final Send body)
    {
        Objects.requireNonNull(body, "body");
        if (frame.isCompleted())
        {
            throw new IllegalStateException("request " + correlationId + " already completed");
        }
        return respond(frame, correlationId, errorCode, body);
    }

    /**
     * Responds with an error code and an empty body.
     *
     * @param errorCode int16 error code.
     * @return true when queued; false when the connection closed.
     */
    public boolean respondError(final int errorCode)
    {
        return respond(errorCode, Send.builder().build());
    }

    /**
     * Completes without any response (one-way requests). The client gets nothing for this correlation id.
     *
     * @return true when the connection was open.
     */
    public boolean noResponse()
    {
        return frame.noResponse();
    }

    boolean isCompleted()
    {
        return frame.isCompleted();
    }

    static boolean respond(final ServerFrame frame, final int correlationId, final int errorCode, final Send body)
    {
        body.claim();
        new RpcResponseHeaderEncoder()
            .wrap(body.reserveHeader(RpcResponseHeaderEncoder.ENCODED_LENGTH), Send.LENGTH_FIELD_BYTES)
            .correlationId(correlationId)
            .errorCode((short)errorCode);
        return frame.respondClaimed(body);
    }

    @Override
    public String toString()
    {
        return "RpcRequest{correlationId=" + correlationId + ", apiKey=" + apiKey + ", apiVersion=" + apiVersion +
            ", bodyLength=" + bodyLength() + "}";
    }
}
