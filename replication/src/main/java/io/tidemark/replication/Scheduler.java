package io.tidemark.replication;

/**
 * Time and deferred work for the replication components, injected so a deterministic simulation can
 * drive them from one seeded event loop instead of threads and wall time.
 */
public interface Scheduler
{
    /**
     * A scheduled task that can be cancelled.
     */
    interface Cancellable
    {
        /**
         * Cancels the task if it has not run; idempotent.
         */
        void cancel();
    }

    /**
     * @return the current time in ms (monotonic enough for timeouts).
     */
    long nowMs();

    /**
     * Runs {@code task} after {@code delayMs}.
     *
     * @param delayMs delay, 0 or more.
     * @param task    the task; must not block.
     * @return a handle to cancel it.
     */
    Cancellable schedule(long delayMs, Runnable task);

    /**
     * Runs {@code task} soon, not on the caller's stack.
     *
     * @param task the task; must not block.
     */
    void execute(Runnable task);
}
