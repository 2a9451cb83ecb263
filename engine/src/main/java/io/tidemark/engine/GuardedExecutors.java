package io.tidemark.engine;

import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors and threads whose failures never go unnoticed. The policy, for every long-lived thread of the
 * broker and its modules that is built here:
 * <ul>
 *   <li>an {@link Error} in any task or thread goes to the {@link FatalErrorHandler} (the broker process
 *       halts; embedded, the handler decides);</li>
 *   <li>a {@link RuntimeException} in a periodic task ({@code scheduleWithFixedDelay},
 *       {@code scheduleAtFixedRate}) is logged and the task keeps its schedule (a plain
 *       {@link ScheduledThreadPoolExecutor} would cancel it silently);</li>
 *   <li>a {@link RuntimeException} in a one-shot task reaches its future as before (the caller handles it);
 *       one thrown in a thread outside any task goes to the thread's uncaught-exception handler, which
 *       logs it.</li>
 * </ul>
 * Thread-safe.
 */
public final class GuardedExecutors
{
    private static final System.Logger LOG = System.getLogger(GuardedExecutors.class.getName());
    private static final FatalErrorHandler PROCESS = (threadName, error) -> GuardedExecutors.installed.onFatalError(threadName, error);
    // written once by a command line's main thread before any broker starts, read by failing threads
    private static volatile FatalErrorHandler installed = FatalErrorHandler.logOnly();

    private GuardedExecutors()
    {
    }

    /**
     * Makes {@code handler} the process's: what {@link #processHandler()} delegates to, and what a thread
     * without a handler of its own meets ({@link Thread#setDefaultUncaughtExceptionHandler}: transport event
     * loops, controller threads). {@code tidemark broker} installs {@link FatalErrorHandler#haltProcess()}.
     *
     * @param handler the handler.
     */
    public static void installProcessHandler(final FatalErrorHandler handler)
    {
        installed = java.util.Objects.requireNonNull(handler, "handler");
        Thread.setDefaultUncaughtExceptionHandler((thread, ex) -> uncaught(thread.getName(), ex, handler));
    }

    /**
     * @return the handler components use when none is injected: the one installed for the process
     *         ({@link FatalErrorHandler#logOnly()} until {@link #installProcessHandler} is called).
     */
    public static FatalErrorHandler processHandler()
    {
        return PROCESS;
    }

    /**
     * @param name    the thread name; a trailing {@code -} gets a counter.
     * @param handler receives the errors.
     * @return daemon threads whose uncaught {@link Error}s go to {@code handler} and whose uncaught runtime
     *         exceptions are logged.
     */
    public static ThreadFactory threads(final String name, final FatalErrorHandler handler)
    {
        final AtomicInteger n = new AtomicInteger();
        return r ->
        {
            final Thread t = new Thread(r, name.endsWith("-") ? name + n.getAndIncrement() : name);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, ex) -> uncaught(thread.getName(), ex, handler));
            return t;
        };
    }

    /**
     * @param name    the thread's name.
     * @param handler receives the errors.
     * @return a single-thread scheduled executor with the policy of the class comment.
     */
    public static ScheduledThreadPoolExecutor singleThreadScheduled(final String name, final FatalErrorHandler handler)
    {
        final Guarded executor = new Guarded(threads(name, handler), handler);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /**
     * Runs a periodic task's body under the policy: an {@link Error} to {@code handler}, a runtime exception
     * logged; either way the task keeps its schedule.
     *
     * @param task    the body.
     * @param handler receives the errors.
     * @return the guarded task.
     */
    public static Runnable periodic(final Runnable task, final FatalErrorHandler handler)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "periodic task on " + Thread.currentThread().getName() + " failed (it keeps its schedule): " +
                    ex);
            }
            catch (final Error ex)
            {
                handler.onFatalError(Thread.currentThread().getName(), ex);
            }
        };
    }

    private static void uncaught(final String thread, final Throwable ex, final FatalErrorHandler handler)
    {
        if (ex instanceof Error)
        {
            handler.onFatalError(thread, ex);
        }
        else
        {
            LOG.log(System.Logger.Level.ERROR, "thread " + thread + " died of " + ex);
        }
    }

    /**
     * Periodic tasks guarded by {@link #periodic}; one-shot tasks ({@code execute} and {@code submit} come
     * through {@code schedule}) report an {@link Error} to the handler and still complete their future with it.
     */
    private static final class Guarded extends ScheduledThreadPoolExecutor
    {
        private final FatalErrorHandler handler;

        Guarded(final ThreadFactory threads, final FatalErrorHandler handler)
        {
            super(1, threads);
            this.handler = handler;
        }

        private Runnable once(final Runnable task)
        {
            return () ->
            {
                try
                {
                    task.run();
                }
                catch (final Error ex)
                {
                    handler.onFatalError(Thread.currentThread().getName(), ex);
                    throw ex;
                }
            };
        }

        private <V> Callable<V> once(final Callable<V> task)
        {
            return () ->
            {
                try
                {
                    return task.call();
                }
                catch (final Error ex)
                {
                    handler.onFatalError(Thread.currentThread().getName(), ex);
                    throw ex;
                }
            };
        }

        @Override
        public ScheduledFuture<?> schedule(final Runnable command, final long delay, final TimeUnit unit)
        {
            return super.schedule(once(command), delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(final Callable<V> callable, final long delay, final TimeUnit unit)
        {
            return super.schedule(once(callable), delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(final Runnable command, final long initialDelay, final long period, final TimeUnit unit)
        {
            return super.scheduleAtFixedRate(periodic(command, handler), initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(final Runnable command, final long initialDelay, final long delay, final TimeUnit unit)
        {
            return super.scheduleWithFixedDelay(periodic(command, handler), initialDelay, delay, unit);
        }
    }
}
