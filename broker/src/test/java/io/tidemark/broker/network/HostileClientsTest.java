package io.tidemark.broker.network;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;

import io.tidemark.broker.Broker;
import io.tidemark.broker.RawKafkaClient;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding 1 of issue 12 on the Kafka listener: a client that declares the largest request and holds the socket,
 * or opens more connections than its address may, does not stop the broker answering everyone else.
 * {@code queued.max.request.bytes} equals {@code socket.request.max.bytes} here, as in the defaults.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class HostileClientsTest
{
    private static final int REQUEST_MAX_BYTES = 8 * 1024 * 1024;

    @TempDir
    Path dir;

    private Broker broker;

    @AfterEach
    void stop()
    {
        if (null != broker)
        {
            broker.close();
        }
    }

    private void start(final Map<String, String> extra)
    {
        final Map<String, String> props = new java.util.HashMap<>(Map.of(
            "socket.request.max.bytes", String.valueOf(REQUEST_MAX_BYTES),
            "queued.max.request.bytes", String.valueOf(REQUEST_MAX_BYTES)));
        props.putAll(extra);
        broker = Broker.start(TestBrokers.config(dir, props));
    }

    @Test
    void shouldAnswerApiVersionsAndMetadataWhileAClientHoldsAMaxSizeRequestHeader() throws Exception
    {
        start(Map.of());
        try (Socket holder = new Socket(); RawKafkaClient alreadyConnected = new RawKafkaClient(broker.port()))
        {
            holder.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
            final DataOutputStream out = new DataOutputStream(holder.getOutputStream());
            out.writeInt(REQUEST_MAX_BYTES);
            out.write(new byte[]{ 0, 18, 0, 3 }); // the start of an ApiVersions v3 header, then silence
            out.flush();

            assertServed(alreadyConnected);
            try (RawKafkaClient newcomer = new RawKafkaClient(broker.port()))
            {
                assertServed(newcomer);
            }
        }
    }

    @Test
    void shouldAnswerOthersWhileTwoClientsHoldHalfSizeRequests() throws Exception
    {
        start(Map.of());
        try (Socket a = new Socket(); Socket b = new Socket())
        {
            for (final Socket s : new Socket[]{ a, b })
            {
                s.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
                final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(REQUEST_MAX_BYTES / 2);
                out.write(new byte[64 * 1024]);
                out.flush();
            }
            try (RawKafkaClient newcomer = new RawKafkaClient(broker.port()))
            {
                assertServed(newcomer);
            }
        }
    }

    @Test
    void shouldCloseConnectionsBeyondMaxConnectionsPerIpAndServeTheOthers() throws Exception
    {
        start(Map.of("max.connections.per.ip", "2"));
        try (RawKafkaClient first = new RawKafkaClient(broker.port()); RawKafkaClient second = new RawKafkaClient(broker.port()))
        {
            assertServed(first);
            try (RawKafkaClient third = new RawKafkaClient(broker.port()))
            {
                assertTrue(third.closedByPeer(10_000), "a third connection from 127.0.0.1 is closed");
            }
            assertServed(second);
        }
    }

    @Test
    void shouldCloseAClientWhoseRequestDoesNotArriveWithinTheReadTimeout() throws Exception
    {
        start(Map.of("socket.request.read.timeout.ms", "200"));
        try (RawKafkaClient slow = new RawKafkaClient(broker.port()); RawKafkaClient good = new RawKafkaClient(broker.port()))
        {
            slow.sendRaw(new byte[]{ 0, 0, 1, 0, 0 }); // one byte of a 256-byte request, then silence

            assertTrue(slow.closedByPeer(10_000), "the slow sender is closed (the idle timeout alone would wait 600 s)");
            assertServed(good);
        }
    }

    private static void assertServed(final RawKafkaClient client) throws IOException
    {
        final ApiVersionsResponseData versions = (ApiVersionsResponseData)client.call(ApiKeys.API_VERSIONS, (short)3,
            new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
        assertEquals(Errors.NONE.code(), versions.errorCode());
        final MetadataResponseData metadata = (MetadataResponseData)client.call(ApiKeys.METADATA, (short)12,
            new MetadataRequestData().setTopics(null));
        assertEquals(1, metadata.brokers().size());
    }
}
