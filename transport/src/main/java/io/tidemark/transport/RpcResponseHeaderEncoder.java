package io.tidemark.transport;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes the internal RPC response header. Big-endian; allocates nothing.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              correlationId (int32, from the request)          |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       errorCode (int16)       |  response body (per apiKey)  ... 4, body at 6
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * {@code errorCode} is {@link RpcError#NONE} (0) on success; see {@link RpcError} for the transport's codes.
 */
public final class RpcResponseHeaderEncoder
{
    /** Offset of the correlation id. */
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Offset of the error code. */
    public static final int ERROR_CODE_OFFSET = 4;
    /** Bytes of the header; the body starts here. */
    public static final int ENCODED_LENGTH = 6;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * @param buffer to write into.
     * @param offset where the header starts.
     * @return this.
     */
    public RpcResponseHeaderEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @param correlationId the request's correlation id.
     * @return this.
     */
    public RpcResponseHeaderEncoder correlationId(final int correlationId)
    {
        buffer.putInt(offset + CORRELATION_ID_OFFSET, correlationId, ByteOrder.BIG_ENDIAN);
        return this;
    }

    /**
     * @param errorCode 0 for success.
     * @return this.
     */
    public RpcResponseHeaderEncoder errorCode(final short errorCode)
    {
        buffer.putShort(offset + ERROR_CODE_OFFSET, errorCode, ByteOrder.BIG_ENDIAN);
        return this;
    }

    /**
     * @return bytes written by this header.
     */
    public int encodedLength()
    {
        return ENCODED_LENGTH;
    }
}
