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

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class BackPressureTest
{
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
    void shouldStopReadingAtMaxInFlightAndResumeWhenResponsesDrain() throws Exception
    {
        final RecordingHandler handler = RecordingHandler.silent();
        server = TransportServer.start(
            TransportConfig.builder().maxInFlightRequestsPerConnection(2).build(), Loopback.ephemeral(), handler);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("r0")).writeFrame(RawClient.bytes("r1")).writeFrame(RawClient.bytes("r2"));

            awaitTrue("two delivered", () -> handler.frames.size() == 2);
            awaitTrue("reads paused", () -> server.counters().get(Counter.READ_PAUSED_IN_FLIGHT) == 1);
            assertEquals(2 * (4 + 2), server.counters().get(Counter.BYTES_RECEIVED), "third frame left in the socket");
            assertStaysFalse("third delivered while paused", Duration.ofMillis(150), () -> handler.frames.size() > 2);

            handler.frames.get(0).respond(Send.of(ByteBuffer.wrap(RawClient.bytes("R0"))));

            awaitTrue("third delivered after a response drained", () -> handler.frames.size() == 3);
            assertEquals("R0", RawClient.string(client.readFrame()));
            handler.frames.get(1).noResponse();
            handler.frames.get(2).respond(Send.of(ByteBuffer.wrap(RawClient.bytes("R2"))));
            assertEquals("R2", RawClient.string(client.readFrame()));
        }
    }

    @Test
    void shouldStopReadingWhileTheApplicationPausesAConnection() throws Exception
    {
        final RecordingHandler handler = RecordingHandler.echo();
        server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("before"));
            assertEquals("before", RawClient.string(client.readFrame()));
            final Connection connection = handler.opened.get(0);

            connection.pauseReads();
            awaitTrue("pause applied", () -> server.counters().get(Counter.READ_PAUSED_BY_APPLICATION) == 1);
            final long receivedBefore = server.counters().get(Counter.BYTES_RECEIVED);
            client.writeFrame(RawClient.bytes("throttled"));
            assertStaysFalse("read while paused", Duration.ofMillis(150),
                () -> server.counters().get(Counter.BYTES_RECEIVED) > receivedBefore);
            connection.pauseReads();

            connection.resumeReads();

            assertEquals(1, server.counters().get(Counter.READ_PAUSED_BY_APPLICATION), "second pause was a no-op");
            assertEquals("throttled", RawClient.string(client.readFrame()));
            assertEquals(2, handler.frames.size());
        }
    }

    @Test
    void shouldStopReadingWhileQueuedSendBytesExceedTheLimit() throws Exception
    {
        final int responseBytes = 256 * 1024;
        final FrameHandler bigResponses = (connection, frame) -> frame.respond(Send.of(ByteBuffer.allocate(responseBytes)));
        server = TransportServer.start(
            TransportConfig.builder()
                .maxQueuedSendBytes(512 * 1024)
                .maxInFlightRequestsPerConnection(1000)
                .socketSendBufferBytes(64 * 1024)
                .build(),
            Loopback.ephemeral(), bigResponses);
        final int requests = 200;
        try (RawClient client = new RawClient(server.port()))
        {
            client.socket.setReceiveBufferSize(64 * 1024);
            for (int i = 0; i < requests; i++)
            {
                client.writeFrame(new byte[]{ (byte)i });
            }

            awaitTrue("reads paused on queued send bytes",
                () -> server.counters().get(Counter.READ_PAUSED_QUEUED_SEND_BYTES) >= 1);
            final long receivedWhilePaused = server.counters().get(Counter.FRAMES_RECEIVED);
            assertTrue(receivedWhilePaused < requests, "received " + receivedWhilePaused);

            for (int i = 0; i < requests; i++)
            {
                assertEquals(responseBytes, client.readFrame().length);
            }
            assertEquals(requests, server.counters().get(Counter.FRAMES_RECEIVED));
        }
    }

    @Test
    void shouldPauseReadsWhenTheRequestBudgetIsExhaustedAndResumeOnRelease() throws Exception
    {
        final int frameBytes = 64 * 1024;
        final RecordingHandler handler = RecordingHandler.silent();
        server = TransportServer.start(
            TransportConfig.builder().maxFrameBytes(frameBytes).maxQueuedRequestBytes(2L * frameBytes).build(),
            Loopback.ephemeral(), handler);
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port()))
        {
            a.writeFrame(new byte[frameBytes]).writeFrame(new byte[frameBytes]);
            awaitTrue("budget used by two frames", () -> handler.frames.size() == 2);
            assertEquals(0, server.availableRequestBytes());

            b.writeFrame(new byte[frameBytes]);
            awaitTrue("reads paused on memory", () -> server.counters().get(Counter.READ_PAUSED_MEMORY) >= 1);
            assertStaysFalse("third frame delivered without budget", Duration.ofMillis(150),
                () -> handler.frames.size() > 2);

            handler.frames.get(0).release();

            awaitTrue("third frame delivered after release", () -> handler.frames.size() == 3);
            assertEquals(frameBytes, handler.frames.get(2).length());
            handler.frames.get(0).noResponse();
            handler.frames.get(1).noResponse();
            handler.frames.get(2).noResponse();
            awaitTrue("budget restored", () -> server.availableRequestBytes() == 2L * frameBytes);
        }
    }
}
