package io.tidemark.replication.controller.raft;

import io.tidemark.transport.LogText;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.microraft.executor.RaftNodeExecutor;

/**
 * The production {@link RaftNodeExecutor}: one named daemon thread runs every task of the node, in
 * order. Tasks submitted after {@link #close()} are dropped (transport threads may still hand in
 * messages while the node stops).
 */
final class ThreadRaftNodeExecutor implements RaftNodeExecutor, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(ThreadRaftNodeExecutor.class.getName());

    private final ScheduledThreadPoolExecutor executor;

    /**
     * @param threadName the thread's name (starts with {@code tidemark-}).
     */
    ThreadRaftNodeExecutor(final String threadName)
    {
        executor = new ScheduledThreadPoolExecutor(1, io.tidemark.engine.GuardedExecutors.threads(threadName,
            io.tidemark.engine.GuardedExecutors.processHandler()), new ThreadPoolExecutor.DiscardPolicy());
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    private static Runnable guard(final Runnable task)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                // MicroRaft's tasks catch their own failures; anything else must not kill the thread silently
                LOG.log(System.Logger.Level.ERROR, "raft task failed", LogText.safe(ex));
            }
            catch (final Error ex)
            {
                // swallowed by the task's future otherwise: the voter would stop without a word
                io.tidemark.engine.GuardedExecutors.processHandler().onFatalError(Thread.currentThread().getName(), ex);
            }
        };
    }

    @Override
    public void execute(final Runnable task)
    {
        executor.execute(guard(task));
    }

    @Override
    public void submit(final Runnable task)
    {
        executor.execute(guard(task));
    }

    @Override
    public void schedule(final Runnable task, final long delay, final TimeUnit timeUnit)
    {
        executor.schedule(guard(task), delay, timeUnit);
    }

    /**
     * Stops the thread (queued tasks are dropped) and waits for it.
     */
    @Override
    public void close()
    {
        executor.shutdownNow();
        try
        {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS))
            {
                LOG.log(System.Logger.Level.WARNING, "raft thread did not stop within 10 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
