package io.tidemark.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A connection accepted by a {@link TransportServer}. Keeps the requests awaiting completion in arrival order
 * in a fixed ring of {@code maxInFlightRequestsPerConnection} slots, and releases responses to the socket only
 * from the head of the ring, so responses leave in request order however they complete.
 *
 * <pre>
 *   ring:  head ─► [seq 7: done, response R7] [seq 8: pending] [seq 9: done, R9] ◄─ tail
 *   R7 is queued to the socket now; R9 waits until seq 8 completes; reads pause while the ring is full
 * </pre>
 */
final class ServerConnection extends TcpConnection
{
    private final FrameHandler handler;
    private final ServerFrame[] ring;
    private final Consumer<InetSocketAddress> onClosedCallback;
    private int head;
    private int count;
    private long nextSequence;

    ServerConnection(
        final EventLoop loop,
        final SocketChannel channel,
        final long id,
        final InetSocketAddress remote,
        final FrameHandler handler,
        final Consumer<InetSocketAddress> onClosedCallback)
    {
        super(loop, channel, id, remote);
        this.handler = handler;
        this.onClosedCallback = onClosedCallback;
        ring = new ServerFrame[loop.config.maxInFlightRequestsPerConnection()];
    }

    void onOpen()
    {
        try
        {
            handler.onOpen(this);
        }
        catch (final Throwable t)
        {
            TransportCounters.add(loop.counters, Counter.HANDLER_ERRORS, 1);
            close(CloseReason.HANDLER_ERROR, t);
        }
    }

    @Override
    void onFrame(final ByteBuffer body, final boolean pass)
    {
        final ServerFrame frame = new ServerFrame(this, nextSequence++, body, loop.nowNs, pass);
        ring[(head + count) % ring.length] = frame;
        count++;
        handler.onFrame(this, frame);
    }

    /**
     * A frame was completed (its task ran on this loop): release every completed frame at the head of the ring.
     */
    void onCompleted(final ServerFrame frame)
    {
        if (!isOpen())
        {
            final Send response = frame.response();
            if (null != response)
            {
                failSend(response, closedException());
            }
            return;
        }
        frame.done = true;
        final int capacity = ring.length;
        while (count > 0 && ring[head].done)
        {
            final ServerFrame completed = ring[head];
            ring[head] = null;
            head = (head + 1) % capacity;
            count--;
            final Send response = completed.response();
            if (null != response)
            {
                enqueue(response);
            }
        }
        updateInterest();
    }

    @Override
    boolean inFlightFull()
    {
        return count >= ring.length;
    }

    @Override
    boolean hasWorkInFlight()
    {
        return count > 0;
    }

    @Override
    boolean sendsPauseReads()
    {
        return true;
    }

    @Override
    boolean readDeadlineApplies()
    {
        return true;
    }

    int inFlight()
    {
        return count;
    }

    @Override
    void onClosed(final CloseReason reason, final Throwable error)
    {
        for (int i = 0; i < count; i++)
        {
            ring[(head + i) % ring.length].release();
        }
        onClosedCallback.accept(remoteAddress());
        try
        {
            handler.onClose(this, reason, error);
        }
        catch (final Throwable t)
        {
            EventLoop.LOG.log(System.Logger.Level.WARNING, "FrameHandler.onClose threw for " + this, LogText.safe(t));
        }
    }
}
