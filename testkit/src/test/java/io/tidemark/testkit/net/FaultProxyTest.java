package io.tidemark.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class FaultProxyTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** How long a read must stay silent to count as "nothing arrived" (a negative check, not synchronisation). */
    private static final int SILENCE_MS = 300;

    private EchoServer echo;
    private FaultProxy proxy;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException
    {
        echo = new EchoServer();
        proxy = FaultProxy.start("test", echo.address());
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final Socket s : clients)
        {
            s.close();
        }
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException
    {
        final Socket s = new Socket();
        clients.add(s);
        s.connect(proxy.address(), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static byte[] roundTrip(final Socket s, final byte[] request) throws IOException
    {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        return s.getInputStream().readNBytes(request.length);
    }

    private static void assertEchoes(final Socket s, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(bytes, roundTrip(s, bytes));
    }

    private static void assertSilent(final Socket s) throws IOException
    {
        s.setSoTimeout(SILENCE_MS);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
        s.setSoTimeout(5000);
    }

    private static void assertReset(final Socket s)
    {
        final SocketException e = assertThrows(SocketException.class, () ->
        {
            // a reset may surface on the first read, or after a buffered write on the next one
            final InputStream in = s.getInputStream();
            for (int i = 0; i < 10; i++)
            {
                if (in.read() < 0)
                {
                    throw new AssertionError("orderly end of stream, expected a reset");
                }
            }
        });
        assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
    }

    @Test
    void shouldForwardBytesBothWays() throws Exception
    {
        final byte[] payload = new byte[1 << 20];
        new Random(1).nextBytes(payload);
        final Socket s = connect();
        final ExecutorService writer = Executors.newSingleThreadExecutor();
        try
        {
            final Future<?> written = writer.submit(() ->
            {
                s.getOutputStream().write(payload);
                return null;
            });
            final byte[] back = s.getInputStream().readNBytes(payload.length);
            written.get();
            assertArrayEquals(payload, back);
        }
        finally
        {
            writer.shutdownNow();
            assertTrue(writer.awaitTermination(5, TimeUnit.SECONDS));
        }
        Await.await("counters", WAIT, () -> proxy.bytesToServer() == payload.length && proxy.bytesToClient() == payload.length);
        assertEquals(1, proxy.connectionsAccepted());
        assertEquals(1, proxy.connectionsActive());
        assertEquals(0, proxy.droppedToServer() + proxy.droppedToClient());
    }

    @Test
    void shouldCloseConnectionOnBothSidesAfterHalfCloses() throws Exception
    {
        final Socket s = connect();
        assertEchoes(s, "bye");
        s.shutdownOutput();
        assertEquals(-1, s.getInputStream().read(), "the echo server closes after our FIN; its FIN comes back");
        Await.await("connection ended", WAIT, () -> proxy.connectionsActive() == 0);
    }

    @Test
    void shouldDiscardBothWaysAndKeepConnectionOpenWhenBlackholed() throws Exception
    {
        final Socket s = connect();
        assertEchoes(s, "a");
        proxy.blackhole();
        s.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
        assertSilent(s);
        assertEquals(1, echo.received.get(), "nothing reached the server");
        assertEquals(4, proxy.droppedToServer());
        assertEquals(1, proxy.connectionsActive(), "the connection stays open");
        assertFalse(s.isInputShutdown());

        proxy.pass();

        assertReset(s); // its byte stream has a gap, so it cannot resume
        assertEchoes(connect(), "new connections pass again");
    }

    @Test
    void shouldKeepConnectionThatLostNothingAcrossBlackhole() throws Exception
    {
        final Socket s = connect();
        assertEchoes(s, "before");
        proxy.blackhole();
        proxy.pass();
        assertEchoes(s, "after");
        assertEquals(0, proxy.connectionsReset());
    }

    @Test
    void shouldAcceptButNotConnectUpstreamWhenBlackholed() throws Exception
    {
        proxy.blackhole();
        final Socket s = connect();
        s.getOutputStream().write(1);
        assertSilent(s);
        assertEquals(0, echo.accepted.get(), "the target never sees the connection");
        assertEquals(1, proxy.connectionsActive());
    }

    @Test
    void shouldResetExistingAndNewConnectionsInResetMode() throws Exception
    {
        final Socket existing = connect();
        assertEchoes(existing, "x");

        proxy.reset();

        assertReset(existing);
        // the handshake completes in the kernel, then the proxy resets it: the reset surfaces on the first
        // operation after connect, whichever that is
        try (Socket fresh = new Socket())
        {
            final SocketException e = assertThrows(SocketException.class, () ->
            {
                fresh.connect(proxy.address(), 2000);
                fresh.setSoTimeout(5000);
                fresh.getInputStream().read();
            });
            assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
        }
        assertTrue(proxy.connectionsReset() >= 2);

        proxy.pass();
        assertEchoes(connect(), "back");
    }

    @Test
    void shouldRefuseNewConnectionsAndResetExistingOnesInRefuseMode() throws Exception
    {
        final Socket existing = connect();
        assertEchoes(existing, "x");
        final InetSocketAddress address = proxy.address();

        proxy.refuse();

        assertReset(existing);
        try (Socket refused = new Socket())
        {
            assertThrows(ConnectException.class, () -> refused.connect(address, 2000));
        }

        proxy.pass();
        assertEquals(address, proxy.address(), "same port after REFUSE");
        assertEchoes(connect(), "back");
    }

    @Test
    void shouldDelayEveryChunkInBothDirections() throws Exception
    {
        final Socket s = connect();
        assertEchoes(s, "warm");
        proxy.delay(150);

        final long startNs = System.nanoTime();
        assertEchoes(s, "slow");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertTrue(elapsedMs >= 300, "round trip took " + elapsedMs + " ms, expected >= 2 x 150");
        proxy.pass();
        assertEchoes(s, "resumed");
    }

    @Test
    void shouldForwardRequestsButDropResponses() throws Exception
    {
        final Socket s = connect();
        assertEchoes(s, "ok");
        proxy.dropResponses();

        s.getOutputStream().write("request".getBytes(StandardCharsets.UTF_8));

        Await.await("server got the request", WAIT, () -> echo.received.get() == 2 + 7);
        Await.await("response read and dropped", WAIT, () -> proxy.droppedToClient() == 7);
        assertSilent(s);

        proxy.pass();
        assertReset(s);
        assertEchoes(connect(), "responses flow again");
    }

    @Test
    void shouldHoldBytesWhileStalledAndDeliverThemInOrderAfterwards() throws Exception
    {
        final Socket s = connect();
        assertEchoes(s, "a");
        proxy.stall();

        s.getOutputStream().write("late".getBytes(StandardCharsets.UTF_8));
        assertSilent(s);
        assertEquals(1, echo.received.get());

        proxy.pass();
        assertArrayEquals("late".getBytes(StandardCharsets.UTF_8), s.getInputStream().readNBytes(4));
        assertEquals(0, proxy.connectionsReset());
    }

    @Test
    void shouldResetClientWhenTargetIsDown() throws Exception
    {
        final int deadPort = Ports.freePort();
        try (FaultProxy toNowhere = FaultProxy.start("dead", Ports.loopback(deadPort));
             Socket s = new Socket())
        {
            s.connect(toNowhere.address(), 2000);
            s.setSoTimeout(5000);
            assertReset(s);
            assertEquals(1, toNowhere.upstreamConnectFailures());
        }
    }

    @Test
    void shouldCarryManyConcurrentConnections() throws Exception
    {
        final int connections = 40;
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try
        {
            final List<Future<byte[]>> results = new ArrayList<>();
            final List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < connections; i++)
            {
                final byte[] payload = new byte[64 * 1024];
                new Random(i).nextBytes(payload);
                sent.add(payload);
                final Socket s = connect();
                results.add(pool.submit(() -> roundTrip(s, payload)));
            }
            for (int i = 0; i < connections; i++)
            {
                assertArrayEquals(sent.get(i), results.get(i).get(30, TimeUnit.SECONDS), "connection " + i);
            }
        }
        finally
        {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }
        assertEquals(connections, proxy.connectionsAccepted());
        assertEquals(connections, proxy.connectionsActive());
    }

    @Test
    void shouldLeakNoThreadsOrSocketsAfterClose() throws Exception
    {
        final int fdsBefore = Fds.count();
        final FaultProxy other = FaultProxy.start("leak", echo.address());
        final List<Socket> mine = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            final Socket s = new Socket();
            s.connect(other.address(), 2000);
            s.setSoTimeout(5000);
            mine.add(s);
            assertEchoes(s, "x" + i);
        }
        other.delay(50);
        other.close();

        for (final Socket s : mine)
        {
            assertReset(s);
            s.close();
        }
        assertEquals(0, other.connectionsActive());
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            assertFalse(t.isAlive() && t.getName().startsWith("tidemark-proxy-leak"), t.getName());
        }
        Await.await(() -> "file descriptors back to " + fdsBefore + ", now " + Fds.count(), WAIT,
            () -> Fds.count() <= fdsBefore);
    }
}
