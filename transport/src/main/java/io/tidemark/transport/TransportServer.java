package io.tidemark.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A TCP server speaking int32 length-prefixed frames, delivering each frame to a {@link FrameHandler} on one of
 * {@code selectorThreads} selector threads ({@code tidemark-transport-server-<port>-<i>}).
 *
 * <pre>
 *   clients ──► accept (selector 0) ──round robin──► selector i: read frames ─► FrameHandler.onFrame
 *                                                     ▲                            │ (any thread, any time)
 *                                                     └── responses, in request order ◄── frame.respond(send)
 * </pre>
 *
 * Limits: {@code maxConnections} and {@code maxConnectionsPerIp} (with {@code maxConnectionsPerIpOverrides}):
 * a connection beyond either is accepted and closed at once, before anything is read from it, as Kafka closes a
 * connection beyond {@code max.connections.per.ip}; {@code maxFrameBytes} (checked before allocating),
 * {@code maxInFlightRequestsPerConnection} and {@code maxQueuedSendBytes} (reads pause per connection),
 * {@code maxQueuedRequestBytes} (reserved as bytes arrive; reads pause server-wide), {@code frameReadTimeoutMs}
 * (a slow sender is closed), {@code connectionsMaxIdleMs}. Per-connection state lives and dies with the
 * connection: when every connection has closed, {@link #openConnections()} and {@link #trackedAddresses()} are 0
 * and {@link #availableRequestBytes()} is the whole budget.
 *
 * <pre>{@code
 * try (TransportServer server = TransportServer.start(config, new InetSocketAddress("127.0.0.1", 0), handler))
 * {
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class TransportServer implements AutoCloseable
{
    private static final int MAX_ACCEPTS_PER_WAKE = 64;
    private static final long REJECT_LOG_INTERVAL_NS = 10_000_000_000L;

    private final TransportConfig config;
    private final FrameHandler handler;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress localAddress;
    private final EventLoop[] loops;
    private final TransportCounters counters;
    private final MemoryBudget budget;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong connectionIds = new AtomicLong();
    private final ConcurrentHashMap<InetAddress, Integer> connectionsPerAddress = new ConcurrentHashMap<>();
    private final Consumer<InetSocketAddress> onConnectionClosed = this::connectionClosed;
    private long lastRejectLogNs;
    private long rejectsNotLogged;
    private int nextLoop;
    private boolean closed;

    private TransportServer(final TransportConfig config, final InetSocketAddress bindAddress, final FrameHandler handler)
        throws IOException
    {
        this.config = config;
        this.handler = handler;
        counters = new TransportCounters(config.selectorThreads());
        budget = new MemoryBudget(config.maxQueuedRequestBytes());
        loops = new EventLoop[config.selectorThreads()];
        serverChannel = ServerSocketChannel.open();
        try
        {
            serverChannel.bind(bindAddress, 1024);
            serverChannel.configureBlocking(false);
            localAddress = (InetSocketAddress)serverChannel.getLocalAddress();
            for (int i = 0; i < loops.length; i++)
            {
                loops[i] = new EventLoop(i, "tidemark-transport-server-" + localAddress.getPort() + "-" + i,
                    config, counters.row(i), budget);
            }
            budget.loops(loops);
            serverChannel.register(loops[0].selector, SelectionKey.OP_ACCEPT, (EventLoop.ReadyHandler)this::onAcceptable);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(ex);
            throw ex;
        }
        for (final EventLoop loop : loops)
        {
            loop.start();
        }
    }

    /**
     * Binds and starts serving.
     *
     * @param config      limits and timeouts.
     * @param bindAddress where to listen; port 0 picks a free port (see {@link #port()}).
     * @param handler     receives connections and frames on the selector threads.
     * @return the running server.
     * @throws UncheckedIOException when the address cannot be bound.
     */
    public static TransportServer start(
        final TransportConfig config, final InetSocketAddress bindAddress, final FrameHandler handler)
    {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(handler, "handler");
        try
        {
            return new TransportServer(config, bindAddress, handler);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot listen on " + bindAddress, ex);
        }
    }

    /**
     * @return the port bound (the real one when 0 was asked for).
     */
    public int port()
    {
        return localAddress.getPort();
    }

    /**
     * @return the address bound.
     */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * @return the server's counters.
     */
    public TransportCounters counters()
    {
        return counters;
    }

    /**
     * @return the configuration.
     */
    public TransportConfig config()
    {
        return config;
    }

    /**
     * @return connections currently open.
     */
    public int openConnections()
    {
        return openConnections.get();
    }

    /**
     * @return remote addresses with at least one open connection (each counted for {@code maxConnectionsPerIp}).
     */
    public int trackedAddresses()
    {
        return connectionsPerAddress.size();
    }

    /**
     * @param address a remote address.
     * @return connections open from it.
     */
    public int connectionsFrom(final InetAddress address)
    {
        return connectionsPerAddress.getOrDefault(address, 0);
    }

    /**
     * @return bytes of {@code maxQueuedRequestBytes} not currently held by received frame bodies.
     */
    public long availableRequestBytes()
    {
        return budget.availableBytes();
    }

    /**
     * Stops accepting, closes every connection ({@link CloseReason#SHUTDOWN}; queued sends fail) and stops the
     * selector threads. Frames completed afterwards fail their sends with {@code TRANSPORT_CLOSED}. Idempotent.
     *
     * @throws IllegalStateException when called from one of this server's selector threads (it would wait for
     *                               itself); close from another thread.
     */
    @Override
    public synchronized void close()
    {
        for (final EventLoop loop : loops)
        {
            if (loop.inLoopThread())
            {
                throw new IllegalStateException("TransportServer.close() called from its own selector thread");
            }
        }
        if (closed)
        {
            return;
        }
        closed = true;
        for (final EventLoop loop : loops)
        {
            loop.stop();
        }
        for (final EventLoop loop : loops)
        {
            loop.join();
        }
        closeQuietly(null);
    }

    private void onAcceptable(final SelectionKey key)
    {
        for (int i = 0; i < MAX_ACCEPTS_PER_WAKE; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final IOException ex)
            {
                EventLoop.LOG.log(System.Logger.Level.WARNING, "accept failed on " + localAddress, ex);
                return;
            }
            if (null == channel)
            {
                return;
            }
            final InetSocketAddress remote;
            try
            {
                remote = (InetSocketAddress)channel.getRemoteAddress();
            }
            catch (final IOException ex)
            {
                TransportCounters.add(loops[0].counters, Counter.IO_ERRORS, 1);
                closeChannel(channel);
                continue;
            }
            if (null == remote)
            {
                closeChannel(channel); // the peer is already gone
                continue;
            }
            if (openConnections.incrementAndGet() > config.maxConnections())
            {
                openConnections.decrementAndGet();
                TransportCounters.add(loops[0].counters, Counter.CONNECTIONS_REJECTED, 1);
                reject(channel, remote, "maxConnections=" + config.maxConnections() + " connections are open");
                continue;
            }
            final int limit = config.maxConnectionsPerIpOverrides().getOrDefault(remote.getAddress(), config.maxConnectionsPerIp());
            if (!admitFrom(remote.getAddress(), limit))
            {
                openConnections.decrementAndGet();
                TransportCounters.add(loops[0].counters, Counter.CONNECTIONS_REJECTED_PER_IP, 1);
                reject(channel, remote, limit + " connections from " + remote.getAddress().getHostAddress() +
                    " are open (maxConnectionsPerIp" + (config.maxConnectionsPerIpOverrides().containsKey(remote.getAddress()) ?
                    "Overrides" : "") + ")");
                continue;
            }
            final EventLoop loop = loops[nextLoop];
            nextLoop = (nextLoop + 1) % loops.length;
            final RegisterTask task = new RegisterTask(channel, remote, connectionIds.getAndIncrement());
            if (loop == loops[0])
            {
                task.run(loop);
            }
            else
            {
                loop.submit(task);
            }
        }
    }

    /**
     * Counts a connection from an address unless its limit is reached. Accepting selector thread.
     */
    private boolean admitFrom(final InetAddress address, final int limit)
    {
        final boolean[] admitted = new boolean[1];
        connectionsPerAddress.compute(address, (a, open) ->
        {
            final int current = null == open ? 0 : open;
            if (current >= limit)
            {
                return open; // null stays absent: nothing is kept for an address with no connection
            }
            admitted[0] = true;
            return current + 1;
        });
        return admitted[0];
    }

    /**
     * A connection registered with {@link #admitFrom} closed (any thread): the address's count drops, and its
     * entry goes with its last connection.
     */
    private void connectionClosed(final InetSocketAddress remote)
    {
        openConnections.decrementAndGet();
        connectionsPerAddress.computeIfPresent(remote.getAddress(), (a, open) -> open > 1 ? open - 1 : null);
    }

    /**
     * Closes a connection beyond a limit, logging at most one line per 10 s (a flood must not flood the log).
     * Accepting selector thread.
     */
    private void reject(final SocketChannel channel, final InetSocketAddress remote, final String why)
    {
        closeChannel(channel);
        final long nowNs = loops[0].clock.nanoTime();
        if (0 != lastRejectLogNs && nowNs - lastRejectLogNs < REJECT_LOG_INTERVAL_NS)
        {
            rejectsNotLogged++;
            return;
        }
        EventLoop.LOG.log(System.Logger.Level.INFO, "closed new connection from " + remote + " on " + localAddress +
            ": " + why + (rejectsNotLogged > 0 ? "; " + rejectsNotLogged + " more closed since the last such line" : ""));
        lastRejectLogNs = nowNs;
        rejectsNotLogged = 0;
    }

    private void closeQuietly(final Exception primary)
    {
        try
        {
            serverChannel.close();
        }
        catch (final IOException ex)
        {
            if (null != primary)
            {
                primary.addSuppressed(ex);
            }
        }
    }

    private void closeChannel(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            EventLoop.LOG.log(System.Logger.Level.DEBUG, "closing a rejected connection", ex);
        }
    }

    /**
     * Hands an accepted socket to its selector thread.
     */
    private final class RegisterTask extends LoopTask
    {
        private final SocketChannel channel;
        private final InetSocketAddress remote;
        private final long connectionId;

        RegisterTask(final SocketChannel channel, final InetSocketAddress remote, final long connectionId)
        {
            this.channel = channel;
            this.remote = remote;
            this.connectionId = connectionId;
        }

        @Override
        void run(final EventLoop loop)
        {
            final ServerConnection connection;
            try
            {
                TcpConnection.configure(channel, config);
                connection = new ServerConnection(loop, channel, connectionId, remote, handler, onConnectionClosed);
                connection.register(SelectionKey.OP_READ);
            }
            catch (final IOException ex)
            {
                connectionClosed(remote);
                TransportCounters.add(loop.counters, Counter.IO_ERRORS, 1);
                closeChannel(channel);
                return;
            }
            TransportCounters.add(loop.counters, Counter.CONNECTIONS_OPENED, 1);
            connection.onOpen();
        }

        @Override
        void fail(final TransportException error)
        {
            connectionClosed(remote);
            closeChannel(channel);
        }
    }
}
