package io.tidemark.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * State of one socket, owned by its {@link EventLoop}: the framing read state machine, the outbound send queue
 * and the read interest that implements back-pressure. Subclasses decide what a received frame means (a
 * request on a server, a response on a client).
 *
 * <pre>
 *  read:   [length: 4 bytes] ─► check 0 &lt; length &lt;= maxFrameBytes
 *          ─► per chunk: reserve budget for the chunk ─► read into the loop's scratch ─► give back what did
 *             not arrive ─► copy into the body (grown by doubling, never past length)
 *          ─► [body: length bytes] ─► onFrame(body)          (each step resumes where a partial read stopped)
 *  reads pause (OP_READ off) while: in-flight full │ queued send bytes over limit │ waiting for budget
 *  write:  outbound sends in order; OP_WRITE only while one is partially written
 * </pre>
 *
 * A frame's declared length reserves nothing: only bytes that arrived hold memory (at most twice as many, the
 * body's doubling), so a peer that declares the maximum and goes silent holds nothing (see {@link MemoryBudget}
 * for the share of frames still arriving and the pass that lets a large frame finish). On a server, a frame must
 * arrive within {@code frameReadTimeoutMs} of its first byte, time that reads were paused by this side aside;
 * a slower peer is closed with {@link CloseReason#FRAME_READ_TIMEOUT}. Nothing of a frame outlives its delivery
 * or its connection: the body is handed over, the reservation released.
 */
abstract class TcpConnection implements Connection
{
    private static final int MAX_FRAMES_PER_READ = 64;
    /** Bytes read from one socket per wake-up before yielding to the other connections of the loop. */
    private static final int MAX_BYTES_PER_READ = 4 * 1024 * 1024;
    /**
     * Most bytes moved between a socket and a heap buffer per call: the JDK copies through a temporary direct
     * buffer as large as the call and caches it on the thread, so an uncapped 100 MiB frame would pin 100 MiB.
     */
    static final int IO_CHUNK_BYTES = 256 * 1024;
    private static final VarHandle CLOSE_REQUESTED;

    static
    {
        try
        {
            CLOSE_REQUESTED = MethodHandles.lookup().findVarHandle(TcpConnection.class, "closeRequested", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final EventLoop loop;
    final SocketChannel channel;
    private final long id;
    private final InetSocketAddress remoteAddress;
    private final int maxFrameBytes;
    private final long maxQueuedSendBytes;
    private final long idleNs;
    private final long frameReadTimeoutNs;
    private final ByteBuffer lengthBuffer = ByteBuffer.allocate(Send.LENGTH_FIELD_BYTES);
    private final ArrayDeque<Send> outbound = new ArrayDeque<>();

    int loopSlot = -1;
    SelectionKey key;
    private int interestOps;
    private volatile boolean open = true;
    private volatile Object attachment;
    @SuppressWarnings("unused")
    private volatile int closeRequested;

    private CloseReason closeReason;
    private Throwable closeError;
    private ByteBuffer body;
    private int frameLength;
    private long frameStartNs;
    private int reservedBytes;
    private boolean onPass;
    private int waitingBytes;
    private boolean waitingCompletes;
    private boolean waitingMemory;
    private boolean pausedByApplication;
    private Send current;
    private long queuedSendBytes;
    long lastActivityNs;

    TcpConnection(final EventLoop loop, final SocketChannel channel, final long id, final InetSocketAddress remote)
    {
        this.loop = loop;
        this.channel = channel;
        this.id = id;
        this.remoteAddress = remote;
        final TransportConfig config = loop.config;
        maxFrameBytes = config.maxFrameBytes();
        maxQueuedSendBytes = config.maxQueuedSendBytes();
        idleNs = config.connectionsMaxIdleMs() * 1_000_000L;
        frameReadTimeoutNs = config.frameReadTimeoutMs() * 1_000_000L;
        lastActivityNs = loop.nowNs;
    }

    static void configure(final SocketChannel channel, final TransportConfig config) throws IOException
    {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (config.socketSendBufferBytes() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, config.socketSendBufferBytes());
        }
        if (config.socketReceiveBufferBytes() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBufferBytes());
        }
    }

    /**
     * Registers with the selector; runs on the loop thread.
     */
    final void register(final int ops) throws IOException
    {
        interestOps = ops;
        key = channel.register(loop.selector, ops, this);
        loop.add(this);
    }

    @Override
    public final long id()
    {
        return id;
    }

    @Override
    public final InetSocketAddress remoteAddress()
    {
        return remoteAddress;
    }

    @Override
    public final boolean isOpen()
    {
        return open;
    }

    @Override
    public final void attach(final Object attachment)
    {
        this.attachment = attachment;
    }

    @Override
    public final Object attachment()
    {
        return attachment;
    }

    @Override
    public final void close()
    {
        if (open && CLOSE_REQUESTED.compareAndSet(this, 0, 1))
        {
            loop.submit(new CloseTask(this));
        }
    }

    @Override
    public final void pauseReads()
    {
        loop.submit(new PauseTask(this, true));
    }

    @Override
    public final void resumeReads()
    {
        loop.submit(new PauseTask(this, false));
    }

    /**
     * A complete frame body (position 0, limit length) whose bytes are reserved in the budget.
     *
     * @param body the body.
     * @param pass true when it completed on the budget's pass: release it with
     *             {@code MemoryBudget.releaseFrame(length, true)}.
     */
    abstract void onFrame(ByteBuffer body, boolean pass);

    /** True when a frame must arrive within {@code frameReadTimeoutMs} of its first byte (server connections). */
    abstract boolean readDeadlineApplies();

    /** True while no new frame may be read because too many await completion. */
    abstract boolean inFlightFull();

    /** True while something is pending that the idle timeout must not cut off. */
    abstract boolean hasWorkInFlight();

    /** True when queued send bytes over the limit pause reads (servers); clients keep reading responses. */
    abstract boolean sendsPauseReads();

    /** Called once, on the loop thread, after the socket closed and the queued sends failed. */
    abstract void onClosed(CloseReason reason, Throwable error);

    void onConnectable()
    {
        throw new IllegalStateException("not connecting");
    }

    final void onReady(final SelectionKey key) throws IOException
    {
        if (!key.isValid())
        {
            return;
        }
        final int ready = key.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0)
        {
            onConnectable();
        }
        if (open && (ready & SelectionKey.OP_WRITE) != 0)
        {
            flush();
        }
        if (open && (ready & SelectionKey.OP_READ) != 0)
        {
            read();
        }
    }

    void onTick(final long nowNs)
    {
        if (readDeadlineApplies() && frameInProgress() && readingNotPausedHere() &&
            nowNs - frameStartNs > frameReadTimeoutNs)
        {
            TransportCounters.add(loop.counters, Counter.FRAME_READ_TIMEOUTS, 1);
            final int received = null == body ? 0 : body.position();
            close(CloseReason.FRAME_READ_TIMEOUT, new IOException("frame from " + remoteAddress + " not received within " +
                loop.config.frameReadTimeoutMs() + " ms (frameReadTimeoutMs) of its first byte: " +
                (0 == frameLength ? lengthBuffer.position() + " of 4 length bytes" : received + " of " + frameLength + " bytes")));
            return;
        }
        if (nowNs - lastActivityNs > idleNs && !hasWorkInFlight() && !waitingMemory && !pausedByApplication &&
            null == current && outbound.isEmpty())
        {
            TransportCounters.add(loop.counters, Counter.IDLE_TIMEOUTS, 1);
            close(CloseReason.IDLE_TIMEOUT, new IOException(
                "connection " + id + " idle for more than " + loop.config.connectionsMaxIdleMs() + " ms"));
        }
    }

    private boolean frameInProgress()
    {
        return 0 != frameLength || lengthBuffer.position() > 0;
    }

    /** True unless this side paused reading (memory, the application, queued sends): then the peer is not slow. */
    private boolean readingNotPausedHere()
    {
        return !waitingMemory && !pausedByApplication && !(sendsPauseReads() && queuedSendBytes > maxQueuedSendBytes);
    }

    private void read() throws IOException
    {
        int frames = 0;
        int bytes = 0;
        while (open && frames < MAX_FRAMES_PER_READ && bytes < MAX_BYTES_PER_READ)
        {
            if (0 == frameLength)
            {
                if (!readAllowed())
                {
                    break;
                }
                final boolean first = 0 == lengthBuffer.position();
                final int n = channel.read(lengthBuffer);
                if (n < 0)
                {
                    onEndOfStream(lengthBuffer.position() > 0);
                    return;
                }
                if (first && n > 0)
                {
                    frameStartNs = loop.nowNs;
                }
                received(n);
                if (lengthBuffer.hasRemaining())
                {
                    break;
                }
                final int length = lengthBuffer.getInt(0);
                lengthBuffer.clear();
                if (!checkLength(length))
                {
                    return;
                }
                frameLength = length;
            }
            final int received = null == body ? 0 : body.position();
            final int remaining = frameLength - received;
            final int attempted = Math.min(remaining, IO_CHUNK_BYTES);
            final int capacity = null == body ? 0 : body.capacity();
            int reserved = 0;
            if (!onPass)
            {
                final int grow = Math.max(0, newCapacity(received + attempted) - capacity);
                final boolean completes = attempted == remaining && remaining <= MemoryBudget.SMALL_FRAME_BYTES;
                if (grow > 0)
                {
                    if (loop.budget.tryReserveAssembling(grow, completes))
                    {
                        reserved = grow;
                        reservedBytes += grow;
                    }
                    else if (!takePass())
                    {
                        waitForMemory(grow, completes);
                        break;
                    }
                }
            }
            final ByteBuffer scratch = loop.readScratch();
            scratch.clear().limit(attempted);
            final int n = channel.read(scratch);
            if (n < 0)
            {
                onEndOfStream(true);
                return;
            }
            if (reserved > 0)
            {
                final int unused = reserved - Math.max(0, newCapacity(received + n) - capacity);
                if (unused > 0)
                {
                    reservedBytes -= unused;
                    loop.budget.unreserveAssembling(unused);
                }
            }
            if (n > 0)
            {
                append(scratch, received + n);
            }
            received(n);
            bytes += n;
            if (received + n < frameLength)
            {
                if (n < attempted)
                {
                    break; // socket drained
                }
                continue;
            }
            deliverCompleteFrame();
            frames++;
        }
        updateInterest();
    }

    /**
     * The body capacity that holds {@code needed} bytes: exactly the frame when it fits, else doubling (so copies
     * total less than the frame), never past the frame's length.
     */
    private int newCapacity(final int needed)
    {
        final int capacity = null == body ? 0 : body.capacity();
        if (needed <= capacity)
        {
            return capacity;
        }
        if (needed >= frameLength)
        {
            return frameLength;
        }
        return (int)Math.min(frameLength, Math.max(needed, 2L * capacity));
    }

    private void append(final ByteBuffer scratch, final int needed)
    {
        final int target = newCapacity(needed);
        if (null == body)
        {
            body = ByteBuffer.allocate(target); // only bytes that arrived, within the budget just reserved
        }
        else if (target > body.capacity())
        {
            final ByteBuffer grown = ByteBuffer.allocate(target);
            body.flip();
            grown.put(body);
            body = grown;
        }
        scratch.flip();
        body.put(scratch);
    }

    private boolean takePass()
    {
        if (0 == reservedBytes || !loop.budget.tryTakePass(reservedBytes))
        {
            return false;
        }
        onPass = true;
        reservedBytes = 0;
        TransportCounters.add(loop.counters, Counter.MEMORY_PASSES, 1);
        return true;
    }

    private void waitForMemory(final int bytes, final boolean completes)
    {
        waitingBytes = bytes;
        waitingCompletes = completes;
        waitingMemory = true;
        loop.waitForMemory(this);
        TransportCounters.add(loop.counters, Counter.READ_PAUSED_MEMORY, 1);
    }

    private void deliverCompleteFrame()
    {
        final ByteBuffer frame = body;
        final boolean pass = onPass;
        assert pass || reservedBytes == frame.capacity() : reservedBytes + " reserved for a frame of " + frame.capacity();
        if (!pass)
        {
            loop.budget.assembled(reservedBytes);
        }
        body = null;
        frameLength = 0;
        reservedBytes = 0;
        onPass = false;
        frame.flip();
        TransportCounters.add(loop.counters, Counter.FRAMES_RECEIVED, 1);
        deliver(frame, pass);
    }

    private boolean checkLength(final int length)
    {
        if (length <= 0)
        {
            TransportCounters.add(loop.counters, Counter.INVALID_FRAME_LENGTH, 1);
            close(CloseReason.INVALID_FRAME_LENGTH, new StreamCorruptedException(
                "frame length " + length + " from " + remoteAddress + " must be > 0"));
            return false;
        }
        if (length > maxFrameBytes)
        {
            TransportCounters.add(loop.counters, Counter.FRAME_TOO_LARGE, 1);
            close(CloseReason.FRAME_TOO_LARGE, new StreamCorruptedException(
                "frame length " + length + " from " + remoteAddress + " exceeds maxFrameBytes=" + maxFrameBytes));
            return false;
        }
        return true;
    }

    private void deliver(final ByteBuffer frame, final boolean pass)
    {
        try
        {
            onFrame(frame, pass);
        }
        catch (final Throwable t)
        {
            TransportCounters.add(loop.counters, Counter.HANDLER_ERRORS, 1);
            close(CloseReason.HANDLER_ERROR, t);
        }
    }

    private void onEndOfStream(final boolean midFrame)
    {
        if (midFrame)
        {
            TransportCounters.add(loop.counters, Counter.TRUNCATED_FRAMES, 1);
            close(CloseReason.TRUNCATED_FRAME, new EOFException("peer " + remoteAddress + " closed mid-frame"));
        }
        else
        {
            close(CloseReason.PEER_CLOSED, null);
        }
    }

    private void received(final int n)
    {
        if (n > 0)
        {
            TransportCounters.add(loop.counters, Counter.BYTES_RECEIVED, n);
            lastActivityNs = loop.nowNs;
        }
    }

    private boolean readAllowed()
    {
        return !pausedByApplication && !waitingMemory && !inFlightFull() &&
            !(sendsPauseReads() && queuedSendBytes > maxQueuedSendBytes);
    }

    /**
     * Resumes reading on a connection paused for memory once its reservation (or the pass) could succeed.
     *
     * @return true when reading resumed.
     */
    final boolean resumeAfterMemoryWait()
    {
        if (!waitingMemory)
        {
            return true;
        }
        if (!loop.budget.couldReserve(waitingBytes, waitingCompletes, reservedBytes > 0))
        {
            return false;
        }
        waitingMemory = false; // the read retries the reservation (another connection may have taken it first)
        updateInterest();
        return true;
    }

    /**
     * Queues a send behind earlier ones and writes what the socket takes now. Loop thread only.
     */
    final void enqueue(final Send send)
    {
        if (!open)
        {
            failSend(send, closedException());
            return;
        }
        outbound.addLast(send);
        queuedSendBytes += send.frameBytes();
        if (null == current)
        {
            flush();
        }
        else
        {
            updateInterest();
        }
    }

    final void flush()
    {
        try
        {
            while (true)
            {
                if (null == current)
                {
                    current = outbound.pollFirst();
                    if (null == current)
                    {
                        break;
                    }
                    current.prepare();
                }
                final long n = current.writeTo(channel);
                if (n > 0)
                {
                    TransportCounters.add(loop.counters, Counter.BYTES_SENT, n);
                    lastActivityNs = loop.nowNs;
                }
                if (!current.isComplete())
                {
                    break;
                }
                final Send done = current;
                current = null;
                queuedSendBytes -= done.frameBytes();
                TransportCounters.add(loop.counters, Counter.FRAMES_SENT, 1);
                logCallbackError(done.complete(null));
            }
        }
        catch (final EOFException ex)
        {
            TransportCounters.add(loop.counters, Counter.SEND_FAILURES, 1);
            failCurrent(ex);
            close(CloseReason.SEND_FAILED, ex);
            return;
        }
        catch (final IOException ex)
        {
            TransportCounters.add(loop.counters, Counter.IO_ERRORS, 1);
            failCurrent(ex);
            close(CloseReason.IO_ERROR, ex);
            return;
        }
        updateInterest();
    }

    private void failCurrent(final IOException ex)
    {
        final Send failed = current;
        if (null != failed)
        {
            current = null;
            queuedSendBytes -= failed.frameBytes();
            logCallbackError(failed.complete(ex));
        }
    }

    final void updateInterest()
    {
        if (!open)
        {
            return;
        }
        final boolean wantRead = readAllowed();
        final int ops = (wantRead ? SelectionKey.OP_READ : 0) |
            (null != current ? SelectionKey.OP_WRITE : 0) |
            (interestOps & SelectionKey.OP_CONNECT);
        if (ops != interestOps)
        {
            if ((interestOps & SelectionKey.OP_READ) == 0 && wantRead && frameInProgress())
            {
                frameStartNs = loop.nowNs; // reading was paused here mid-frame: the deadline starts again
            }
            if ((interestOps & SelectionKey.OP_READ) != 0 && !wantRead && !waitingMemory && !pausedByApplication)
            {
                TransportCounters.add(loop.counters, inFlightFull() ?
                    Counter.READ_PAUSED_IN_FLIGHT : Counter.READ_PAUSED_QUEUED_SEND_BYTES, 1);
            }
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    final void setConnected()
    {
        interestOps &= ~SelectionKey.OP_CONNECT;
        key.interestOps(interestOps);
        updateInterest();
    }

    /**
     * Closes the socket and fails every queued send. Loop thread only; idempotent.
     */
    final void close(final CloseReason reason, final Throwable error)
    {
        if (!open)
        {
            return;
        }
        open = false;
        closeReason = reason;
        Throwable cause = error;
        if (null != key)
        {
            key.cancel();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            if (null == cause)
            {
                cause = ex;
            }
            else
            {
                cause.addSuppressed(ex);
            }
        }
        if (reservedBytes > 0)
        {
            loop.budget.releaseAssembling(reservedBytes);
            reservedBytes = 0;
        }
        if (onPass)
        {
            loop.budget.releasePass();
            onPass = false;
        }
        body = null;
        frameLength = 0;
        waitingMemory = false;
        loop.remove(this);
        TransportCounters.add(loop.counters, Counter.CONNECTIONS_CLOSED, 1);

        closeError = cause;
        final TransportException closed = closedException(reason, cause);
        if (null != current)
        {
            failSend(current, closed);
            current = null;
        }
        Send send;
        while (null != (send = outbound.pollFirst()))
        {
            failSend(send, closed);
        }
        queuedSendBytes = 0;
        onClosed(reason, cause);
    }

    /**
     * @return the error for work that reaches the connection after it closed, naming why it closed.
     */
    final TransportException closedException()
    {
        return closedException(null == closeReason ? CloseReason.LOCAL_CLOSE : closeReason, closeError);
    }

    final TransportException closedException(final CloseReason reason, final Throwable cause)
    {
        return new TransportException(TransportException.Code.CONNECTION_CLOSED,
            "connection " + id + " to " + remoteAddress + " closed: " + reason, cause);
    }

    static void failSend(final Send send, final Throwable error)
    {
        logCallbackError(send.complete(error));
    }

    static void logCallbackError(final Throwable error)
    {
        if (null != error)
        {
            EventLoop.LOG.log(System.Logger.Level.WARNING, "send completion callback threw", LogText.safe(error));
        }
    }

    long queuedSendBytes()
    {
        return queuedSendBytes;
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "{id=" + id + ", remote=" + remoteAddress + ", open=" + open + "}";
    }

    private static final class PauseTask extends LoopTask
    {
        private final TcpConnection connection;
        private final boolean pause;

        PauseTask(final TcpConnection connection, final boolean pause)
        {
            this.connection = connection;
            this.pause = pause;
        }

        @Override
        void run(final EventLoop loop)
        {
            if (pause && !connection.pausedByApplication && connection.open)
            {
                TransportCounters.add(loop.counters, Counter.READ_PAUSED_BY_APPLICATION, 1);
            }
            connection.pausedByApplication = pause;
            connection.lastActivityNs = loop.nowNs;
            connection.updateInterest();
        }

        @Override
        void fail(final TransportException error)
        {
        }
    }

    private static final class CloseTask extends LoopTask
    {
        private final TcpConnection connection;

        CloseTask(final TcpConnection connection)
        {
            this.connection = connection;
        }

        @Override
        void run(final EventLoop loop)
        {
            connection.close(CloseReason.LOCAL_CLOSE, null);
        }

        @Override
        void fail(final TransportException error)
        {
        }
    }
}
