package io.tidemark.broker.network;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tidemark.transport.Connection;
import io.tidemark.transport.InboundFrame;
import io.tidemark.transport.LogText;

/**
 * The requests of one connection, handed from its selector thread to the request handler pool and run
 * one at a time in arrival order (so an idempotent producer's pipelined produces reach the log in send
 * order). A handler that completes asynchronously does not hold the session: the next request starts,
 * and the transport still sends responses in request order.
 *
 * <pre>
 *   selector thread: onFrame ──► queue ──(first frame schedules the session)──► handler pool thread:
 *                                                                               process frames in order
 * </pre>
 */
public final class ConnectionSession implements Runnable
{
    private static final int MAX_FRAMES_PER_RUN = 16;

    private final Connection connection;
    private final String listenerName;
    private final RequestProcessor processor;
    private final Executor executor;
    private final ConcurrentLinkedQueue<InboundFrame> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * @param connection   the connection.
     * @param listenerName its listener.
     * @param processor    handles frames.
     * @param executor     the request handler pool.
     */
    public ConnectionSession(final Connection connection, final String listenerName, final RequestProcessor processor,
        final Executor executor)
    {
        this.connection = connection;
        this.listenerName = listenerName;
        this.processor = processor;
        this.executor = executor;
    }

    /**
     * @return the connection.
     */
    public Connection connection()
    {
        return connection;
    }

    /**
     * @return the listener it arrived on.
     */
    public String listenerName()
    {
        return listenerName;
    }

    /**
     * Queues a frame (selector thread).
     *
     * @param frame the frame.
     */
    public void enqueue(final InboundFrame frame)
    {
        queue.add(frame);
        schedule();
    }

    private void schedule()
    {
        if (scheduled.compareAndSet(false, true))
        {
            try
            {
                executor.execute(this);
            }
            catch (final RejectedExecutionException ex)
            {
                // shutting down: nothing will run these frames
                InboundFrame f;
                while ((f = queue.poll()) != null)
                {
                    f.noResponse();
                }
                connection.close();
            }
        }
    }

    @Override
    public void run()
    {
        int n = 0;
        InboundFrame frame;
        while (n < MAX_FRAMES_PER_RUN && (frame = queue.poll()) != null)
        {
            n++;
            // a request fully received is handled even if the client has gone since (an acks=0 produce
            // followed by a close must still be appended); its response is then discarded by the transport
            try
            {
                processor.process(this, frame);
            }
            catch (final RuntimeException ex)
            {
                // process() already completed the frame and closed the connection; this is a bug: fail loudly,
                // keep the pool thread
                System.getLogger(ConnectionSession.class.getName()).log(System.Logger.Level.ERROR,
                    "request processing failed on connection " + connection.id(), LogText.safe(ex));
            }
        }
        scheduled.set(false);
        if (!queue.isEmpty())
        {
            schedule();
        }
    }
}
