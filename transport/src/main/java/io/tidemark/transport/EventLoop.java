package io.tidemark.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

import org.agrona.concurrent.NanoClock;

/**
 * One selector thread: owns a {@link Selector} and the connections registered with it, and runs
 * {@link LoopTask}s queued from other threads. Single writer of everything it owns.
 *
 * <p>Failures: a connection's I/O failure closes that connection; a task's runtime exception is logged and
 * the loop goes on; an {@link Error} anywhere else (a task's included) stops the loop, closes its
 * connections and is rethrown to the thread's uncaught-exception handler, which in a broker process halts the
 * JVM: a process never serves on with a dead selector.
 *
 * <pre>
 *   loop:  select(tick) ─► ready keys (accept / connect / read / write)
 *            ─► queued tasks (responses, client requests, closes, registrations)
 *            ─► connections waiting for memory
 *            ─► every tick: idle timeouts, request and connect timeouts
 * </pre>
 *
 * A tick is {@code min(100 ms, shortest configured timeout / 10)} of the configured clock, so a timeout fires
 * at most one tick after it passes.
 */
final class EventLoop implements Runnable
{
    static final System.Logger LOG = System.getLogger("io.tidemark.transport");

    /** Key attachment of a channel that is not a {@link TcpConnection}: a listening socket, a datagram channel. */
    interface ReadyHandler
    {
        void onReady(SelectionKey key);
    }

    final int index;
    final TransportConfig config;
    final NanoClock clock;
    final AtomicLongArray counters;
    final MemoryBudget budget;
    final Selector selector;
    private final Thread thread;
    private final TaskQueue tasks = new TaskQueue();
    private final ArrayList<TcpConnection> connections = new ArrayList<>();
    private final ArrayDeque<TcpConnection> memoryWaiters = new ArrayDeque<>();
    private final Consumer<SelectionKey> keyHandler = this::onKey;
    private ByteBuffer readScratch;
    private final long tickMs;
    private final long tickNs;
    private long lastTickNs;
    long nowNs;
    private volatile boolean running = true;
    private volatile boolean closed;

