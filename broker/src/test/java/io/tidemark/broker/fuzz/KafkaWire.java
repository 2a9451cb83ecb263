package io.tidemark.broker.fuzz;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Kafka requests as bytes on a plain socket: encoded with kafka-clients' generated message classes, so a
 * fuzzer can take a real request apart and a health check can read a real answer.
 */
public final class KafkaWire
{
    private KafkaWire()
    {
    }

    /**
     * @return the request header and body (without the int32 length prefix).
     */
    public static byte[] encode(final ApiKeys api, final short version, final int correlationId, final String clientId,
        final ApiMessage body)
    {
        final short headerVersion = api.requestHeaderVersion(version);
        final RequestHeaderData header = new RequestHeaderData()
            .setRequestApiKey(api.id)
            .setRequestApiVersion(version)
            .setCorrelationId(correlationId)
            .setClientId(clientId);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = header.size(cache, headerVersion) + body.size(cache, version);
        final ByteBuffer buffer = ByteBuffer.allocate(size);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.array();
    }

    /**
     * Writes one frame: the int32 length, then the bytes.
     */
    public static void writeFrame(final OutputStream out, final byte[] frame) throws IOException
    {
        final byte[] length = ByteBuffer.allocate(4).putInt(frame.length).array();
        out.write(length);
        out.write(frame);
        out.flush();
    }

    /**
     * Sends one request on a new connection and parses its response.
     *
     * @param timeoutMs connect and read timeout.
     * @return the response.
     * @throws IOException on a timeout, a closed connection or an unparseable answer.
     */
    public static AbstractResponse roundTrip(final InetSocketAddress address, final int timeoutMs, final ApiKeys api,
        final short version, final ApiMessage body) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            final int correlationId = 7;
            writeFrame(socket.getOutputStream(), encode(api, version, correlationId, "health-check", body));
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final int length = in.readInt();
            if (length <= 0 || length > 64 * 1024 * 1024)
            {
                throw new IOException("response length " + length);
            }
            final byte[] bytes = new byte[length];
            in.readFully(bytes);
            final RequestHeader header = new RequestHeader(api, version, "health-check", correlationId);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(bytes), header);
        }
    }
}
