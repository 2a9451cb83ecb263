package io.tidemark.replication;

import io.tidemark.transport.LogText;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.EpochClock;

/**
 * The production {@link Scheduler}: one daemon thread.
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(ExecutorScheduler.class.getName());

    private final ScheduledExecutorService executor;
    private final EpochClock clock;

    /**
     * @param name  thread name (prefixed with {@code tidemark-}).
     * @param clock the clock.
     */
    public ExecutorScheduler(final String name, final EpochClock clock)
    {
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "tidemark-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public long nowMs()
    {
        return clock.time();
    }

    @Override
    public Cancellable schedule(final long delayMs, final Runnable task)
    {
        final ScheduledFuture<?> f = executor.schedule(guard(task), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(final Runnable task)
    {
        executor.execute(guard(task));
    }

    private Runnable guard(final Runnable task)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            catch (final java.util.concurrent.RejectedExecutionException ex)
            {
                if (!executor.isShutdown())
                {
                    LOG.log(System.Logger.Level.ERROR, "scheduled task failed", LogText.safe(ex));
                }
                // else: a task rescheduling itself (a heartbeat, a fetch) while this scheduler closes: expected
            }
            catch (final RuntimeException ex)
            {
                // a failing task must not kill the scheduler thread, and must not vanish either
                LOG.log(System.Logger.Level.ERROR, "scheduled task failed", LogText.safe(ex));
            }
        };
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
