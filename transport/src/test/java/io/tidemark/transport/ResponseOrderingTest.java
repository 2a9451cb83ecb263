package io.tidemark.transport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class ResponseOrderingTest
{
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

    @Test
    void shouldDeliverResponsesInRequestOrderWhenCompletedInReverse() throws Exception
    {
        server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
        final int n = 10;
        try (RawClient client = new RawClient(server.port()))
        {
            for (int i = 0; i < n; i++)
            {
                client.writeFrame(RawClient.bytes("request-" + i));
            }
            awaitTrue("all requests delivered", () -> handler.frames.size() == n);

            for (int i = n - 1; i >= 0; i--)
            {
                final InboundFrame frame = handler.frames.get(i);
                assertEquals(i, frame.sequence());
                frame.respond(Send.of(ByteBuffer.wrap(RawClient.bytes("response-" + i))));
            }

            for (int i = 0; i < n; i++)
            {
                assertEquals("response-" + i, RawClient.string(client.readFrame()));
            }
        }
    }

    @Test
    void shouldHoldLaterResponsesUntilTheEarliestCompletes() throws Exception
    {
        server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("a")).writeFrame(RawClient.bytes("b"));
            awaitTrue("both delivered", () -> handler.frames.size() == 2);

            final List<Throwable> completions = Collections.synchronizedList(new ArrayList<>());
            handler.frames.get(1).respond(Send.builder().add(RawClient.bytes("B"))
                .onComplete((s, e) -> completions.add(e)).build());

            Loopback.assertStaysFalse("second response sent before the first", java.time.Duration.ofMillis(100),
                () -> server.counters().get(Counter.FRAMES_SENT) > 0 || !completions.isEmpty());
            handler.frames.get(0).respond(Send.of(ByteBuffer.wrap(RawClient.bytes("A"))));

            assertEquals("A", RawClient.string(client.readFrame()));
            assertEquals("B", RawClient.string(client.readFrame()));
            awaitTrue("completion of B ran", () -> completions.size() == 1);
            assertEquals(null, completions.get(0));
        }
    }

    @Test
    void shouldSkipNoResponseFramesAndKeepOrderUnderRandomConcurrentCompletion() throws Exception
    {
        final long seed = Seeds.seed("ResponseOrderingTest.random");
        final Random random = new Random(seed);
        server = TransportServer.start(
            TransportConfig.builder().maxInFlightRequestsPerConnection(64).build(), Loopback.ephemeral(), handler);
        final int n = 200;
        final ExecutorService completers = Executors.newFixedThreadPool(4);
        try (RawClient client = new RawClient(server.port()))
        {
            for (int i = 0; i < n; i++)
            {
                client.writeFrame(ByteBuffer.allocate(4).putInt(i).array());
            }
            int released = 0;
            final List<InboundFrame> shuffled = new ArrayList<>();
            while (released < n)
            {
                final int target = released + 1 + random.nextInt(40);
                final int upTo = Math.min(n, target);
                awaitTrue("frames up to " + upTo, () -> handler.frames.size() >= upTo);
                shuffled.clear();
                shuffled.addAll(handler.frames.subList(released, upTo));
                Collections.shuffle(shuffled, random);
                for (final InboundFrame frame : shuffled)
                {
                    completers.execute(() ->
                    {
                        final int value = frame.body().getInt(0);
                        if (value % 3 == 0)
                        {
                            frame.noResponse();
                        }
                        else
                        {
                            frame.respond(Send.of(frame.body()));
                        }
                    });
                }
                released = upTo;
            }
            for (int i = 0; i < n; i++)
            {
                if (i % 3 != 0)
                {
                    assertEquals(i, ByteBuffer.wrap(client.readFrame()).getInt(), "seed=" + seed);
                }
            }
        }
        finally
        {
            completers.shutdown();
            assertTrue(completers.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldRejectCompletingAFrameTwice() throws Exception
    {
        server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("once"));
            awaitTrue("delivered", () -> handler.frames.size() == 1);
            final InboundFrame frame = handler.frames.get(0);
            frame.noResponse();

            final IllegalStateException ex = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> frame.respond(Send.of(ByteBuffer.allocate(1))));
            assertTrue(ex.getMessage().contains("already completed"), ex.getMessage());
        }
    }
}
