package io.tidemark.transport;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@link ClientConnection} of a {@link TransportClient}: pending requests by correlation id, connect and
 * request deadlines checked every selector tick.
 *
 * <pre>
 *  caller thread: request() ─► PendingRequest ─► TaskQueue ─► loop: pending.put(id) ─► socket
 *  loop: response frame ─► correlationId ─► pending.remove(id) ─► future.complete
 *  tick: deadline passed ─► pending.remove(id) ─► REQUEST_TIMEOUT (a late response counts UNMATCHED_RESPONSES)
 * </pre>
 */
final class ClientConnectionImpl extends TcpConnection implements ClientConnection
{
    private final TransportClient client;
    private final Int2ObjectHashMap<PendingRequest> pending = new Int2ObjectHashMap<>();
    private final AtomicInteger nextCorrelationId = new AtomicInteger();
    private final UnsafeBuffer responseBuffer = new UnsafeBuffer(0, 0);
    private final RpcResponseHeaderDecoder responseHeader = new RpcResponseHeaderDecoder();
    private final int maxInFlight;
    private final CompletableFuture<ClientConnection> connectFuture;
    private final long connectDeadlineNs;
    private boolean connecting = true;
    private volatile int pendingCount;

    ClientConnectionImpl(
        final EventLoop loop,
        final SocketChannel channel,
        final long id,
        final InetSocketAddress remote,
        final TransportClient client,
        final CompletableFuture<ClientConnection> connectFuture)
    {
        super(loop, channel, id, remote);
        this.client = client;
        this.connectFuture = connectFuture;
        maxInFlight = loop.config.maxInFlightRequestsPerConnection();
        connectDeadlineNs = loop.nowNs + loop.config.connectTimeoutMs() * 1_000_000L;
    }

    @Override
    void onConnectable()
    {
        try
        {
            if (channel.finishConnect())
            {
                onConnected();
            }
        }
        catch (final IOException ex)
        {
            TransportCounters.add(loop.counters, Counter.CONNECT_FAILURES, 1);
            close(CloseReason.CONNECT_FAILED, new TransportException(TransportException.Code.CONNECT_FAILED,
                "connect to " + remoteAddress() + " failed", ex));
        }
    }

    void onConnected()
    {
        connecting = false;
        lastActivityNs = loop.nowNs;
        TransportCounters.add(loop.counters, Counter.CONNECTIONS_OPENED, 1);
        setConnected();
        connectFuture.complete(this);
    }

    @Override
    public CompletableFuture<RpcResponse> request(final int apiKey, final int apiVersion, final Send body)
    {
        return request(apiKey, apiVersion, body, loop.config.requestTimeoutMs());
    }

    @Override
    public CompletableFuture<RpcResponse> request(
        final int apiKey, final int apiVersion, final Send body, final long timeoutMs)
    {
        if (timeoutMs <= 0 || timeoutMs > TransportConfig.MAX_TIMEOUT_MS)
        {
            throw new IllegalArgumentException("timeoutMs=" + timeoutMs + " is out of range [1, " +
                TransportConfig.MAX_TIMEOUT_MS + "]");
        }
        final int correlationId = encodeHeader(apiKey, apiVersion, body);
        final CompletableFuture<RpcResponse> future = new CompletableFuture<>();
        final long deadlineNs = loop.clock.nanoTime() + timeoutMs * 1_000_000L;
        loop.submit(new PendingRequest(this, correlationId, apiKey, body, deadlineNs, timeoutMs, future));
        return future;
    }

    @Override
    public int sendOneWay(final int apiKey, final int apiVersion, final Send body)
    {
        final int correlationId = encodeHeader(apiKey, apiVersion, body);
        loop.submit(new OneWaySend(this, body));
        return correlationId;
    }

    private int encodeHeader(final int apiKey, final int apiVersion, final Send body)
    {
        checkShort("apiKey", apiKey);
        checkShort("apiVersion", apiVersion);
        body.claim();
        final int correlationId = nextCorrelationId.getAndIncrement();
        new RpcRequestHeaderEncoder()
            .wrap(body.reserveHeader(RpcRequestHeaderEncoder.ENCODED_LENGTH), Send.LENGTH_FIELD_BYTES)
            .correlationId(correlationId)
            .apiKey((short)apiKey)
            .apiVersion((short)apiVersion);
        return correlationId;
    }

    void onOneWay(final Send send)
    {
        if (!isOpen())
        {
            failSend(send, closedException());
            return;
        }
        if (queuedSendBytes() > loop.config.maxQueuedSendBytes())
        {
            failSend(send, new TransportException(TransportException.Code.SEND_QUEUE_FULL,
                "connection " + id() + " already has " + queuedSendBytes() + " bytes queued, more than maxQueuedSendBytes=" +
                loop.config.maxQueuedSendBytes()));
            return;
        }
        enqueue(send);
    }

    @Override
    public RpcResponse requestBlocking(final int apiKey, final int apiVersion, final Send body)
    {
        final CompletableFuture<RpcResponse> future = request(apiKey, apiVersion, body);
        return TransportClient.await(future, loop.config.requestTimeoutMs(), "request to ", remoteAddress());
    }

    @Override
    public int pendingRequests()
    {
        return pendingCount;
    }

