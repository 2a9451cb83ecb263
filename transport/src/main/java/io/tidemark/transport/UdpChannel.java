package io.tidemark.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A UDP endpoint for the replication experiments (DESIGN §5), measured against TCP. No framing, ordering,
 * retransmission or flow control: each {@link #send} is one datagram, which may be lost, duplicated or
 * reordered. Received datagrams go to a {@link DatagramHandler} on one selector thread
 * ({@code tidemark-transport-udp-<port>}) in a reused buffer, so receiving allocates nothing.
 *
 * <pre>
 *   any thread ── send(payload, target) ──► socket        returns bytes sent or a negative code, never blocks
 *   socket ──► selector thread ──► DatagramHandler.onDatagram(sender, payload)   (payload valid during the call)
 * </pre>
 *
 * Datagrams above {@code maxDatagramBytes} are refused on send ({@link #TOO_LARGE}) and dropped on receipt
 * (counted as {@link Counter#DATAGRAMS_OVERSIZED}). Uses {@code socketSendBufferBytes},
 * {@code socketReceiveBufferBytes} and {@code maxDatagramBytes} of its {@link TransportConfig}.
 */
public final class UdpChannel implements AutoCloseable
{
    /** The socket buffer is full: nothing was sent; retry later. */
    public static final int BACK_PRESSURED = -1;
    /** The channel is closed: nothing was sent. */
    public static final int CLOSED = -2;
    /** The payload exceeds {@code maxDatagramBytes}: nothing was sent. */
    public static final int TOO_LARGE = -3;
    /** The socket reported an error (e.g. unreachable target): nothing was sent. */
    public static final int SEND_ERROR = -4;

    private static final int MAX_DATAGRAMS_PER_WAKE = 64;
    private static final int LOOP_ROW = 0;
    private static final int SENDER_ROW = 1;

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final DatagramHandler handler;
    private final EventLoop loop;
    private final TransportCounters counters;
    private final AtomicLongArray loopCounters;
    private final AtomicLongArray senderCounters;
    private final ByteBuffer receiveBuffer;
    private final int maxDatagramBytes;
    private volatile boolean closed;

    private UdpChannel(final TransportConfig config, final InetSocketAddress bindAddress, final DatagramHandler handler)
        throws IOException
    {
        this.handler = handler;
        maxDatagramBytes = config.maxDatagramBytes();
        counters = new TransportCounters(2);
        loopCounters = counters.row(LOOP_ROW);
        senderCounters = counters.row(SENDER_ROW);
        receiveBuffer = ByteBuffer.allocateDirect(maxDatagramBytes + 1); // one spare byte detects oversize
        channel = DatagramChannel.open();
        try
        {
            if (config.socketSendBufferBytes() > 0)
            {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, config.socketSendBufferBytes());
            }
            if (config.socketReceiveBufferBytes() > 0)
            {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBufferBytes());
            }
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            localAddress = (InetSocketAddress)channel.getLocalAddress();
            loop = new EventLoop(0, "tidemark-transport-udp-" + localAddress.getPort(), config, loopCounters,
                new MemoryBudget(config.maxQueuedRequestBytes()));
            channel.register(loop.selector, SelectionKey.OP_READ, (EventLoop.ReadyHandler)this::onReadable);
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                channel.close();
            }
            catch (final IOException closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            throw ex;
        }
        loop.start();
    }

    /**
     * Binds and starts receiving.
     *
     * @param config      socket buffers and {@code maxDatagramBytes}.
     * @param bindAddress where to bind; port 0 picks a free port.
     * @param handler     receives datagrams on the selector thread.
     * @return the open channel.
     * @throws UncheckedIOException when the address cannot be bound.
     */
    public static UdpChannel open(
        final TransportConfig config, final InetSocketAddress bindAddress, final DatagramHandler handler)
    {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(handler, "handler");
        try
        {
            return new UdpChannel(config, bindAddress, handler);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind UDP " + bindAddress, ex);
        }
    }

    /**
     * Sends one datagram, from any thread, without blocking.
     *
     * @param payload its remaining bytes are the datagram; its position advances only when sent.
     * @param target  where to send it.
     * @return bytes sent (&gt;= 0), or {@link #BACK_PRESSURED}, {@link #CLOSED}, {@link #TOO_LARGE},
     *         {@link #SEND_ERROR}.
     */
    public int send(final ByteBuffer payload, final InetSocketAddress target)
    {
        if (closed)
        {
            return CLOSED;
        }
        if (payload.remaining() > maxDatagramBytes)
        {
            return TOO_LARGE;
        }
        try
        {
            final int sent = channel.send(payload, target);
            if (sent == 0 && payload.hasRemaining())
            {
                TransportCounters.addShared(senderCounters, Counter.DATAGRAMS_BACK_PRESSURED, 1);
                return BACK_PRESSURED;
            }
            TransportCounters.addShared(senderCounters, Counter.DATAGRAMS_SENT, 1);
            return sent;
        }
        catch (final ClosedChannelException ex)
        {
            return CLOSED;
        }
        catch (final IOException ex)
        {
            TransportCounters.addShared(senderCounters, Counter.IO_ERRORS, 1);
            return SEND_ERROR;
        }
    }

    /**
     * @return the bound port.
     */
    public int port()
    {
        return localAddress.getPort();
    }

    /**
     * @return the bound address.
     */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * @return datagram counters (received, sent, oversized, back-pressured, errors).
     */
    public TransportCounters counters()
    {
        return counters;
    }

    /**
     * Stops receiving and closes the socket; later sends return {@link #CLOSED}. Idempotent.
     *
     * @throws IllegalStateException when called from the channel's own selector thread.
     */
    @Override
    public synchronized void close()
    {
        if (loop.inLoopThread())
        {
            throw new IllegalStateException("UdpChannel.close() called from its own selector thread");
        }
        if (!closed)
        {
            closed = true;
            loop.stop();
            loop.join();
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                EventLoop.LOG.log(System.Logger.Level.WARNING, "closing UDP channel " + localAddress, ex);
            }
        }
    }

    private void onReadable(final SelectionKey key)
    {
        for (int i = 0; i < MAX_DATAGRAMS_PER_WAKE; i++)
        {
            receiveBuffer.clear();
            final SocketAddress sender;
            try
            {
                sender = channel.receive(receiveBuffer);
            }
            catch (final IOException ex)
            {
                TransportCounters.add(loopCounters, Counter.IO_ERRORS, 1);
                return;
            }
            if (null == sender)
            {
                return;
            }
            if (receiveBuffer.position() > maxDatagramBytes)
            {
                TransportCounters.add(loopCounters, Counter.DATAGRAMS_OVERSIZED, 1);
                continue;
            }
            receiveBuffer.flip();
            TransportCounters.add(loopCounters, Counter.DATAGRAMS_RECEIVED, 1);
            try
            {
                handler.onDatagram((InetSocketAddress)sender, receiveBuffer);
            }
            catch (final RuntimeException ex)
            {
                TransportCounters.add(loopCounters, Counter.HANDLER_ERRORS, 1);
                EventLoop.LOG.log(System.Logger.Level.WARNING, "DatagramHandler threw on " + localAddress, LogText.safe(ex));
            }
        }
    }
}
