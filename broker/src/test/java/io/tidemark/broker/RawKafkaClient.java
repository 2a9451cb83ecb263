package io.tidemark.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * A blocking Kafka-protocol client over a plain socket, for tests that need exact control of the bytes:
 * raw frames, bad headers, hand-built batches, re-sent duplicates.
 */
public final class RawKafkaClient implements AutoCloseable
{
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    /**
     * @param port broker port on 127.0.0.1.
     * @throws IOException if it cannot connect.
     */
    public RawKafkaClient(final int port) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(15_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /**
     * A parsed response.
     *
     * @param correlationId its correlation id.
     * @param body          the body.
     */
    public record Reply(int correlationId, ApiMessage body)
    {
    }

    /**
     * @param api     the API.
     * @param version the version.
     * @param body    the request body.
     * @return the correlation id used.
     * @throws IOException on a socket error.
     */
    public int send(final ApiKeys api, final short version, final ApiMessage body) throws IOException
    {
        final int corr = ++correlationId;
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData().setRequestApiKey(api.id)
            .setRequestApiVersion(version).setCorrelationId(corr).setClientId("raw-test"), api.requestHeaderVersion(version)).buffer();
        final ByteBuffer payload = MessageUtil.toByteBufferAccessor(body, version).buffer();
        out.writeInt(header.remaining() + payload.remaining());
        out.write(header.array(), header.arrayOffset() + header.position(), header.remaining());
        out.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
        out.flush();
        return corr;
    }

    /**
     * @param bytes raw bytes to write as they are.
     * @throws IOException on a socket error.
     */
    public void sendRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * @param api     the API of the request answered.
     * @param version its version.
     * @return the response.
     * @throws IOException on a socket error or close.
     */
    public Reply receive(final ApiKeys api, final short version) throws IOException
    {
        final int size = in.readInt();
        final byte[] bytes = new byte[size];
        in.readFully(bytes);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(bytes));
        final ResponseHeaderData header = new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        final ApiMessage body = api.messageType.newResponse();
        body.read(accessor, version);
        return new Reply(header.correlationId(), body);
    }

    /**
     * @param api     the API.
     * @param version the version.
     * @param body    the request.
     * @return the response body.
     * @throws IOException on a socket error.
     */
    public ApiMessage call(final ApiKeys api, final short version, final ApiMessage body) throws IOException
    {
        final int corr = send(api, version, body);
        final Reply r = receive(api, version);
        if (r.correlationId() != corr)
        {
            throw new IOException("correlation id " + r.correlationId() + ", expected " + corr);
        }
        return r.body();
    }

    /**
     * @param timeoutMs how long to wait.
     * @return true if the broker closed the connection (end of stream or reset) within the time.
     * @throws IOException on other errors.
     */
    public boolean closedByPeer(final int timeoutMs) throws IOException
    {
        socket.setSoTimeout(timeoutMs);
        try
        {
            return in.read() < 0;
        }
        catch (final EOFException | java.net.SocketException ex)
        {
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        finally
        {
            socket.setSoTimeout(15_000);
        }
    }

    /**
     * @param topic     topic name.
     * @param partition partition.
     * @param records   the records.
     * @param acks      acks.
     * @return a produce request body.
     */
    public static ProduceRequestData produce(final String topic, final int partition, final MemoryRecords records, final short acks)
    {
        final ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        final ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records));
        data.topicData().add(td);
        return data;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
