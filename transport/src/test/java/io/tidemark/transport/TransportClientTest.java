package io.tidemark.transport;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class TransportClientTest
{
    private TransportClient client;

    @AfterEach
    void tearDown()
    {
        if (null != client)
        {
            client.close();
        }
    }

    @Test
    void shouldMatchResponsesByCorrelationIdWhenPeerAnswersOutOfOrder() throws Exception
    {
        client = TransportClient.start(TransportConfig.defaults());
        try (RawRpcPeer peer = new RawRpcPeer())
        {
            final CompletableFuture<ClientConnection> connect = client.connect(peer.address());
            peer.accept();
            final ClientConnection connection = connect.get(10, TimeUnit.SECONDS);
            final List<CompletableFuture<RpcResponse>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                futures.add(connection.request(10 + i, i, Send.of(ByteBuffer.wrap(new byte[]{ (byte)i }))));
            }
            final List<RawRpcPeer.Request> requests = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final RawRpcPeer.Request r = peer.readRequest();
                assertEquals(10 + i, r.apiKey());
                assertEquals(i, r.apiVersion());
                assertEquals(i, r.body()[0]);
                requests.add(r);
            }

            for (int i = 2; i >= 0; i--)
            {
                peer.respond(requests.get(i).correlationId(), i, new byte[]{ (byte)(100 + i) });
            }

            for (int i = 0; i < 3; i++)
            {
                final RpcResponse response = futures.get(i).get(10, TimeUnit.SECONDS);
                assertEquals(requests.get(i).correlationId(), response.correlationId());
                assertEquals(i, response.errorCode());
                assertEquals(100 + i, response.body().get(response.body().position()));
                assertEquals(1, response.body().remaining());
            }
            assertEquals(0, connection.pendingRequests());
        }
    }

    @Test
    void shouldFailRequestAfterTimeoutAndDiscardTheLateResponse() throws Exception
    {
        client = TransportClient.start(TransportConfig.builder().requestTimeoutMs(200).build());
        try (RawRpcPeer peer = new RawRpcPeer())
        {
            final CompletableFuture<ClientConnection> connect = client.connect(peer.address());
            peer.accept();
            final ClientConnection connection = connect.get(10, TimeUnit.SECONDS);

            final long startNs = System.nanoTime();
            final TransportException ex = assertThrows(TransportException.class,
                () -> connection.requestBlocking(1, 0, Send.of(ByteBuffer.allocate(4))));
            final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

            assertEquals(TransportException.Code.REQUEST_TIMEOUT, ex.code());
            assertTrue(elapsedMs >= 190, "timed out after " + elapsedMs + " ms");
            assertTrue(ex.getCause().getMessage().contains("within 200 ms"), ex.getCause().getMessage());
            assertEquals(1, client.counters().get(Counter.REQUEST_TIMEOUTS));

            final RawRpcPeer.Request late = peer.readRequest();
            peer.respond(late.correlationId(), 0, new byte[0]);
            awaitTrue("late response discarded", () -> client.counters().get(Counter.UNMATCHED_RESPONSES) == 1);

            final CompletableFuture<RpcResponse> next = connection.request(2, 0, Send.of(ByteBuffer.allocate(1)));
            final RawRpcPeer.Request r = peer.readRequest();
            peer.respond(r.correlationId(), 0, new byte[]{ 5 });
            assertEquals(5, next.get(10, TimeUnit.SECONDS).body().get(RpcResponseHeaderEncoder.ENCODED_LENGTH));
        }
    }

    @Test
    void shouldFailAllPendingRequestsWhenPeerDisconnects() throws Exception
    {
        client = TransportClient.start(TransportConfig.defaults());
        try (RawRpcPeer peer = new RawRpcPeer())
        {
            final CompletableFuture<ClientConnection> connect = client.connect(peer.address());
            peer.accept();
            final ClientConnection connection = connect.get(10, TimeUnit.SECONDS);
            final CompletableFuture<RpcResponse> a = connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));
            final CompletableFuture<RpcResponse> b = connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));
            peer.readRequest();
            peer.readRequest();

            peer.closeConnection();

            assertClosed(a);
            assertClosed(b);
            awaitTrue("connection closed", () -> !connection.isOpen());
            final TransportException ex = assertThrows(TransportException.class,
                () -> connection.requestBlocking(1, 0, Send.of(ByteBuffer.allocate(1))));
            assertEquals(TransportException.Code.CONNECTION_CLOSED, ex.code());
        }
    }

    @Test
    void shouldFailRequestsBeyondMaxInFlight() throws Exception
    {
        client = TransportClient.start(TransportConfig.builder().maxInFlightRequestsPerConnection(2).build());
        try (RawRpcPeer peer = new RawRpcPeer())
        {
            final CompletableFuture<ClientConnection> connect = client.connect(peer.address());
            peer.accept();
            final ClientConnection connection = connect.get(10, TimeUnit.SECONDS);
            connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));
            connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));

            final CompletableFuture<RpcResponse> third = connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));

            final ExecutionException ex = assertThrows(ExecutionException.class, () -> third.get(10, TimeUnit.SECONDS));
            assertEquals(TransportException.Code.TOO_MANY_IN_FLIGHT, ((TransportException)ex.getCause()).code());
            assertEquals(2, connection.pendingRequests());
        }
    }

    @Test
    void shouldRefuseOneWaySendsOnceMoreThanMaxQueuedSendBytesAreQueued() throws Exception
    {
        client = TransportClient.start(TransportConfig.builder()
            .maxQueuedSendBytes(1024 * 1024).socketSendBufferBytes(64 * 1024).build());
        try (RawRpcPeer peer = new RawRpcPeer())
        {
            final CompletableFuture<ClientConnection> connect = client.connect(peer.address());
            peer.accept(); // and never reads
            final ClientConnection connection = connect.get(10, TimeUnit.SECONDS);
            final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            final int sends = 40;
            final java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < sends; i++)
            {
                connection.sendOneWay(1, 0, Send.builder().add(ByteBuffer.allocate(512 * 1024)).onComplete((s, e) ->
                {
                    if (null != e)
                    {
                        failures.add(e);
                    }
                    done.incrementAndGet();
                }).build());
            }

            awaitTrue("some sends refused", () -> !failures.isEmpty());
            assertEquals(TransportException.Code.SEND_QUEUE_FULL, ((TransportException)failures.get(0)).code());
            assertTrue(failures.get(0).getMessage().contains("maxQueuedSendBytes=1048576"), failures.get(0).getMessage());
            client.close();
            awaitTrue("every completion ran once", () -> done.get() == sends);
        }
    }

    @Test
    void shouldFailConnectToAClosedPort() throws Exception
    {
        client = TransportClient.start(TransportConfig.defaults());
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = probe.getLocalPort();
        }

        final TransportException ex = assertThrows(TransportException.class,
            () -> client.connectBlocking(new InetSocketAddress("127.0.0.1", port)));

        assertEquals(TransportException.Code.CONNECT_FAILED, ex.code());
        assertEquals(1, client.counters().get(Counter.CONNECT_FAILURES));
        awaitTrue("no connection left", () -> client.openConnections() == 0);
    }

    @Test
    void shouldTimeOutConnectsThePeerNeverCompletes() throws Exception
    {
        client = TransportClient.start(TransportConfig.builder().connectTimeoutMs(300).build());
        try (ServerSocketChannel listener = ServerSocketChannel.open())
        {
            // Backlog 1 and never accepting: once the accept queue is full the kernel drops further SYNs, so
            // those handshakes never complete.
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            final InetSocketAddress address = (InetSocketAddress)listener.getLocalAddress();
            final List<CompletableFuture<ClientConnection>> connects = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                connects.add(client.connect(address));
            }

            int timedOut = 0;
            for (final CompletableFuture<ClientConnection> connect : connects)
            {
                try
                {
                    connect.get(10, TimeUnit.SECONDS);
                }
                catch (final ExecutionException ex)
                {
                    assertInstanceOf(TransportException.class, ex.getCause());
                    assertEquals(TransportException.Code.CONNECT_TIMEOUT, ((TransportException)ex.getCause()).code());
                    timedOut++;
                }
            }
            assertTrue(timedOut >= 1, "timed out: " + timedOut);
            assertEquals(timedOut, client.counters().get(Counter.CONNECT_FAILURES));
        }
    }

    @Test
    void shouldFailPendingRequestsWhenClientCloses() throws Exception
    {
        client = TransportClient.start(TransportConfig.defaults());
        try (RawRpcPeer peer = new RawRpcPeer())
        {
            final CompletableFuture<ClientConnection> connect = client.connect(peer.address());
            peer.accept();
            final ClientConnection connection = connect.get(10, TimeUnit.SECONDS);
            final CompletableFuture<RpcResponse> pending = connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));
            peer.readRequest();

            client.close();

            assertClosed(pending);
            final CompletableFuture<RpcResponse> afterClose = connection.request(1, 0, Send.of(ByteBuffer.allocate(1)));
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> afterClose.get(10, TimeUnit.SECONDS));
            assertEquals(TransportException.Code.TRANSPORT_CLOSED, ((TransportException)ex.getCause()).code());
        }
    }

    private static void assertClosed(final CompletableFuture<RpcResponse> future)
    {
        final ExecutionException ex = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TransportException.class, ex.getCause());
        assertEquals(TransportException.Code.CONNECTION_CLOSED, ((TransportException)ex.getCause()).code());
    }
}
