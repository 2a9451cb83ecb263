package io.tidemark.transport;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RpcCodecTest
{
    @Test
    void shouldRoundTripRequestHeaderAtAnOffset()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        new RpcRequestHeaderEncoder().wrap(buffer, 5).correlationId(-123456789).apiKey((short)32767).apiVersion((short)7);

        final RpcRequestHeaderDecoder decoder = new RpcRequestHeaderDecoder().wrap(buffer, 5);

        assertEquals(-123456789, decoder.correlationId());
        assertEquals(32767, decoder.apiKey());
        assertEquals(7, decoder.apiVersion());
        assertEquals(13, decoder.bodyOffset());
    }

    @Test
    void shouldWriteRequestHeaderBigEndianInDocumentedLayout()
    {
        final byte[] bytes = new byte[RpcRequestHeaderEncoder.ENCODED_LENGTH];
        new RpcRequestHeaderEncoder().wrap(new UnsafeBuffer(bytes), 0)
            .correlationId(0x01020304).apiKey((short)0x0506).apiVersion((short)0x0708);

        assertArrayEquals(new byte[]{ 1, 2, 3, 4, 5, 6, 7, 8 }, bytes);
        final ByteBuffer wire = ByteBuffer.wrap(bytes);
        assertEquals(0x01020304, wire.getInt(RpcRequestHeaderEncoder.CORRELATION_ID_OFFSET));
    }

    @Test
    void shouldRoundTripResponseHeaderInDocumentedLayout()
    {
        final byte[] bytes = new byte[RpcResponseHeaderEncoder.ENCODED_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        new RpcResponseHeaderEncoder().wrap(buffer, 0).correlationId(0x0A0B0C0D).errorCode(RpcError.UNSUPPORTED_VERSION.code());

        final RpcResponseHeaderDecoder decoder = new RpcResponseHeaderDecoder().wrap(buffer, 0);

        assertArrayEquals(new byte[]{ 0x0A, 0x0B, 0x0C, 0x0D, 0, 35 }, bytes);
        assertEquals(0x0A0B0C0D, decoder.correlationId());
        assertEquals(35, decoder.errorCode());
        assertEquals(6, decoder.bodyOffset());
    }

    @Test
    void shouldMapErrorCodesBothWays()
    {
        for (final RpcError error : RpcError.values())
        {
            assertEquals(error, RpcError.forCode(error.code()));
        }
        assertNull(RpcError.forCode((short)12345));
        assertEquals(-1, RpcError.UNKNOWN_SERVER_ERROR.code());
    }
}
