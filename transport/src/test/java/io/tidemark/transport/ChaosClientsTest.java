package io.tidemark.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.assertServesGoodClient;
import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mix of well-behaved, abrupt and malformed clients against a server that answers asynchronously (often
 * after the client has gone). Afterwards nothing may leak: connections, budget bytes, send completions.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class ChaosClientsTest
{
    private static final int MAX_FRAME_BYTES = 4096;

    @Test
    void shouldLeakNothingUnderAbruptAndMalformedClients() throws Exception
    {
        final long seed = Seeds.seed("ChaosClientsTest");
        final Random random = new Random(seed);
        final ExecutorService responders = Executors.newFixedThreadPool(2);
        final AtomicLong sendsCreated = new AtomicLong();
        final AtomicLong sendsCompleted = new AtomicLong();
        final FrameHandler asyncEcho = (connection, frame) -> responders.execute(() ->
        {
            if (frame.length() == 1 && frame.body().get(0) == 0)
            {
                frame.noResponse();
                return;
            }
            sendsCreated.incrementAndGet();
            frame.respond(Send.builder().add(frame.body()).onComplete((s, e) -> sendsCompleted.incrementAndGet()).build());
        });
        final TransportConfig config = TransportConfig.builder()
            .maxFrameBytes(MAX_FRAME_BYTES)
            .maxQueuedRequestBytes(8L * MAX_FRAME_BYTES)
            .maxInFlightRequestsPerConnection(4)
            .connectionsMaxIdleMs(200)
            .selectorThreads(2)
            .build();
        try (TransportServer server = TransportServer.start(config, Loopback.ephemeral(), asyncEcho))
        {
            for (int i = 0; i < 120; i++)
            {
                runOneClient(server, random, seed);
            }

            awaitTrue(() -> "all connections closed, open=" + server.openConnections() + " seed=" + seed,
                () -> server.openConnections() == 0);
            awaitTrue(() -> "budget restored: " + server.availableRequestBytes() + " seed=" + seed,
                () -> server.availableRequestBytes() == config.maxQueuedRequestBytes());
            awaitTrue(() -> "every send completed once: " + sendsCompleted.get() + "/" + sendsCreated.get(),
                () -> sendsCompleted.get() == sendsCreated.get());
            final TransportCounters c = server.counters();
            assertEquals(c.get(Counter.CONNECTIONS_OPENED), c.get(Counter.CONNECTIONS_CLOSED), "seed=" + seed);
            assertServesGoodClient(server);
        }
        finally
        {
            responders.shutdown();
            assertTrue(responders.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitTrue(final java.util.function.Supplier<String> what, final java.util.function.BooleanSupplier c)
    {
        io.tidemark.testkit.Await.await(what, Loopback.WAIT, c);
    }

    private static void runOneClient(final TransportServer server, final Random random, final long seed)
        throws IOException
    {
        try (RawClient client = new RawClient(server.port()))
        {
            switch (random.nextInt(8))
            {
                case 0 ->
                {
                    final byte[] body = new byte[1 + random.nextInt(MAX_FRAME_BYTES)];
                    random.nextBytes(body);
                    body[0] = 1;
                    client.writeFrame(body);
                    assertArrayEquals(body, client.readFrame(), "seed=" + seed);
                }
                case 1 ->
                {
                    final int n = 1 + random.nextInt(10);
                    for (int i = 0; i < n; i++)
                    {
                        client.writeFrame(new byte[]{ (byte)(1 + random.nextInt(100)), 2, 3 });
                    }
                }
                case 2 -> client.writeBytes(new byte[]{ 0, 0 });
                case 3 -> client.writeInt(100).writeBytes(new byte[1 + random.nextInt(98)]);
                case 4 -> client.writeInt(random.nextBoolean() ? 0 : -1 - random.nextInt(1000));
                case 5 -> client.writeInt(MAX_FRAME_BYTES + 1 + random.nextInt(Integer.MAX_VALUE - MAX_FRAME_BYTES - 1));
                case 6 -> client.writeFrame(new byte[]{ 0 }).writeFrame(new byte[]{ 5 });
                default ->
                {
                    client.writeFrame(new byte[MAX_FRAME_BYTES]);
                    client.socket.setSoLinger(true, 0); // reset instead of FIN
                }
            }
        }
    }
}