    EventLoop(
        final int index,
        final String threadName,
        final TransportConfig config,
        final AtomicLongArray counters,
        final MemoryBudget budget) throws IOException
    {
        this.index = index;
        this.config = config;
        this.clock = config.nanoClock();
        this.counters = counters;
        this.budget = budget;
        this.selector = Selector.open();
        final long shortestMs = Math.min(Math.min(config.connectionsMaxIdleMs(), config.frameReadTimeoutMs()),
            Math.min(config.requestTimeoutMs(), config.connectTimeoutMs()));
        tickMs = Math.max(1, Math.min(100, shortestMs / 10));
        tickNs = tickMs * 1_000_000L;
        nowNs = clock.nanoTime();
        lastTickNs = nowNs;
        thread = new Thread(this, threadName);
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    boolean inLoopThread()
    {
        return Thread.currentThread() == thread;
    }

    /**
     * Queues a task for the selector thread, from any thread. When the loop has already stopped the task is
     * failed instead, on this thread.
     */
    void submit(final LoopTask task)
    {
        if (tasks.push(task) && !inLoopThread())
        {
            selector.wakeup();
        }
        if (closed)
        {
            // The loop may have drained for the last time before our push: whoever drains gets each task once.
            failAll(tasks.drain());
        }
    }

    void wakeupIfMemoryWaiters()
    {
        if (!inLoopThread())
        {
            selector.wakeup();
        }
    }

    void add(final TcpConnection connection)
    {
        connection.loopSlot = connections.size();
        connections.add(connection);
    }

    void remove(final TcpConnection connection)
    {
        final int slot = connection.loopSlot;
        if (slot < 0)
        {
            return;
        }
        final TcpConnection last = connections.remove(connections.size() - 1);
        if (last != connection)
        {
            connections.set(slot, last);
            last.loopSlot = slot;
        }
        connection.loopSlot = -1;
    }

    void waitForMemory(final TcpConnection connection)
    {
        memoryWaiters.addLast(connection);
    }

    /**
     * @return the loop's buffer every socket read of a frame body goes through, so a read reserves budget only
     *         for the bytes that arrived. Direct: the JDK would copy a heap read through one anyway.
     */
    ByteBuffer readScratch()
    {
        if (null == readScratch)
        {
            readScratch = ByteBuffer.allocateDirect(TcpConnection.IO_CHUNK_BYTES);
        }
        return readScratch;
    }

    int connectionCount()
    {
        return connections.size();
    }

    /**
     * Asks the loop to stop; {@link #join()} waits for it.
     */
    void stop()
    {
        running = false;
        selector.wakeup();
    }

    void join()
    {
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                if (tasks.isEmpty())
                {
                    selector.select(keyHandler, tickMs);
                }
                else
                {
                    selector.selectNow(keyHandler);
                }
                nowNs = clock.nanoTime();
                runTasks();
                if (!memoryWaiters.isEmpty())
                {
                    resumeMemoryWaiters();
                }
                if (nowNs - lastTickNs >= tickNs)
                {
                    lastTickNs = nowNs;
                    tick();
                }
            }
        }
        catch (final Throwable t)
        {
            LOG.log(System.Logger.Level.ERROR, "selector thread " + thread.getName() + " failed", LogText.safe(t));
            if (t instanceof Error)
            {
                // after the loop's own cleanup (finally), to the thread's uncaught-exception handler: in a broker
                // process that halts the JVM rather than leave it serving without this selector
                throw (Error)t;
            }
        }
        finally
        {
            shutdown();
        }
    }

    private void onKey(final SelectionKey key)
    {
        nowNs = clock.nanoTime(); // activity and arrival times of this key's I/O
        final Object attachment = key.attachment();
        if (attachment instanceof TcpConnection)
        {
            final TcpConnection connection = (TcpConnection)attachment;
            try
            {
                connection.onReady(key);
            }
            catch (final Throwable t)
            {
                TransportCounters.add(counters, Counter.IO_ERRORS, 1);
                connection.close(CloseReason.IO_ERROR, t);
            }
        }
        else if (attachment instanceof ReadyHandler)
        {
            ((ReadyHandler)attachment).onReady(key);
        }
    }

    private void runTasks()
    {
        LoopTask task = tasks.drain();
        while (null != task)
        {
            final LoopTask next = task.nextTask;
            task.nextTask = null;
            try
            {
                task.run(this);
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "task failed on " + thread.getName(), LogText.safe(ex));
            }
            task = next;
        }
    }

    private void resumeMemoryWaiters()
    {
        // every waiter is tried: a small frame that fits must not wait behind a large one that does not
        for (int i = memoryWaiters.size(); i > 0; i--)
        {
            final TcpConnection connection = memoryWaiters.pollFirst();
            if (connection.isOpen() && !connection.resumeAfterMemoryWait())
            {
                memoryWaiters.addLast(connection);
            }
        }
    }

    private void tick()
    {
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            if (i < connections.size())
            {
                connections.get(i).onTick(nowNs);
            }
        }
    }

    private void shutdown()
    {
        closed = true;
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            connections.get(i).close(CloseReason.SHUTDOWN, null);
        }
        failAll(tasks.drain());
        for (final SelectionKey key : selector.keys())
        {
            if (key.channel().isOpen())
            {
                try
                {
                    key.channel().close();
                }
                catch (final IOException ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "closing channel on shutdown", ex);
                }
            }
        }
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "closing selector", ex);
        }
    }

    private void failAll(final LoopTask first)
    {
        LoopTask task = first;
        while (null != task)
        {
            final LoopTask next = task.nextTask;
            task.nextTask = null;
            try
            {
                task.fail(new TransportException(TransportException.Code.TRANSPORT_CLOSED, "transport closed"));
            }
            catch (final Throwable t)
            {
                LOG.log(System.Logger.Level.WARNING, "failing a task on shutdown", t);
            }
            task = next;
        }
    }
}
