package io.tidemark.transport;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads the internal RPC request header; see {@link RpcRequestHeaderEncoder} for the layout.
 * Allocates nothing; wrap once per frame.
 */
public final class RpcRequestHeaderDecoder
{
    private DirectBuffer buffer;
    private int offset;

    /**
     * @param buffer to read from.
     * @param offset where the header starts; {@link RpcRequestHeaderEncoder#ENCODED_LENGTH} bytes must follow.
     * @return this.
     */
    public RpcRequestHeaderDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return the correlation id.
     */
    public int correlationId()
    {
        return buffer.getInt(offset + RpcRequestHeaderEncoder.CORRELATION_ID_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return the API key.
     */
    public short apiKey()
    {
        return buffer.getShort(offset + RpcRequestHeaderEncoder.API_KEY_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return the API version.
     */
    public short apiVersion()
    {
        return buffer.getShort(offset + RpcRequestHeaderEncoder.API_VERSION_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return offset of the body after the header.
     */
    public int bodyOffset()
    {
        return offset + RpcRequestHeaderEncoder.ENCODED_LENGTH;
    }
}
