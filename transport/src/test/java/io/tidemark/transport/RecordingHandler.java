package io.tidemark.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what a server tells its handler; echoes each frame back when {@code echo} is set.
 */
final class RecordingHandler implements FrameHandler
{
    record Closed(Connection connection, CloseReason reason, Throwable error)
    {
    }

    final boolean echo;
    final List<Connection> opened = new CopyOnWriteArrayList<>();
    final List<InboundFrame> frames = new CopyOnWriteArrayList<>();
    final List<Closed> closed = new CopyOnWriteArrayList<>();

    RecordingHandler(final boolean echo)
    {
        this.echo = echo;
    }

    static RecordingHandler echo()
    {
        return new RecordingHandler(true);
    }

    static RecordingHandler silent()
    {
        return new RecordingHandler(false);
    }

    @Override
    public void onOpen(final Connection connection)
    {
        opened.add(connection);
    }

    @Override
    public void onFrame(final Connection connection, final InboundFrame frame)
    {
        frames.add(frame);
        if (echo)
        {
            frame.respond(Send.of(frame.body()));
        }
    }

    @Override
    public void onClose(final Connection connection, final CloseReason reason, final Throwable error)
    {
        closed.add(new Closed(connection, reason, error));
    }

    boolean closedWith(final CloseReason reason)
    {
        for (final Closed c : closed)
        {
            if (c.reason() == reason)
            {
                return true;
            }
        }
        return false;
    }
}
