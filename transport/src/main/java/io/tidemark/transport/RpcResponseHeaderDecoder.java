package io.tidemark.transport;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * Flyweight that reads the internal RPC response header; see {@link RpcResponseHeaderEncoder} for the layout.
 * Allocates nothing.
 */
public final class RpcResponseHeaderDecoder
{
    private DirectBuffer buffer;
    private int offset;

    /**
     * @param buffer to read from.
     * @param offset where the header starts; {@link RpcResponseHeaderEncoder#ENCODED_LENGTH} bytes must follow.
     * @return this.
     */
    public RpcResponseHeaderDecoder wrap(final DirectBuffer buffer, final int offset)
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
        return buffer.getInt(offset + RpcResponseHeaderEncoder.CORRELATION_ID_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return the error code, 0 for success.
     */
    public short errorCode()
    {
        return buffer.getShort(offset + RpcResponseHeaderEncoder.ERROR_CODE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return offset of the body after the header.
     */
    public int bodyOffset()
    {
        return offset + RpcResponseHeaderEncoder.ENCODED_LENGTH;
    }
}
