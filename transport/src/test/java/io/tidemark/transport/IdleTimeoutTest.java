package io.tidemark.transport;

import java.nio.ByteBuffer;
import java.time.Duration;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.assertStaysFalse;
import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle timeouts on an injected clock: only the test moves time.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class IdleTimeoutTest
{
    private final ManualNanoClock clock = new ManualNanoClock();
    private final RecordingHandler handler = RecordingHandler.silent();
    private TransportServer server;

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void start()
    {
        server = TransportServer.start(
            TransportConfig.builder().connectionsMaxIdleMs(1_000).nanoClock(clock).build(), Loopback.ephemeral(), handler);
    }

    @Test
    void shouldCloseOnlyOnceTheClockPassesTheIdleTimeout() throws Exception
    {
        start();
        try (RawClient client = new RawClient(server.port()))
        {
            awaitTrue("opened", () -> handler.opened.size() == 1);

            clock.advanceMs(999);
            assertStaysFalse("closed before the timeout", Duration.ofMillis(100), () -> !handler.closed.isEmpty());

            clock.advanceMs(100); // past the timeout by one tick (100 ms here): timeouts fire within a tick
            awaitTrue("closed by idle timeout", () -> handler.closedWith(CloseReason.IDLE_TIMEOUT));
            assertTrue(client.awaitClosedByPeer());
        }
    }

    @Test
    void shouldNotCloseWhileARequestIsInFlight() throws Exception
    {
        start();
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("long poll"));
            awaitTrue("delivered", () -> handler.frames.size() == 1);

            clock.advanceMs(60_000);
            assertStaysFalse("closed with a request in flight", Duration.ofMillis(100), () -> !handler.closed.isEmpty());

            handler.frames.get(0).respond(Send.of(ByteBuffer.wrap(RawClient.bytes("data"))));
            assertEquals("data", RawClient.string(client.readFrame()));
            clock.advanceMs(1_001);
            awaitTrue("closed once idle", () -> handler.closedWith(CloseReason.IDLE_TIMEOUT));
        }
    }

    @Test
    void shouldRestartTheIdleClockOnTraffic() throws Exception
    {
        start();
        try (RawClient client = new RawClient(server.port()))
        {
            awaitTrue("opened", () -> handler.opened.size() == 1);
            clock.advanceMs(800);
            client.writeInt(1);
            awaitTrue("partial frame read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 4);

            clock.advanceMs(800);
            assertStaysFalse("closed although traffic came 800 ms ago", Duration.ofMillis(100),
                () -> !handler.closed.isEmpty());

            clock.advanceMs(201);
            awaitTrue("closed once idle", () -> handler.closedWith(CloseReason.IDLE_TIMEOUT));
        }
    }
}
