package io.tidemark.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static io.tidemark.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loopback helpers shared by the integration tests.
 */
final class Loopback
{
    static final Duration WAIT = Duration.ofSeconds(10);

    private Loopback()
    {
    }

    static InetSocketAddress ephemeral()
    {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    static InetSocketAddress address(final TransportServer server)
    {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    static void awaitTrue(final String what, final BooleanSupplier condition)
    {
        await(what, WAIT, condition);
    }

    /**
     * Asserts that a condition stays false for a while: for negative checks only (e.g. "no third frame is
     * delivered while reads are paused"), never to synchronise.
     */
    static void assertStaysFalse(final String what, final Duration period, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + period.toNanos();
        while (System.nanoTime() - deadlineNs < 0)
        {
            assertTrue(!condition.getAsBoolean(), what);
            Thread.onSpinWait();
        }
    }

    /**
     * Proves a server still serves: a new raw client gets its frame echoed.
     */
    static void assertServesGoodClient(final TransportServer server) throws IOException
    {
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("still alive"));
            assertArrayEquals(RawClient.bytes("still alive"), client.readFrame());
        }
    }
}
