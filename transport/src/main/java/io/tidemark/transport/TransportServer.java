package io.tidemark.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 * Limits: {@code maxConnections} (extra connections are accepted and closed at once), {@code maxFrameBytes}
 * (checked before allocating), {@code maxInFlightRequestsPerConnection} and {@code maxQueuedSendBytes} (reads
 * pause per connection), {@code maxQueuedRequestBytes} (reads pause server-wide), {@code connectionsMaxIdleMs}.
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

    private final TransportConfig config;
    private final FrameHandler handler;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress localAddress;
    private final EventLoop[] loops;
    private final TransportCounters counters;
    private final MemoryBudget budget;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong connectionIds = new AtomicLong();
    private final Runnable onConnectionClosed = openConnections::decrementAndGet;
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
            if (openConnections.incrementAndGet() > config.maxConnections())
            {
                openConnections.decrementAndGet();
                TransportCounters.add(loops[0].counters, Counter.CONNECTIONS_REJECTED, 1);
                closeChannel(channel);
                continue;
            }
            final EventLoop loop = loops[nextLoop];
            nextLoop = (nextLoop + 1) % loops.length;
            final RegisterTask task = new RegisterTask(channel, connectionIds.getAndIncrement());
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
        private final long connectionId;

        RegisterTask(final SocketChannel channel, final long connectionId)
        {
            this.channel = channel;
            this.connectionId = connectionId;
        }

        @Override
        void run(final EventLoop loop)
        {
            final ServerConnection connection;
            try
            {
                TcpConnection.configure(channel, config);
                final InetSocketAddress remote = (InetSocketAddress)channel.getRemoteAddress();
                connection = new ServerConnection(loop, channel, connectionId, remote, handler, onConnectionClosed);
                connection.register(SelectionKey.OP_READ);
            }
            catch (final IOException ex)
            {
                openConnections.decrementAndGet();
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
            openConnections.decrementAndGet();
            closeChannel(channel);
        }
    }
}
