package io.tidemark.transport;

import java.time.Duration;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.assertServesGoodClient;
import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class MalformedFrameTest
{
    private static final int MAX_FRAME_BYTES = 1024;

    private final RecordingHandler handler = RecordingHandler.echo();
    private TransportServer server;

    private TransportServer start(final long idleMs)
    {
        server = TransportServer.start(
            TransportConfig.builder()
                .maxFrameBytes(MAX_FRAME_BYTES)
                .maxQueuedRequestBytes(4 * MAX_FRAME_BYTES)
                .connectionsMaxIdleMs(idleMs)
                .build(),
            Loopback.ephemeral(), handler);
        return server;
    }

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldCloseOnZeroLengthAndKeepServing() throws Exception
    {
        start(60_000);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeInt(0);
            assertTrue(client.awaitClosedByPeer());
        }
        awaitTrue("close reported", () -> handler.closedWith(CloseReason.INVALID_FRAME_LENGTH));
        assertEquals(1, server.counters().get(Counter.INVALID_FRAME_LENGTH));
        assertTrue(handler.frames.isEmpty());
        assertServesGoodClient(server);
    }

    @Test
    void shouldCloseOnNegativeLengthAndKeepServing() throws Exception
    {
        start(60_000);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeInt(-5);
            assertTrue(client.awaitClosedByPeer());
        }
        awaitTrue("close reported", () -> handler.closedWith(CloseReason.INVALID_FRAME_LENGTH));
        assertEquals(1, server.counters().get(Counter.INVALID_FRAME_LENGTH));
        assertServesGoodClient(server);
    }

    @Test
    void shouldRejectTwoGibDeclaredLengthBeforeAllocating() throws Exception
    {
        start(60_000);
        final long budgetBefore = server.availableRequestBytes();
        try (RawClient client = new RawClient(server.port()))
        {
            // 2 GiB - 1 declared against a 1 KiB limit in a 512 MiB test heap: allocating first would OOM.
            client.writeInt(Integer.MAX_VALUE).writeBytes(new byte[100]);
            assertTrue(client.awaitClosedByPeer());
        }
        awaitTrue("close reported", () -> handler.closedWith(CloseReason.FRAME_TOO_LARGE));
        assertEquals(1, server.counters().get(Counter.FRAME_TOO_LARGE));
        assertEquals(budgetBefore, server.availableRequestBytes());
        assertTrue(handler.frames.isEmpty());
        assertServesGoodClient(server);
    }

    @Test
    void shouldRejectOneByteOverTheLimitAndAcceptExactlyTheLimit() throws Exception
    {
        start(60_000);
        try (RawClient client = new RawClient(server.port()))
        {
            final byte[] atLimit = new byte[MAX_FRAME_BYTES];
            atLimit[MAX_FRAME_BYTES - 1] = 42;
            client.writeFrame(atLimit);
            assertArrayEquals(atLimit, client.readFrame());

            client.writeFrame(new byte[MAX_FRAME_BYTES + 1]);
            assertTrue(client.awaitClosedByPeer());
        }
        awaitTrue("close reported", () -> handler.closedWith(CloseReason.FRAME_TOO_LARGE));
        assertServesGoodClient(server);
    }

    @Test
    void shouldReportTruncatedFrameWhenPeerClosesMidBody() throws Exception
    {
        start(60_000);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeInt(100).writeBytes(new byte[40]);
            awaitTrue("40 body bytes read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 44);
        }
        awaitTrue("truncation reported", () -> handler.closedWith(CloseReason.TRUNCATED_FRAME));
        assertEquals(1, server.counters().get(Counter.TRUNCATED_FRAMES));
        assertTrue(handler.frames.isEmpty());
        awaitTrue("reserved body bytes returned", () -> server.availableRequestBytes() == 4L * MAX_FRAME_BYTES);
        assertServesGoodClient(server);
    }

    @Test
    void shouldReportTruncatedFrameWhenPeerClosesMidLength() throws Exception
    {
        start(60_000);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeBytes(new byte[]{ 0, 0 });
            awaitTrue("2 length bytes read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 2);
        }
        awaitTrue("truncation reported", () -> handler.closedWith(CloseReason.TRUNCATED_FRAME));
        assertServesGoodClient(server);
    }

    @Test
    void shouldAssembleFrameArrivingOneByteAtATime() throws Exception
    {
        start(60_000);
        final byte[] body = RawClient.bytes("slowly, one byte per segment");
        final byte[] wire = java.nio.ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
        try (RawClient client = new RawClient(server.port()))
        {
            for (int i = 0; i < wire.length; i++)
            {
                client.writeBytes(new byte[]{ wire[i] });
                final long expected = i + 1;
                awaitTrue("byte " + i + " read", () -> server.counters().get(Counter.BYTES_RECEIVED) == expected);
                assertEquals(i == wire.length - 1 ? 1 : 0, handler.frames.size());
            }
            assertArrayEquals(body, client.readFrame());
        }
    }

    @Test
    void shouldCloseStalledPartialFrameOnIdleTimeout() throws Exception
    {
        start(300);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeInt(50).writeBytes(new byte[10]);
            final long startNs = System.nanoTime();
            assertTrue(client.awaitClosedByPeer());
            final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(elapsedMs >= 250, "closed after " + elapsedMs + " ms");
        }
        awaitTrue("idle close reported", () -> handler.closedWith(CloseReason.IDLE_TIMEOUT));
        assertEquals(1, server.counters().get(Counter.IDLE_TIMEOUTS));
        awaitTrue("reserved body bytes returned", () -> server.availableRequestBytes() == 4L * MAX_FRAME_BYTES);
        assertServesGoodClient(server);
    }

    @Test
    void shouldKeepSlowButSteadyPeerOpenPastIdleTimeout() throws Exception
    {
        final int idleMs = 600; // a byte every 100 ms stays well inside it even on a loaded machine
        start(idleMs);
        final byte[] body = new byte[idleMs / 100 * 2]; // trickles for twice the idle timeout
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeInt(body.length);
            for (int i = 0; i < body.length; i++)
            {
                Loopback.assertStaysFalse("closed while trickling", Duration.ofMillis(100),
                    () -> !handler.closed.isEmpty());
                client.writeBytes(new byte[]{ (byte)i });
            }
            final byte[] echoed = client.readFrame();
            assertEquals(body.length, echoed.length);
            assertEquals(body.length - 1, echoed[body.length - 1]);
        }
    }
}