    /**
     * A request reached the loop: register it and write it.
     */
    void onSubmitted(final PendingRequest request)
    {
        if (!isOpen())
        {
            request.fail(closedException());
            return;
        }
        if (pending.size() >= maxInFlight)
        {
            request.fail(new TransportException(TransportException.Code.TOO_MANY_IN_FLIGHT,
                "connection " + id() + " already has " + maxInFlight + " requests awaiting responses"));
            return;
        }
        pending.put(request.correlationId, request);
        pendingCount = pending.size();
        enqueue(request.send);
    }

    @Override
    void onFrame(final ByteBuffer body, final boolean pass)
    {
        loop.budget.releaseFrame(body.limit(), pass); // the body is handed over to the caller
        if (body.limit() < RpcResponseHeaderEncoder.ENCODED_LENGTH)
        {
            close(CloseReason.IO_ERROR, new StreamCorruptedException(
                "response of " + body.limit() + " bytes is shorter than the RPC response header"));
            return;
        }
        responseBuffer.wrap(body, 0, body.limit());
        responseHeader.wrap(responseBuffer, 0);
        final int correlationId = responseHeader.correlationId();
        final short errorCode = responseHeader.errorCode();
        responseBuffer.wrap(0, 0);
        final PendingRequest request = pending.remove(correlationId);
        if (null == request)
        {
            TransportCounters.add(loop.counters, Counter.UNMATCHED_RESPONSES, 1);
            return;
        }
        pendingCount = pending.size();
        body.position(RpcResponseHeaderEncoder.ENCODED_LENGTH);
        request.future.complete(new RpcResponse(correlationId, errorCode, body));
    }

    @Override
    void onTick(final long nowNs)
    {
        if (connecting)
        {
            if (nowNs - connectDeadlineNs > 0)
            {
                TransportCounters.add(loop.counters, Counter.CONNECT_FAILURES, 1);
                close(CloseReason.CONNECT_FAILED, new TransportException(TransportException.Code.CONNECT_TIMEOUT,
                    "connect to " + remoteAddress() + " not established within " +
                    loop.config.connectTimeoutMs() + " ms"));
            }
            return;
        }
        if (!pending.isEmpty())
        {
            final Iterator<PendingRequest> it = pending.values().iterator();
            while (it.hasNext())
            {
                final PendingRequest request = it.next();
                if (nowNs - request.deadlineNs > 0)
                {
                    it.remove();
                    TransportCounters.add(loop.counters, Counter.REQUEST_TIMEOUTS, 1);
                    request.future.completeExceptionally(new TransportException(
                        TransportException.Code.REQUEST_TIMEOUT,
                        "request correlationId=" + request.correlationId + " apiKey=" + request.apiKey + " to " +
                        remoteAddress() + " got no response within " + request.timeoutMs + " ms"));
                }
            }
            pendingCount = pending.size();
        }
        super.onTick(nowNs);
    }

    @Override
    boolean inFlightFull()
    {
        return false;
    }

    @Override
    boolean hasWorkInFlight()
    {
        return connecting || !pending.isEmpty();
    }

    @Override
    boolean sendsPauseReads()
    {
        return false;
    }

    @Override
    boolean readDeadlineApplies()
    {
        return false; // a response's pace is the server's; the request timeout bounds the wait
    }

    @Override
    void onClosed(final CloseReason reason, final Throwable error)
    {
        client.onClosed(this);
        if (connecting)
        {
            connecting = false;
            if (reason == CloseReason.CONNECT_FAILED && error instanceof TransportException)
            {
                connectFuture.completeExceptionally(error);
            }
            else
            {
                connectFuture.completeExceptionally(new TransportException(TransportException.Code.CONNECT_FAILED,
                    "connect to " + remoteAddress() + " failed: " + reason, error));
            }
        }
        if (!pending.isEmpty())
        {
            final TransportException closed = closedException(reason, error);
            for (final PendingRequest request : pending.values())
            {
                request.future.completeExceptionally(closed);
            }
            pending.clear();
            pendingCount = 0;
        }
    }

    private static void checkShort(final String name, final int value)
    {
        if (value < 0 || value > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException(name + "=" + value + " is out of range [0, " + Short.MAX_VALUE + "]");
        }
    }

    /**
     * A one-way request on its way to the selector thread.
     */
    static final class OneWaySend extends LoopTask
    {
        private final ClientConnectionImpl connection;
        private final Send send;

        OneWaySend(final ClientConnectionImpl connection, final Send send)
        {
            this.connection = connection;
            this.send = send;
        }

        @Override
        void run(final EventLoop loop)
        {
            connection.onOneWay(send);
        }

        @Override
        void fail(final TransportException error)
        {
            failSend(send, error);
        }
    }

    /**
     * A request on its way to the selector thread, then awaiting its response.
     */
    static final class PendingRequest extends LoopTask
    {
        final ClientConnectionImpl connection;
        final int correlationId;
        final int apiKey;
        final Send send;
        final long deadlineNs;
        final long timeoutMs;
        final CompletableFuture<RpcResponse> future;

        PendingRequest(
            final ClientConnectionImpl connection,
            final int correlationId,
            final int apiKey,
            final Send send,
            final long deadlineNs,
            final long timeoutMs,
            final CompletableFuture<RpcResponse> future)
        {
            this.connection = connection;
            this.correlationId = correlationId;
            this.apiKey = apiKey;
            this.send = send;
            this.deadlineNs = deadlineNs;
            this.timeoutMs = timeoutMs;
            this.future = future;
        }

        @Override
        void run(final EventLoop loop)
        {
            connection.onSubmitted(this);
        }

        @Override
        void fail(final TransportException error)
        {
            future.completeExceptionally(error);
            failSend(send, error);
        }
    }
}
