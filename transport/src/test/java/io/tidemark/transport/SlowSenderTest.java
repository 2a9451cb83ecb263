package io.tidemark.transport;

import java.time.Duration;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.assertServesGoodClient;
import static io.tidemark.transport.Loopback.assertStaysFalse;
import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding 1 of issue 12: a byte every few seconds kept a partial frame (and its memory) alive for as long as the
 * idle timeout allowed. The read deadline runs on an injected clock: only the test moves time.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class SlowSenderTest
{
    private static final long FRAME_READ_TIMEOUT_MS = 1_000;

    private final ManualNanoClock clock = new ManualNanoClock();
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

    private void start()
    {
        server = TransportServer.start(
            TransportConfig.builder()
                .maxFrameBytes(64 * 1024)
                .frameReadTimeoutMs(FRAME_READ_TIMEOUT_MS)
                .connectionsMaxIdleMs(600_000)
                .nanoClock(clock)
                .build(),
            Loopback.ephemeral(), handler);
    }

    @Test
    void shouldCloseASenderThatDribblesAFrameWhenTheReadDeadlinePasses() throws Exception
    {
        start();
        try (RawClient slow = new RawClient(server.port()))
        {
            slow.writeInt(1000).writeBytes(new byte[1]);
            awaitTrue("first bytes read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 5);
            for (int i = 2; i <= 4; i++)
            {
                clock.advanceMs(300); // far inside the idle timeout: traffic keeps the connection from idling
                slow.writeBytes(new byte[1]);
                final long expected = 4 + i;
                awaitTrue("byte " + i + " read", () -> server.counters().get(Counter.BYTES_RECEIVED) == expected);
            }
            assertTrue(handler.closed.isEmpty(), "closed before the deadline");

            clock.advanceMs(200); // 1100 ms since the frame's first byte, though the last came 200 ms ago

            awaitTrue("closed by the read deadline", () -> handler.closedWith(CloseReason.FRAME_READ_TIMEOUT));
            assertTrue(slow.awaitClosedByPeer());
        }
        assertEquals(1, server.counters().get(Counter.FRAME_READ_TIMEOUTS));
        assertTrue(handler.closed.get(0).error().getMessage().contains("4 of 1000 bytes"),
            handler.closed.get(0).error().getMessage());
        awaitTrue("memory of the partial frame returned",
            () -> server.availableRequestBytes() == server.config().maxQueuedRequestBytes());
        assertServesGoodClient(server);
    }

    @Test
    void shouldCloseASenderThatStopsInsideTheLengthPrefix() throws Exception
    {
        start();
        try (RawClient slow = new RawClient(server.port()))
        {
            slow.writeBytes(new byte[]{ 0, 0 });
            awaitTrue("two length bytes read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 2);

            clock.advanceMs(FRAME_READ_TIMEOUT_MS + 200);

            awaitTrue("closed by the read deadline", () -> handler.closedWith(CloseReason.FRAME_READ_TIMEOUT));
        }
    }

    @Test
    void shouldNotCutOffAFrameThatArrivesWithinTheDeadlineOrAConnectionBetweenFrames() throws Exception
    {
        start();
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeInt(3).writeBytes(new byte[]{ 1 });
            awaitTrue("first byte read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 5);
            clock.advanceMs(FRAME_READ_TIMEOUT_MS - 100);
            client.writeBytes(new byte[]{ 2, 3 });
            assertEquals(3, client.readFrame().length);

            clock.advanceMs(5 * FRAME_READ_TIMEOUT_MS); // between frames only the idle timeout applies

            assertStaysFalse("closed between frames", Duration.ofMillis(300), () -> !handler.closed.isEmpty());
            client.writeFrame(RawClient.bytes("next"));
            assertEquals("next", RawClient.string(client.readFrame()));
        }
    }

    @Test
    void shouldNotCountTimeSpentWaitingForMemoryAgainstTheDeadline() throws Exception
    {
        final RecordingHandler silent = RecordingHandler.silent();
        final int frameBytes = 64 * 1024;
        server = TransportServer.start(
            TransportConfig.builder()
                .maxFrameBytes(frameBytes)
                .maxQueuedRequestBytes(frameBytes)
                .frameReadTimeoutMs(FRAME_READ_TIMEOUT_MS)
                .nanoClock(clock)
                .build(),
            Loopback.ephemeral(), silent);
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port()))
        {
            a.writeFrame(new byte[frameBytes]);
            awaitTrue("the first frame holds the whole budget", () -> silent.frames.size() == 1);
            b.writeFrame(new byte[frameBytes]);
            awaitTrue("the second waits for memory", () -> server.counters().get(Counter.READ_PAUSED_MEMORY) >= 1);

            clock.advanceMs(5 * FRAME_READ_TIMEOUT_MS);

            assertStaysFalse("cut off while this side held its reads", Duration.ofMillis(300), () -> !silent.closed.isEmpty());
            silent.frames.get(0).noResponse();
            awaitTrue("the second delivered once memory returned", () -> silent.frames.size() == 2);
            silent.frames.get(1).noResponse();
        }
    }
}
