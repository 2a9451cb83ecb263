package io.tidemark.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tidemark.testkit.Ports;

/**
 * A TCP proxy for one directed link: it listens on {@code 127.0.0.1:<ephemeral>} and forwards every
 * connection it accepts to a target address, doing to the bytes whatever the current {@link LinkMode} says.
 * Put every broker-to-broker and client-to-broker link through one to cut, slow or break it at runtime.
 *
 * <pre>
 *   client ──► [listener 127.0.0.1:port] ──c2s queue──► target
 *   client ◄──────────────────────────── ◄──s2c queue── target
 * </pre>
 *
 * Each connection has four threads (a reader and a writer per direction) with a bounded queue of chunks
 * between them, so a delay adds latency without throttling throughput. Every decision to forward or
 * discard a chunk is taken under the proxy's lock, so a mode change is seen by all connections, existing
 * and new, at one point; connections that lost bytes to a discarding mode are reset when it ends (see
 * {@link LinkMode}). A connection accepted during {@code BLACKHOLE} connects upstream only when it first has
 * bytes to forward (fine for client-first protocols such as Kafka's).
 *
 * <p>Thread-safe. {@link #close()} resets every connection, stops every thread it started and returns only
 * when they have ended. Threads are named {@code tidemark-proxy-<name>-...}.
 */
public final class FaultProxy implements AutoCloseable
{
    static final int CHUNK_BYTES = 64 * 1024;
    static final int QUEUE_CHUNKS = 16;
    static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final long JOIN_TIMEOUT_MS = 10_000;
    private static final int BACKLOG = 128;

    private final String name;
    private final int port;
    private final Object lock = new Object();
    private final Set<ProxyConnection> connections = new LinkedHashSet<>();
    private final List<Thread> finishedThreads = new ArrayList<>();
    private final Thread acceptor;
    private final AtomicLong bytesToServer = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final AtomicLong droppedToServer = new AtomicLong();
    private final AtomicLong droppedToClient = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong upstreamFailures = new AtomicLong();
    private volatile InetSocketAddress target;
    // guarded by lock
    private LinkMode mode = LinkMode.pass();
    private ServerSocket listener;
    private ServerSocket acceptingOn;
    private boolean closed;
    private long nextConnectionId;

    private FaultProxy(final String name, final InetSocketAddress target, final ServerSocket listener)
    {
        this.name = name;
        this.target = target;
        this.listener = listener;
        this.port = listener.getLocalPort();
        this.acceptor = new Thread(this::acceptLoop, "tidemark-proxy-" + name + "-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Starts a proxy in {@code PASS} mode.
     *
     * @param name   names the link in thread names and messages, e.g. {@code broker-1->broker-2}.
     * @param target where accepted connections are forwarded.
     * @return the running proxy.
     * @throws UncheckedIOException when no loopback port can be bound.
     */
    public static FaultProxy start(final String name, final InetSocketAddress target)
    {
        final ServerSocket listener;
        try
        {
            listener = Ports.bindListener(true, BACKLOG);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("proxy " + name + ": cannot bind 127.0.0.1:0", e);
        }
        final FaultProxy proxy = new FaultProxy(name, target, listener);
        proxy.acceptor.start();
        return proxy;
    }

    private static ServerSocket bind(final int port) throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        try
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
            return socket;
        }
        catch (final IOException e)
        {
            socket.close();
            throw e;
        }
    }

    /** @return the link's name. */
    public String name()
    {
        return name;
    }

    /** @return the address clients connect to: 127.0.0.1 and the proxy's port (stable across REFUSE). */
    public InetSocketAddress address()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** @return the proxy's listening port. */
    public int port()
    {
        return port;
    }

    /** @return where connections are forwarded. */
    public InetSocketAddress target()
    {
        return target;
    }

    /**
     * Changes where new upstream connections go (existing ones stay where they are).
     *
     * @param newTarget the new target.
     */
    public void target(final InetSocketAddress newTarget)
    {
        this.target = newTarget;
    }

    /** @return the current mode. */
    public LinkMode mode()
    {
        synchronized (lock)
        {
            return mode;
        }
    }

