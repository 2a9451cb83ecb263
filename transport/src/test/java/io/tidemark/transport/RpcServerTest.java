package io.tidemark.transport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class RpcServerTest
{
    private static final int ECHO = 3;
    private static final int PARKED = 4;
    private static final int FAILING = 5;
    private static final int ONE_WAY = 6;

    private final List<RpcRequest> parked = new CopyOnWriteArrayList<>();
    private final List<Integer> oneWay = new CopyOnWriteArrayList<>();
    private TransportServer server;
    private TransportClient client;
    private ClientConnection connection;

    private void start()
    {
        final RpcServer rpc = RpcServer.builder()
            .register(ECHO, 1, 2, request -> request.respond(Send.of(request.body())))
            .register(PARKED, 0, 0, parked::add)
            .register(ONE_WAY, 0, 0, request ->
            {
                oneWay.add(request.body().getInt(RpcRequestHeaderEncoder.ENCODED_LENGTH));
                request.noResponse();
            })
            .register(FAILING, 0, 0, request ->
            {
                throw new IllegalStateException("handler bug");
            })
            .build();
        server = TransportServer.start(
            TransportConfig.builder().maxInFlightRequestsPerConnection(64).build(), Loopback.ephemeral(), rpc);
        client = TransportClient.start(TransportConfig.builder().maxInFlightRequestsPerConnection(64).build());
        connection = client.connectBlocking(Loopback.address(server));
    }

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
    void shouldRoundTripRequestBodyThroughTheDispatcher()
    {
        start();

        final RpcResponse response = connection.requestBlocking(ECHO, 2, Send.of(ByteBuffer.wrap(RawClient.bytes("ping"))));

        assertEquals(RpcError.NONE.code(), response.errorCode());
        final byte[] body = new byte[response.body().remaining()];
        response.body().get(body);
        assertEquals("ping", RawClient.string(body));
    }

    @Test
    void shouldAnswerUnknownApiKeyWithAnErrorNotADrop()
    {
        start();

        final RpcResponse response = connection.requestBlocking(999, 0, Send.of(ByteBuffer.allocate(3)));

        assertEquals(RpcError.UNSUPPORTED_API_KEY.code(), response.errorCode());
        assertEquals(0, response.body().remaining());
        assertEquals(RpcError.NONE.code(), connection.requestBlocking(ECHO, 1, Send.of(ByteBuffer.allocate(1))).errorCode());
    }

    @Test
    void shouldAnswerVersionOutsideTheRegisteredRangeWithUnsupportedVersion()
    {
        start();

        assertEquals(RpcError.UNSUPPORTED_VERSION.code(),
            connection.requestBlocking(ECHO, 0, Send.of(ByteBuffer.allocate(1))).errorCode());
        assertEquals(RpcError.UNSUPPORTED_VERSION.code(),
            connection.requestBlocking(ECHO, 3, Send.of(ByteBuffer.allocate(1))).errorCode());
    }

    @Test
    void shouldAnswerUnknownServerErrorWhenTheHandlerThrowsAndKeepTheConnection()
    {
        start();

        assertEquals(RpcError.UNKNOWN_SERVER_ERROR.code(),
            connection.requestBlocking(FAILING, 0, Send.of(ByteBuffer.allocate(1))).errorCode());
        assertTrue(connection.isOpen());
        assertEquals(RpcError.NONE.code(), connection.requestBlocking(ECHO, 1, Send.of(ByteBuffer.allocate(1))).errorCode());
    }

    @Test
    void shouldAnswerFrameShorterThanTheHeaderWithInvalidRequest() throws Exception
    {
        start();
        try (RawClient raw = new RawClient(server.port()))
        {
            raw.writeFrame(ByteBuffer.allocate(6).putInt(77).putShort((short)ECHO).array());

            final ByteBuffer response = ByteBuffer.wrap(raw.readFrame());

            assertEquals(RpcResponseHeaderEncoder.ENCODED_LENGTH, response.limit());
            assertEquals(77, response.getInt(0));
            assertEquals(RpcError.INVALID_REQUEST.code(), response.getShort(4));
        }
    }

    @Test
    void shouldCloseConnectionWhenFrameCannotCarryACorrelationId() throws Exception
    {
        start();
        try (RawClient raw = new RawClient(server.port()))
        {
            raw.writeFrame(new byte[]{ 1, 2 });

            assertTrue(raw.awaitClosedByPeer());
        }
    }

    @Test
    void shouldDeliverAsynchronousOutOfOrderCompletionsToTheRightCallers() throws Exception
    {
        start();
        final int n = 50;
        final List<CompletableFuture<RpcResponse>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            futures.add(connection.request(PARKED, 0, Send.of(ByteBuffer.allocate(4).putInt(0, i))));
        }
        awaitTrue("all parked", () -> parked.size() == n);

        final Thread responder = new Thread(() ->
        {
            for (int i = n - 1; i >= 0; i--)
            {
                final RpcRequest request = parked.get(i);
                final int value = request.body().getInt(RpcRequestHeaderEncoder.ENCODED_LENGTH);
                request.respond(i % 7, Send.of(ByteBuffer.allocate(4).putInt(0, value * 10)));
            }
        }, "responder");
        responder.start();
        responder.join();

        for (int i = 0; i < n; i++)
        {
            final RpcResponse response = futures.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(i % 7, response.errorCode());
            assertEquals(i * 10, response.body().getInt(response.body().position()));
        }
    }

    @Test
    void shouldDeliverOneWayRequestsInOrderWithoutResponses() throws Exception
    {
        start();
        final List<Throwable> completions = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            connection.sendOneWay(ONE_WAY, 0, Send.builder().add(ByteBuffer.allocate(4).putInt(0, i))
                .onComplete((s, e) -> completions.add(null == e ? new FileRegionSendTest.Done() : e)).build());
        }

        final RpcResponse after = connection.requestBlocking(ECHO, 1, Send.of(ByteBuffer.allocate(1)));

        assertEquals(RpcError.NONE.code(), after.errorCode());
        assertEquals(List.of(0, 1, 2), oneWay);
        awaitTrue("completions", () -> completions.size() == 3);
        for (final Throwable t : completions)
        {
            assertTrue(t instanceof FileRegionSendTest.Done, String.valueOf(t));
        }
        assertEquals(0, client.counters().get(Counter.UNMATCHED_RESPONSES));
    }

    @Test
    void shouldRejectInvalidRegistrations()
    {
        assertThrows(IllegalArgumentException.class, () -> RpcServer.builder().register(-1, 0, 0, r -> { }));
        assertThrows(IllegalArgumentException.class,
            () -> RpcServer.builder().register(RpcServer.MAX_API_KEY + 1, 0, 0, r -> { }));
        assertThrows(IllegalArgumentException.class, () -> RpcServer.builder().register(1, 2, 1, r -> { }));
        assertThrows(IllegalArgumentException.class,
            () -> RpcServer.builder().register(1, 0, 0, r -> { }).register(1, 0, 0, r -> { }));
    }

    @Test
    void shouldCarryRpcHeaderOnTheWireAsDocumented() throws Exception
    {
        start();
        try (RawClient raw = new RawClient(server.port()))
        {
            raw.writeFrame(ByteBuffer.allocate(10).putInt(0x01020304).putShort((short)ECHO).putShort((short)1)
                .put((byte)'h').put((byte)'i').array());

            assertArrayEquals(new byte[]{ 1, 2, 3, 4, 0, 0, 'h', 'i' }, raw.readFrame());
        }
    }
}
