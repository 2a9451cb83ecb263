package io.tidemark.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One proxied connection: a client socket, a lazily connected upstream socket, and a reader and a writer
 * thread per direction. Ends once: both directions delivered their end of stream (graceful), or
 * {@link #abort(boolean)} (reset).
 */
final class ProxyConnection
{
    private static final Chunk EOF = new Chunk(new byte[0], 0);

    final long id;
    /** Set once when the connection ends; read by pumps without the proxy lock. */
    volatile boolean aborted;
    /** Guarded by the proxy lock: bytes (or an end of stream) of this connection were discarded. */
    boolean damaged;

    private final FaultProxy proxy;
    private final Socket client;
    private final boolean eager;
    private final BlockingQueue<Chunk> toServer = new ArrayBlockingQueue<>(FaultProxy.QUEUE_CHUNKS);
    private final BlockingQueue<Chunk> toClient = new ArrayBlockingQueue<>(FaultProxy.QUEUE_CHUNKS);
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger endsOfStreamDelivered = new AtomicInteger();
    /** Written only by the client-to-server writer thread; read by abort(). */
    private volatile Socket server;

    private record Chunk(byte[] bytes, long dueNanos)
    {
    }

    ProxyConnection(final FaultProxy proxy, final Socket client, final long id, final boolean eager)
    {
        this.proxy = proxy;
        this.client = client;
        this.id = id;
        this.eager = eager;
    }

    /** Starts the client reader and both writers. Called under the proxy lock. */
    void start()
    {
        try
        {
            client.setTcpNoDelay(true);
        }
        catch (final IOException e)
        {
            abort(true);
            return;
        }
        startThread("c2s-read", () -> readLoop(client, true));
        startThread("c2s-write", () -> writeLoop(true));
        startThread("s2c-write", () -> writeLoop(false));
    }

    private void startThread(final String role, final Runnable body)
    {
        final Thread t = new Thread(body, "tidemark-proxy-" + proxy.name() + "-" + id + "-" + role);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    List<Thread> threads()
    {
        return new ArrayList<>(threads);
    }

    private void readLoop(final Socket from, final boolean toServerDirection)
    {
        final BlockingQueue<Chunk> queue = toServerDirection ? toServer : toClient;
        final byte[] buffer = new byte[FaultProxy.CHUNK_BYTES];
        try
        {
            final InputStream in = from.getInputStream();
            while (true)
            {
                final int n = in.read(buffer);
                final LinkMode mode = proxy.admit(this, toServerDirection, Math.max(n, 0));
                if (mode == null || mode.tearsDown())
                {
                    return;
                }
                final boolean discard = toServerDirection ? mode.discardsRequests() : mode.discardsResponses();
                if (n < 0)
                {
                    if (!discard)
                    {
                        queue.put(EOF);
                    }
                    return;
                }
                if (!discard)
                {
                    final long due = mode.kind() == LinkMode.Kind.DELAY ? System.nanoTime() + mode.delayMs() * 1_000_000L : 0;
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), due));
                }
            }
        }
        catch (final IOException e)
        {
            abort(true); // a reset or error on one side is passed on as a reset to the other
        }
        catch (final InterruptedException e)
        {
            // aborted
        }
    }

    private void writeLoop(final boolean toServerDirection)
    {
        final BlockingQueue<Chunk> queue = toServerDirection ? toServer : toClient;
        try
        {
            if (toServerDirection && eager && proxy.connectsEagerly() && !connectUpstream())
            {
                return;
            }
            while (true)
            {
                final Chunk chunk = queue.take();
                if (!awaitDue(chunk.dueNanos))
                {
                    return;
                }
                final LinkMode mode = proxy.admit(this, toServerDirection, chunk.bytes.length);
                if (mode == null || mode.tearsDown())
                {
                    return;
                }
                if (toServerDirection ? mode.discardsRequests() : mode.discardsResponses())
                {
                    continue;
                }
                if (!deliver(chunk, toServerDirection))
                {
                    return;
                }
            }
        }
        catch (final IOException e)
        {
            abort(true);
        }
        catch (final InterruptedException e)
        {
            // aborted
        }
    }

    /** @return false when this writer is done. */
    private boolean deliver(final Chunk chunk, final boolean toServerDirection) throws IOException
    {
        if (toServerDirection && server == null)
        {
            if (chunk == EOF)
            {
                abort(false); // the client left before anything had to go upstream
                return false;
            }
            if (!connectUpstream())
            {
                return false;
            }
        }
        final Socket to = toServerDirection ? server : client;
        if (chunk == EOF)
        {
            to.shutdownOutput();
            if (endsOfStreamDelivered.incrementAndGet() == 2)
            {
                abort(false);
            }
            return false;
        }
        final OutputStream out = to.getOutputStream();
        out.write(chunk.bytes);
        out.flush();
        proxy.forwarded(toServerDirection, chunk.bytes.length);
        return true;
    }

    private boolean awaitDue(final long dueNanos)
    {
        if (dueNanos == 0)
        {
            return !aborted;
        }
        while (!aborted)
        {
            final long leftNs = dueNanos - System.nanoTime();
            if (leftNs <= 0)
            {
                return true;
            }
            LockSupport.parkNanos(leftNs); // the delay itself, not synchronisation: abort() unparks via interrupt
            if (Thread.interrupted())
            {
                return false;
            }
        }
        return false;
    }

    /** Only the client-to-server writer calls this. @return false when the connection was aborted. */
    private boolean connectUpstream()
    {
        final Socket s = new Socket();
        try
        {
            s.setTcpNoDelay(true);
            s.connect(proxy.target(), FaultProxy.CONNECT_TIMEOUT_MS);
        }
        catch (final IOException e)
        {
            FaultProxy.closeQuietly(s);
            proxy.upstreamFailed();
            abort(true); // like a refused connection: the client sees a reset
            return false;
        }
        synchronized (proxy.lock())
        {
            if (aborted)
            {
                FaultProxy.rst(s);
                return false;
            }
            server = s;
            startThread("s2c-read", () -> readLoop(s, false));
        }
        return true;
    }

    /**
     * Ends the connection once: closes both sockets (with RST when {@code rst}), wakes every other thread of
     * the connection and tells the proxy.
     *
     * @param rst reset (SO_LINGER 0) rather than close gracefully.
     */
    void abort(final boolean rst)
    {
        if (!ended.compareAndSet(false, true))
        {
            return;
        }
        aborted = true; // written before reading server; connectUpstream writes server before reading aborted
        final Socket s = server;
        if (rst)
        {
            FaultProxy.rst(client);
            if (s != null)
            {
                FaultProxy.rst(s);
            }
        }
        else
        {
            FaultProxy.closeQuietly(client);
            if (s != null)
            {
                FaultProxy.closeQuietly(s);
            }
        }
        for (final Thread t : threads)
        {
            if (t != Thread.currentThread())
            {
                t.interrupt();
            }
        }
        proxy.ended(this);
    }
}
