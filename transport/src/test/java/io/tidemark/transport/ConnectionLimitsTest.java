package io.tidemark.transport;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding 1 of issue 12: per-address connection limits (Kafka's {@code max.connections.per.ip} and its
 * overrides), and no per-connection residue once connections close.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class ConnectionLimitsTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final RecordingHandler handler = RecordingHandler.echo();
    private TransportServer server;

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldCloseConnectionsFromOneAddressBeyondItsLimitAndKeepServingTheOthers() throws Exception
    {
        server = TransportServer.start(TransportConfig.builder().maxConnectionsPerIp(2).build(), Loopback.ephemeral(), handler);
        try (RawClient first = new RawClient(server.port()); RawClient second = new RawClient(server.port()))
        {
            awaitTrue("two open", () -> server.connectionsFrom(LOOPBACK) == 2);

            try (RawClient third = new RawClient(server.port()))
            {
                assertTrue(third.awaitClosedByPeer(), "third connection from 127.0.0.1 left open");
            }

            assertEquals(1, server.counters().get(Counter.CONNECTIONS_REJECTED_PER_IP));
            assertEquals(2, handler.opened.size(), "the rejected connection never reached the handler");
            assertEcho(first, "first");
            assertEcho(second, "second");
        }
        awaitTrue("closed ones counted out", () -> server.trackedAddresses() == 0);
        try (RawClient again = new RawClient(server.port()))
        {
            assertEcho(again, "a slot freed by a close is reused");
        }
    }

    @Test
    void shouldApplyAnOverrideInsteadOfTheDefaultLimitForItsAddress() throws Exception
    {
        server = TransportServer.start(
            TransportConfig.builder().maxConnectionsPerIp(0).maxConnectionsPerIpOverrides(Map.of(LOOPBACK, 3)).build(),
            Loopback.ephemeral(), handler);
        final List<RawClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                clients.add(new RawClient(server.port()));
            }
            awaitTrue("three open under the override", () -> server.connectionsFrom(LOOPBACK) == 3);
            try (RawClient fourth = new RawClient(server.port()))
            {
                assertTrue(fourth.awaitClosedByPeer(), "fourth connection beyond the override left open");
            }
            for (final RawClient c : clients)
            {
                assertEcho(c, "within the override");
            }
        }
        finally
        {
            for (final RawClient c : clients)
            {
                c.close();
            }
        }
    }

    @Test
    void shouldLeaveNoPerConnectionStateWhenManyConnectionsOpenAndClose() throws Exception
    {
        final int frameBytes = 1024 * 1024;
        server = TransportServer.start(
            TransportConfig.builder().selectorThreads(2).maxFrameBytes(frameBytes).maxQueuedRequestBytes(frameBytes).build(),
            Loopback.ephemeral(), handler);
        for (int i = 0; i < 300; i++)
        {
            try (RawClient c = new RawClient(server.port()))
            {
                switch (i % 3)
                {
                    case 0 -> assertEcho(c, "served " + i);
                    case 1 -> c.writeInt(frameBytes).writeBytes(new byte[100_000]); // closed mid-frame
                    default -> c.writeBytes(new byte[]{ 0, 0 }); // closed mid-length
                }
            }
        }
        try (RawClient big = new RawClient(server.port()))
        {
            final byte[] body = new byte[frameBytes];
            body[frameBytes - 1] = 7;
            big.writeFrame(body);
            assertArrayEquals(body, big.readFrame());
        }

        awaitTrue("every connection closed", () -> server.openConnections() == 0);
        awaitTrue("no address tracked", () -> server.trackedAddresses() == 0);
        awaitTrue("the whole budget back", () -> server.availableRequestBytes() == frameBytes);
        assertEquals(301, handler.closed.size());
    }

    private static void assertEcho(final RawClient client, final String text) throws Exception
    {
        client.writeFrame(RawClient.bytes(text));
        assertEquals(text, RawClient.string(client.readFrame()));
    }
}
