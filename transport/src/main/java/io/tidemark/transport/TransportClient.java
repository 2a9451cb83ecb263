package io.tidemark.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client side of the internal RPC (replication fetches, controller messages) and of tests: opens
 * {@link ClientConnection}s, all served by one selector thread ({@code tidemark-transport-client-<n>}).
 *
 * <pre>{@code
 * try (TransportClient client = TransportClient.start(TransportConfig.defaults()))
 * {
 *     ClientConnection connection = client.connectBlocking(new InetSocketAddress("127.0.0.1", port));
 *     RpcResponse response = connection.requestBlocking(API_ECHO, 0, Send.of(ByteBuffer.wrap(bytes)));
 * }
 * }</pre>
 *
 * Uses {@code requestTimeoutMs}, {@code connectTimeoutMs}, {@code maxFrameBytes},
 * {@code maxQueuedRequestBytes} (budget for response bodies being read), {@code maxInFlightRequestsPerConnection}
 * and {@code connectionsMaxIdleMs} of its {@link TransportConfig}; {@code selectorThreads} and
 * {@code maxConnections} apply to servers only.
 */
public final class TransportClient implements AutoCloseable
{
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private final TransportConfig config;
    private final EventLoop loop;
    private final TransportCounters counters;
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger openConnections = new AtomicInteger();
    private boolean closed;

    private TransportClient(final TransportConfig config) throws IOException
    {
        this.config = config;
        counters = new TransportCounters(1);
        final MemoryBudget budget = new MemoryBudget(config.maxQueuedRequestBytes());
        loop = new EventLoop(0, "tidemark-transport-client-" + CLIENT_IDS.getAndIncrement(), config, counters.row(0),
            budget);
        budget.loops(new EventLoop[]{ loop });
        loop.start();
    }

    /**
     * Starts a client (one selector thread).
     *
     * @param config timeouts and limits.
     * @return the running client.
     */
    public static TransportClient start(final TransportConfig config)
    {
        Objects.requireNonNull(config, "config");
        try
        {
            return new TransportClient(config);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open a selector", ex);
        }
    }

    /**
     * Connects asynchronously.
     *
     * @param address the server.
     * @return completes with the connection, or with a {@link TransportException} ({@code CONNECT_FAILED},
     *         {@code CONNECT_TIMEOUT}, {@code TRANSPORT_CLOSED}).
     */
    public CompletableFuture<ClientConnection> connect(final InetSocketAddress address)
    {
        Objects.requireNonNull(address, "address");
        final CompletableFuture<ClientConnection> future = new CompletableFuture<>();
        loop.submit(new ConnectTask(address, future));
        return future;
    }

    /**
     * Connects and waits.
     *
     * @param address the server.
     * @return the connection.
     * @throws TransportException when the connect fails or times out.
     */
    public ClientConnection connectBlocking(final InetSocketAddress address)
    {
        return await(connect(address), config.connectTimeoutMs(), "connect to ", address);
    }

    /**
     * @return the client's counters.
     */
    public TransportCounters counters()
    {
        return counters;
    }

    /**
     * @return connections currently open or connecting.
     */
    public int openConnections()
    {
        return openConnections.get();
    }

    /**
     * Closes every connection (pending requests fail with {@code CONNECTION_CLOSED}) and stops the selector
     * thread. Idempotent.
     *
     * @throws IllegalStateException when called from the client's selector thread (e.g. inside a future's
     *                               dependent action); close from another thread.
     */
    @Override
    public synchronized void close()
    {
        if (loop.inLoopThread())
        {
            throw new IllegalStateException("TransportClient.close() called from its own selector thread");
        }
        if (!closed)
        {
            closed = true;
            loop.stop();
            loop.join();
        }
    }

    void onClosed(final ClientConnectionImpl connection)
    {
        openConnections.decrementAndGet();
    }

    /**
     * Waits for a future the selector thread completes; the selector enforces the operation's own timeout, so
     * the extra wait here only guards against a stopped selector. The message is built only on failure.
     */
    static <T> T await(final CompletableFuture<T> future, final long timeoutMs, final String operation,
        final Object target)
    {
        try
        {
            return future.get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof TransportException)
            {
                final TransportException te = (TransportException)cause;
                throw new TransportException(te.code(), operation + target + " failed", te);
            }
            throw new TransportException(TransportException.Code.CONNECTION_CLOSED, operation + target + " failed", cause);
        }
        catch (final TimeoutException ex)
        {
            throw new TransportException(TransportException.Code.REQUEST_TIMEOUT,
                operation + target + " did not complete", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TransportException(TransportException.Code.TRANSPORT_CLOSED, operation + target + " interrupted",
                ex);
        }
    }

    private final class ConnectTask extends LoopTask
    {
        private final InetSocketAddress address;
        private final CompletableFuture<ClientConnection> future;

        ConnectTask(final InetSocketAddress address, final CompletableFuture<ClientConnection> future)
        {
            this.address = address;
            this.future = future;
        }

        @Override
        void run(final EventLoop loop)
        {
            SocketChannel channel = null;
            try
            {
                channel = SocketChannel.open();
                TcpConnection.configure(channel, config);
                final boolean connected = channel.connect(address);
                final ClientConnectionImpl connection = new ClientConnectionImpl(
                    loop, channel, connectionIds.getAndIncrement(), address, TransportClient.this, future);
                connection.register(connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
                openConnections.incrementAndGet();
                if (connected)
                {
                    connection.onConnected();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                TransportCounters.add(loop.counters, Counter.CONNECT_FAILURES, 1);
                if (null != channel)
                {
                    try
                    {
                        channel.close();
                    }
                    catch (final IOException closeEx)
                    {
                        ex.addSuppressed(closeEx);
                    }
                }
                future.completeExceptionally(new TransportException(TransportException.Code.CONNECT_FAILED,
                    "connect to " + address + " failed", ex));
            }
        }

        @Override
        void fail(final TransportException error)
        {
            future.completeExceptionally(error);
        }
    }
}
