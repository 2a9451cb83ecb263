package io.tidemark.broker.network;

import java.util.concurrent.Executor;

import io.tidemark.transport.CloseReason;
import io.tidemark.transport.Connection;
import io.tidemark.transport.FrameHandler;
import io.tidemark.transport.InboundFrame;
import io.tidemark.transport.LogText;

/**
 * The transport side of a Kafka listener: gives each connection a {@link ConnectionSession} and hands its
 * frames over; runs on the selector threads and never blocks. Framing errors (length 0, negative, over
 * {@code socket.request.max.bytes}, truncated) are handled by the transport, which closes the connection
 * before allocating anything; they are logged here.
 */
public final class KafkaFrameHandler implements FrameHandler
{
    private static final System.Logger LOG = System.getLogger(KafkaFrameHandler.class.getName());

    private final String listenerName;
    private final Executor executor;
    private volatile RequestProcessor processor;

    /**
     * @param listenerName the listener served.
     * @param executor     the request handler pool.
     */
    public KafkaFrameHandler(final String listenerName, final Executor executor)
    {
        this.listenerName = listenerName;
        this.executor = executor;
    }

    /**
     * Starts serving: until then (the listener is bound before the broker finished starting, so its port is
     * known) connections are closed as soon as they open.
     *
     * @param processor handles frames.
     */
    public void ready(final RequestProcessor processor)
    {
        this.processor = processor;
    }

    @Override
    public void onOpen(final Connection connection)
    {
        final RequestProcessor p = processor;
        if (p == null)
        {
            LOG.log(System.Logger.Level.INFO, "refusing connection from " + connection.remoteAddress() + ": the broker is starting");
            connection.close();
            return;
        }
        connection.attach(new ConnectionSession(connection, listenerName, p, executor));
    }

    @Override
    public void onFrame(final Connection connection, final InboundFrame frame)
    {
        final ConnectionSession session = (ConnectionSession)connection.attachment();
        if (session == null)
        {
            frame.noResponse();
            return;
        }
        session.enqueue(frame);
    }

    @Override
    public void onClose(final Connection connection, final CloseReason reason, final Throwable error)
    {
        switch (reason)
        {
            case INVALID_FRAME_LENGTH, FRAME_TOO_LARGE, TRUNCATED_FRAME, SEND_FAILED, HANDLER_ERROR ->
                LOG.log(System.Logger.Level.INFO, "connection " + connection.id() + " from " + connection.remoteAddress() +
                    " closed: " + reason + (error != null ? ": " + LogText.escape(error.getMessage()) : ""));
            default -> LOG.log(System.Logger.Level.DEBUG, "connection " + connection.id() + " closed: " + reason);
        }
    }
}
