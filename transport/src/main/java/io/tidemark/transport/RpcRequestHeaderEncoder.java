package io.tidemark.transport;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

/**
 * Flyweight that writes the internal RPC request header into a buffer. All fields big-endian, as the rest of
 * the wire. Allocates nothing; wrap once, reuse.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      correlationId (int32)                    |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         apiKey (int16)        |       apiVersion (int16)      |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    request body (per apiKey)                 ... 8
 * </pre>
 *
 * The frame's int32 length prefix precedes this header and counts it.
 */
public final class RpcRequestHeaderEncoder
{
    /** Offset of the correlation id. */
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Offset of the API key. */
    public static final int API_KEY_OFFSET = 4;
    /** Offset of the API version. */
    public static final int API_VERSION_OFFSET = 6;
    /** Bytes of the header; the body starts here. */
    public static final int ENCODED_LENGTH = 8;

    private MutableDirectBuffer buffer;
    private int offset;

    /**
     * @param buffer to write into.
     * @param offset where the header starts.
     * @return this.
     */
    public RpcRequestHeaderEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @param correlationId echoed in the response.
     * @return this.
     */
    public RpcRequestHeaderEncoder correlationId(final int correlationId)
    {
        buffer.putInt(offset + CORRELATION_ID_OFFSET, correlationId, ByteOrder.BIG_ENDIAN);
        return this;
    }

    /**
     * @param apiKey which request, in [0, 32767].
     * @return this.
     */
    public RpcRequestHeaderEncoder apiKey(final short apiKey)
    {
        buffer.putShort(offset + API_KEY_OFFSET, apiKey, ByteOrder.BIG_ENDIAN);
        return this;
    }

    /**
     * @param apiVersion version of the request body.
     * @return this.
     */
    public RpcRequestHeaderEncoder apiVersion(final short apiVersion)
    {
        buffer.putShort(offset + API_VERSION_OFFSET, apiVersion, ByteOrder.BIG_ENDIAN);
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
