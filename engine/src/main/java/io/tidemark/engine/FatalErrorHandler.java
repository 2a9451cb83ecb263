package io.tidemark.engine;

/**
 * What a long-lived thread does when it meets an {@link Error} ({@link OutOfMemoryError},
 * {@link StackOverflowError}, a linkage error): a process must never stay half alive with a dead
 * scheduler or writer. Called on the thread that met the error, after it logged nothing; the handler logs
 * one line naming the thread and then fails the process ({@link #haltProcess()}, what {@code tidemark broker}
 * installs, as Kafka does with {@code Exit.halt}) or, embedded, stops the component or records the error
 * (tests). A handler must not throw.
 *
 * <p>A {@link RuntimeException} is never fatal: a periodic task logs it and keeps its schedule (see
 * {@link GuardedExecutors}).
 */
@FunctionalInterface
public interface FatalErrorHandler
{
    /**
     * @param threadName the thread that met the error.
     * @param error      the error.
     */
    void onFatalError(String threadName, Throwable error);

    /**
     * Logs one line and halts the JVM with exit status 1 ({@link Runtime#halt}: shutdown hooks would wait on
     * the very threads that are failing). For a process that is a broker.
     *
     * @return the handler.
     */
    static FatalErrorHandler haltProcess()
    {
        return (threadName, error) ->
        {
            try
            {
                System.getLogger(FatalErrorHandler.class.getName()).log(System.Logger.Level.ERROR,
                    "fatal error in thread " + threadName + ": " + error + "; halting the process");
                System.err.println("tidemark: fatal error in thread " + threadName + ": " + error + "; halting the process");
                System.err.flush();
            }
            finally
            {
                Runtime.getRuntime().halt(1);
            }
        };
    }

    /**
     * Logs one line and lets the thread carry on (a periodic task keeps its schedule). The default of an
     * engine used on its own: the embedding application decides.
     *
     * @return the handler.
     */
    static FatalErrorHandler logOnly()
    {
        return (threadName, error) -> System.getLogger(FatalErrorHandler.class.getName()).log(System.Logger.Level.ERROR,
            "fatal error in thread " + threadName + ": " + error + " (no fatal-error handler installed: carrying on)");
    }
}