    /**
     * Switches the mode; it applies to existing and new connections from this call on.
     *
     * @param newMode the new mode.
     */
    public void mode(final LinkMode newMode)
    {
        synchronized (lock)
        {
            if (closed)
            {
                throw new IllegalStateException("proxy " + name + " is closed");
            }
            final LinkMode old = mode;
            mode = newMode;
            final boolean leavingDiscard = (old.discardsRequests() || old.discardsResponses()) && !old.equals(newMode);
            for (final ProxyConnection c : new ArrayList<>(connections))
            {
                if (newMode.tearsDown() || (leavingDiscard && c.damaged))
                {
                    resets.incrementAndGet();
                    c.abort(true);
                }
            }
            if (newMode.kind() == LinkMode.Kind.REFUSE && listener != null)
            {
                closeListenerLocked();
            }
            else if (newMode.kind() != LinkMode.Kind.REFUSE && listener == null)
            {
                rebindLocked();
            }
            lock.notifyAll();
        }
    }

    /**
     * Closes the listener and waits until the acceptor has left {@code accept()}: a socket closed while another
     * thread is blocked accepting on it is released only when that thread returns, and until then the kernel
     * still completes handshakes.
     */
    private void closeListenerLocked()
    {
        final ServerSocket closing = listener;
        listener = null;
        closeQuietly(closing);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (acceptingOn == closing && System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                lock.wait(10);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void rebindLocked()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        IOException last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                listener = bind(port);
                return;
            }
            catch (final IOException e)
            {
                last = e;
                try
                {
                    lock.wait(10);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("proxy " + name + ": cannot listen on port " + port + " again after REFUSE"
            + " (taken by another process?)", last);
    }

    /** Forward everything. */
    public void pass()
    {
        mode(LinkMode.pass());
    }

    /** Discard everything both ways; connections stay open. */
    public void blackhole()
    {
        mode(LinkMode.blackhole());
    }

    /** Reset existing connections and every new one until the mode changes. */
    public void reset()
    {
        mode(LinkMode.reset());
    }

    /** Refuse new connections, reset existing ones. */
    public void refuse()
    {
        mode(LinkMode.refuse());
    }

    /**
     * Forward every chunk {@code delayMs} after it was read.
     *
     * @param delayMs the added latency per direction.
     */
    public void delay(final long delayMs)
    {
        mode(LinkMode.delay(delayMs));
    }

    /** Forward client-to-server bytes, discard server-to-client bytes. */
    public void dropResponses()
    {
        mode(LinkMode.dropResponses());
    }

    /** Hold all bytes (they arrive late, in order, when the mode changes). */
    public void stall()
    {
        mode(LinkMode.stall());
    }

    /**
     * Resets (RST) every current connection once, leaving the mode as it is.
     *
     * @return how many connections were reset.
     */
    public int resetConnections()
    {
        synchronized (lock)
        {
            final List<ProxyConnection> all = new ArrayList<>(connections);
            for (final ProxyConnection c : all)
            {
                resets.incrementAndGet();
                c.abort(true);
            }
            lock.notifyAll();
            return all.size();
        }
    }

    /** @return client-to-server bytes forwarded. */
    public long bytesToServer()
    {
        return bytesToServer.get();
    }

    /** @return server-to-client bytes forwarded. */
    public long bytesToClient()
    {
        return bytesToClient.get();
    }

    /** @return client-to-server bytes read and discarded. */
    public long droppedToServer()
    {
        return droppedToServer.get();
    }

    /** @return server-to-client bytes read and discarded. */
    public long droppedToClient()
    {
        return droppedToClient.get();
    }

    /** @return connections accepted since start, including those reset at once. */
    public long connectionsAccepted()
    {
        return accepted.get();
    }

    /** @return connections currently open through the proxy. */
    public int connectionsActive()
    {
        synchronized (lock)
        {
            return connections.size();
        }
    }

    /** @return connections the proxy reset because of a mode (RESET, REFUSE, end of a discarding mode). */
    public long connectionsReset()
    {
        return resets.get();
    }

    /** @return accepted connections closed because the target could not be reached. */
    public long upstreamConnectFailures()
    {
        return upstreamFailures.get();
    }

    @Override
    public String toString()
    {
        return "FaultProxy{" + name + " 127.0.0.1:" + port + "->" + target + " mode=" + mode()
            + " active=" + connectionsActive() + " toServer=" + bytesToServer + " toClient=" + bytesToClient + "}";
    }

    /**
     * Resets every connection, stops listening and joins every thread this proxy started. Idempotent.
     */
    @Override
    public void close()
    {
        final List<Thread> toJoin = new ArrayList<>();
        synchronized (lock)
        {
            if (!closed)
            {
                closed = true;
                if (listener != null)
                {
                    closeListenerLocked();
                }
                for (final ProxyConnection c : new ArrayList<>(connections))
                {
                    c.abort(true);
                }
                lock.notifyAll();
            }
            toJoin.add(acceptor);
            for (final ProxyConnection c : connections)
            {
                toJoin.addAll(c.threads());
            }
            toJoin.addAll(finishedThreads);
            finishedThreads.clear();
        }
        join(toJoin);
    }

    private void join(final List<Thread> threads)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MS);
        for (final Thread t : threads)
        {
            try
            {
                final long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
                t.join(leftMs);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive())
            {
                throw new IllegalStateException("proxy " + name + ": thread " + t.getName() + " did not stop within "
                    + Duration.ofMillis(JOIN_TIMEOUT_MS));
            }
        }
    }

