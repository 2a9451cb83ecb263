package io.tidemark.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.assertServesGoodClient;
import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding 1 of issue 12: a frame whose length arrived but whose bytes do not must not hold the memory other
 * connections need. The budget here equals the largest frame, as the broker's defaults do
 * ({@code queued.max.request.bytes} = {@code socket.request.max.bytes}).
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class HeldFrameTest
{
    private static final int MAX_FRAME_BYTES = 1024 * 1024;

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
            TransportConfig.builder().maxFrameBytes(MAX_FRAME_BYTES).maxQueuedRequestBytes(MAX_FRAME_BYTES).build(),
            Loopback.ephemeral(), handler);
    }

    @Test
    void shouldServeOtherClientsWhileOneHoldsAMaxSizeFrameHeader() throws Exception
    {
        start();
        try (RawClient holder = new RawClient(server.port()))
        {
            holder.writeInt(MAX_FRAME_BYTES);
            awaitTrue("header read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 4);

            assertServesGoodClient(server);
            assertServesGoodClient(server);
            awaitTrue("nothing held for the silent frame", () -> server.availableRequestBytes() == MAX_FRAME_BYTES);
        }
    }

    @Test
    void shouldServeOtherClientsWhileTwoHoldHalfSizeFramesWithSomeBytesSent() throws Exception
    {
        start();
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port()))
        {
            a.writeInt(MAX_FRAME_BYTES / 2).writeBytes(new byte[1000]);
            b.writeInt(MAX_FRAME_BYTES / 2).writeBytes(new byte[1000]);
            awaitTrue("headers and first bytes read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 2 * 1004);

            try (RawClient good = new RawClient(server.port()))
            {
                for (int i = 0; i < 10; i++)
                {
                    final byte[] body = new byte[16 * 1024];
                    body[i] = (byte)i;
                    good.writeFrame(body);
                    assertArrayEquals(body, good.readFrame());
                }
            }
        }
    }

    @Test
    void shouldServeSmallRequestsWhileStalledSendersHoldMostOfMaxSizeFrames() throws Exception
    {
        start();
        final int sent = MAX_FRAME_BYTES - 100 * 1024;
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port());
            RawClient c = new RawClient(server.port()))
        {
            a.writeInt(MAX_FRAME_BYTES).writeBytes(new byte[sent]);
            awaitTrue("first stalled frame read", () -> server.counters().get(Counter.BYTES_RECEIVED) == 4 + sent);
            b.writeInt(MAX_FRAME_BYTES).writeBytes(new byte[sent]);
            c.writeInt(MAX_FRAME_BYTES).writeBytes(new byte[sent]);

            try (RawClient good = new RawClient(server.port()))
            {
                for (int i = 0; i < 10; i++)
                {
                    final byte[] body = new byte[16 * 1024];
                    body[i] = (byte)i;
                    good.writeFrame(body);
                    assertArrayEquals(body, good.readFrame());
                }
            }
        }
        awaitTrue("budget restored once the stalled senders closed",
            () -> server.availableRequestBytes() == MAX_FRAME_BYTES);
    }

    @Test
    void shouldCompleteTwoConcurrentMaxSizeFramesThatTogetherExceedTheBudget() throws Exception
    {
        start();
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port()))
        {
            final byte[] bodyA = new byte[MAX_FRAME_BYTES];
            final byte[] bodyB = new byte[MAX_FRAME_BYTES];
            bodyA[MAX_FRAME_BYTES - 1] = 'a';
            bodyB[MAX_FRAME_BYTES - 1] = 'b';
            a.writeInt(MAX_FRAME_BYTES).writeBytes(Arrays.copyOf(bodyA, MAX_FRAME_BYTES / 2));
            b.writeInt(MAX_FRAME_BYTES).writeBytes(Arrays.copyOf(bodyB, MAX_FRAME_BYTES / 2));
            final Thread restOfB = new Thread(() ->
            {
                try
                {
                    b.writeBytes(Arrays.copyOfRange(bodyB, MAX_FRAME_BYTES / 2, MAX_FRAME_BYTES));
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }, "held-frame-test-writer");
            restOfB.start();
            a.writeBytes(Arrays.copyOfRange(bodyA, MAX_FRAME_BYTES / 2, MAX_FRAME_BYTES));

            assertArrayEquals(bodyA, a.readFrame());
            assertArrayEquals(bodyB, b.readFrame());
            restOfB.join();
        }
        assertTrue(server.counters().get(Counter.MEMORY_PASSES) >= 1, "the frames finished without the pass");
        awaitTrue("budget restored", () -> server.availableRequestBytes() == MAX_FRAME_BYTES);
    }
}
