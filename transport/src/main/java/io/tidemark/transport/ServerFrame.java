package io.tidemark.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The {@link InboundFrame} of a server connection. It is also the {@link LoopTask} that carries its completion
 * back to the selector thread, so completing a frame allocates nothing. Two CAS-guarded flags make completion
 * and budget release happen once each, from any thread.
 */
final class ServerFrame extends LoopTask implements InboundFrame
{
    private static final VarHandle STATE;
    private static final VarHandle RELEASED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(ServerFrame.class, "state", int.class);
            RELEASED = lookup.findVarHandle(ServerFrame.class, "released", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ServerConnection connection;
    private final long sequence;
    private final ByteBuffer body;
    private final int length;
    private final long receivedNs;
    private final boolean pass;
    private Send response; // written before the completing CAS and the queue push, read by the loop after drain
    boolean done; // loop thread only
    @SuppressWarnings("unused")
    private volatile int state;
    @SuppressWarnings("unused")
    private volatile int released;

    ServerFrame(
        final ServerConnection connection, final long sequence, final ByteBuffer body, final long receivedNs, final boolean pass)
    {
        this.pass = pass;
        this.connection = connection;
        this.sequence = sequence;
        this.body = body;
        this.length = body.limit();
        this.receivedNs = receivedNs;
    }

    @Override
    public Connection connection()
    {
        return connection;
    }

    @Override
    public ByteBuffer body()
    {
        return body;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public long sequence()
    {
        return sequence;
    }

    @Override
    public long receivedNs()
    {
        return receivedNs;
    }

    @Override
    public boolean respond(final Send response)
    {
        Objects.requireNonNull(response, "response");
        response.claim();
        return respondClaimed(response);
    }

    /**
     * Completes with a send the caller already claimed (the RPC layer claims it before writing its header).
     */
    boolean respondClaimed(final Send response)
    {
        return complete(response);
    }

    @Override
    public boolean noResponse()
    {
        return complete(null);
    }

    private boolean complete(final Send response)
    {
        if (!STATE.compareAndSet(this, 0, 1))
        {
            throw new IllegalStateException("frame " + sequence + " on connection " + connection.id() +
                " already completed");
        }
        this.response = response;
        release();
        connection.loop.submit(this);
        return connection.isOpen();
    }

    boolean isCompleted()
    {
        return (int)STATE.getVolatile(this) != 0;
    }

    @Override
    public void release()
    {
        if (RELEASED.compareAndSet(this, 0, 1))
        {
            connection.loop.budget.releaseFrame(length, pass);
        }
    }

    Send response()
    {
        return response;
    }

    @Override
    void run(final EventLoop loop)
    {
        connection.onCompleted(this);
    }

    @Override
    void fail(final TransportException error)
    {
        if (null != response)
        {
            TcpConnection.failSend(response, error);
        }
    }

    @Override
    public String toString()
    {
        return "InboundFrame{connection=" + connection.id() + ", sequence=" + sequence + ", length=" + length + "}";
    }
}