    private void acceptLoop()
    {
        while (true)
        {
            final ServerSocket current;
            synchronized (lock)
            {
                while (!closed && listener == null)
                {
                    try
                    {
                        lock.wait();
                    }
                    catch (final InterruptedException e)
                    {
                        return;
                    }
                }
                if (closed)
                {
                    return;
                }
                current = listener;
                acceptingOn = current;
            }
            Socket client = null;
            try
            {
                client = current.accept();
            }
            catch (final IOException e)
            {
                // listener closed by REFUSE or close(); the loop re-reads the state
            }
            synchronized (lock)
            {
                acceptingOn = null;
                lock.notifyAll();
            }
            if (client == null)
            {
                continue;
            }
            accepted.incrementAndGet();
            admitConnection(client);
        }
    }

    private void admitConnection(final Socket client)
    {
        final ProxyConnection connection;
        synchronized (lock)
        {
            if (closed || mode.tearsDown())
            {
                if (!closed)
                {
                    resets.incrementAndGet();
                }
                rst(client);
                return;
            }
            connection = new ProxyConnection(this, client, nextConnectionId++, mode.kind() != LinkMode.Kind.BLACKHOLE);
            connections.add(connection);
            connection.start();
        }
    }

    /**
     * Decides what happens to a chunk: waits while the link is stalled, then returns the mode to apply.
     * A discarded chunk is counted and damages the connection, atomically with respect to mode changes.
     *
     * @return the mode, or null when the connection or proxy is done.
     */
    LinkMode admit(final ProxyConnection c, final boolean toServer, final int bytes) throws InterruptedException
    {
        synchronized (lock)
        {
            while (mode.kind() == LinkMode.Kind.STALL && !c.aborted && !closed)
            {
                lock.wait();
            }
            if (c.aborted || closed)
            {
                return null;
            }
            if (toServer ? mode.discardsRequests() : mode.discardsResponses())
            {
                c.damaged = true;
                (toServer ? droppedToServer : droppedToClient).addAndGet(bytes);
            }
            return mode;
        }
    }

    /** @return true when, under the current mode, a new connection should connect upstream at once. */
    boolean connectsEagerly()
    {
        synchronized (lock)
        {
            return !closed && mode.kind() != LinkMode.Kind.BLACKHOLE && !mode.tearsDown();
        }
    }

    void forwarded(final boolean toServer, final int bytes)
    {
        (toServer ? bytesToServer : bytesToClient).addAndGet(bytes);
    }

    void upstreamFailed()
    {
        upstreamFailures.incrementAndGet();
    }

    /** Called once per connection when it has fully ended; its threads are joined on close. */
    void ended(final ProxyConnection c)
    {
        synchronized (lock)
        {
            if (connections.remove(c))
            {
                finishedThreads.addAll(c.threads());
                finishedThreads.removeIf(t -> !t.isAlive() && t != Thread.currentThread());
            }
            lock.notifyAll();
        }
    }

    Object lock()
    {
        return lock;
    }

    static void rst(final Socket socket)
    {
        try
        {
            socket.setSoLinger(true, 0);
        }
        catch (final SocketException ignored)
        {
            // already closed: nothing to reset
        }
        closeQuietly(socket);
    }

    static void closeQuietly(final AutoCloseable c)
    {
        try
        {
            c.close();
        }
        catch (final Exception ignored)
        {
            // closing a socket we are abandoning; its error says nothing we can act on
        }
    }
}
