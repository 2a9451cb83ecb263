package io.tidemark.transport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class ConnectionsTest
{
    private static final int ECHO = 1;

    private TransportServer server;
    private TransportClient client;

    @AfterEach
    void tearDown()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldServeTwoHundredConcurrentClientsOnTwoSelectorThreads() throws Exception
    {
        final RpcServer rpc = RpcServer.builder()
            .register(ECHO, 0, 0, request -> request.respond(Send.of(request.body())))
            .build();
        server = TransportServer.start(TransportConfig.builder().selectorThreads(2).build(), Loopback.ephemeral(), rpc);
        client = TransportClient.start(TransportConfig.builder().maxInFlightRequestsPerConnection(32).build());

        final int connections = 200;
        final int requestsPerConnection = 20;
        final List<CompletableFuture<ClientConnection>> connects = new ArrayList<>();
        for (int c = 0; c < connections; c++)
        {
            connects.add(client.connect(Loopback.address(server)));
        }
        final List<ClientConnection> opened = new ArrayList<>();
        for (final CompletableFuture<ClientConnection> f : connects)
        {
            opened.add(f.get(10, TimeUnit.SECONDS));
        }
        awaitTrue("all accepted", () -> server.openConnections() == connections);

        final List<CompletableFuture<RpcResponse>> responses = new ArrayList<>();
        for (int r = 0; r < requestsPerConnection; r++)
        {
            for (int c = 0; c < connections; c++)
            {
                final ByteBuffer body = ByteBuffer.allocate(8).putInt(0, c).putInt(4, r);
                responses.add(opened.get(c).request(ECHO, 0, Send.of(body)));
            }
        }
        int i = 0;
        for (int r = 0; r < requestsPerConnection; r++)
        {
            for (int c = 0; c < connections; c++)
            {
                final RpcResponse response = responses.get(i++).get(10, TimeUnit.SECONDS);
                assertEquals(0, response.errorCode());
                assertEquals(c, response.body().getInt(response.body().position()));
                assertEquals(r, response.body().getInt(response.body().position() + 4));
            }
        }
        assertEquals(connections * requestsPerConnection, server.counters().get(Counter.FRAMES_RECEIVED));
        assertEquals(connections, server.counters().get(Counter.CONNECTIONS_OPENED));

        for (final ClientConnection connection : opened)
        {
            connection.close();
        }
        awaitTrue("all closed on the server", () -> server.openConnections() == 0);
        assertEquals(0, server.counters().activeConnections());
    }

    @Test
    void shouldCloseConnectionsBeyondMaxConnectionsAndAcceptAgainAfterOneCloses() throws Exception
    {
        final RecordingHandler handler = RecordingHandler.echo();
        server = TransportServer.start(TransportConfig.builder().maxConnections(3).build(), Loopback.ephemeral(), handler);
        final List<RawClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                final RawClient c = new RawClient(server.port());
                clients.add(c);
                c.writeFrame(new byte[]{ (byte)i });
                assertArrayEquals(new byte[]{ (byte)i }, c.readFrame());
            }

            try (RawClient rejected = new RawClient(server.port()))
            {
                assertTrue(rejected.awaitClosedByPeer());
            }
            assertEquals(1, server.counters().get(Counter.CONNECTIONS_REJECTED));
            assertEquals(3, server.openConnections());

            clients.remove(0).close();
            awaitTrue("slot freed", () -> server.openConnections() == 2);
            try (RawClient again = new RawClient(server.port()))
            {
                again.writeFrame(new byte[]{ 9 });
                assertArrayEquals(new byte[]{ 9 }, again.readFrame());
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
    void shouldExposeBoundEphemeralPortAndCloseIdempotently()
    {
        server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), RecordingHandler.echo());

        assertTrue(server.port() > 0);
        assertEquals(server.port(), server.localAddress().getPort());
        server.close();
        server.close();
    }
}
