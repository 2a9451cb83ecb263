package io.tidemark.replication;

import io.tidemark.transport.LogText;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FatalErrorHandler;
import io.tidemark.engine.GuardedExecutors;
import org.agrona.concurrent.EpochClock;

/**
 * The production {@link Scheduler}: one daemon thread.
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(ExecutorScheduler.class.getName());

    private final ScheduledExecutorService executor;
    private final EpochClock clock;
    private final FatalErrorHandler fatalErrorHandler;

    /**
     * @param name  thread name (prefixed with {@code tidemark-}).
     * @param clock the clock.
     */
    public ExecutorScheduler(final String name, final EpochClock clock)
    {
        this(name, clock, GuardedExecutors.processHandler());
    }

    /**
     * A task's runtime exception is logged and the scheduler carries on (a task that reschedules itself keeps
     * doing so only if it got to); an {@link Error} goes to {@code fatalErrorHandler}.
     *
     * @param name              thread name (prefixed with {@code tidemark-}).
     * @param clock             the clock.
     * @param fatalErrorHandler gets an {@link Error} met by a task.
     */
    public ExecutorScheduler(final String name, final EpochClock clock, final FatalErrorHandler fatalErrorHandler)
    {
        this.clock = clock;
        this.fatalErrorHandler = fatalErrorHandler;
        this.executor = Executors.newSingleThreadScheduledExecutor(GuardedExecutors.threads("tidemark-" + name, fatalErrorHandler));
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
            catch (final Error ex)
            {
                // swallowed by the task's future otherwise: replication would stop without a word
                fatalErrorHandler.onFatalError(Thread.currentThread().getName(), ex);
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
