package io.tidemark.transport;

import java.util.concurrent.atomic.AtomicReference;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class LifecycleTest
{
    @Test
    void shouldCloseConnectionsOnShutdownAndFailLaterResponses() throws Exception
    {
        final RecordingHandler handler = RecordingHandler.silent();
        final TransportServer server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("pending"));
            awaitTrue("delivered", () -> handler.frames.size() == 1);

            server.close();

            assertTrue(handler.closedWith(CloseReason.SHUTDOWN));
            assertTrue(client.awaitClosedByPeer());
            final boolean queued = handler.frames.get(0).respond(Send.builder().add(new byte[1])
                .onComplete((s, e) -> failure.set(e)).build());
            assertFalse(queued);
            assertInstanceOf(TransportException.class, failure.get());
            assertEquals(server.config().maxQueuedRequestBytes(), server.availableRequestBytes());
        }
    }

    @Test
    void shouldCloseFromTheHandlerWithLocalCloseAndKeepAttachments() throws Exception
    {
        final RecordingHandler handler = RecordingHandler.silent();
        try (TransportServer server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
            RawClient client = new RawClient(server.port()))
        {
            awaitTrue("opened", () -> handler.opened.size() == 1);
            final Connection connection = handler.opened.get(0);
            final Object session = new Object();
            connection.attach(session);
            assertSame(session, connection.attachment());
            assertEquals(client.socket.getLocalPort(), connection.remoteAddress().getPort());

            connection.close();
            connection.close();

            assertTrue(client.awaitClosedByPeer());
            awaitTrue("closed", () -> handler.closedWith(CloseReason.LOCAL_CLOSE));
            assertEquals(1, handler.closed.size());
            assertFalse(connection.isOpen());
        }
    }

    @Test
    void shouldCloseConnectionWhenTheHandlerThrows() throws Exception
    {
        final FrameHandler throwing = (connection, frame) ->
        {
            throw new IllegalStateException("bug");
        };
        try (TransportServer server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), throwing);
            RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(new byte[1]);

            assertTrue(client.awaitClosedByPeer());
            awaitTrue("counted", () -> server.counters().get(Counter.HANDLER_ERRORS) == 1);
            awaitTrue("budget returned", () -> server.availableRequestBytes() == server.config().maxQueuedRequestBytes());
        }
    }

    @Test
    void shouldRefuseToCloseFromItsOwnSelectorThread() throws Exception
    {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicReference<TransportServer> self = new AtomicReference<>();
        final FrameHandler closing = (connection, frame) ->
        {
            try
            {
                self.get().close();
            }
            catch (final IllegalStateException ex)
            {
                thrown.set(ex);
            }
            frame.noResponse();
        };
        try (TransportServer server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), closing);
            RawClient client = new RawClient(server.port()))
        {
            self.set(server);
            client.writeFrame(new byte[1]);

            awaitTrue("refused", () -> thrown.get() != null);
            assertTrue(thrown.get().getMessage().contains("own selector thread"));
        }
    }

    @Test
    void shouldCountBytesAndFramesBothWays() throws Exception
    {
        try (TransportServer server = TransportServer.start(
            TransportConfig.defaults(), Loopback.ephemeral(), RecordingHandler.echo());
            RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(new byte[10]);
            client.readFrame();

            awaitTrue("counted", () -> server.counters().get(Counter.FRAMES_SENT) == 1);
            assertEquals(14, server.counters().get(Counter.BYTES_RECEIVED));
            assertEquals(14, server.counters().get(Counter.BYTES_SENT));
            assertEquals(1, server.counters().get(Counter.FRAMES_RECEIVED));
            assertTrue(server.counters().toString().contains("FRAMES_SENT=1"));
        }
    }
}
