package io.tidemark.engine;

/**
 * Who runs the log writer.
 */
public enum WriterMode
{
    /** Dedicated writer threads named {@code tidemark-log-writer-*} (the default). */
    THREAD,
    /**
     * No thread: the caller drives the writer by calling {@code doWork()} (deterministic tests,
     * simulations). Blocking appends drive it themselves while they wait.
     */
    INVOKER,
    /**
     * Flat combining: after putting its batch into the ring, the appending thread drains the ring itself
     * if no other thread is draining it (one at a time, by a compare-and-set), writing its own batch and
     * every batch that arrived meanwhile; threads that find a drain under way leave their batch to it.
     * No thread hand-off and no wake-up per append, and no writer thread competing for a core with the
     * producers. A writer thread {@code tidemark-log-writer-*} still runs timers ({@code interval:T}) and
     * drains whatever a combining thread leaves behind. Listeners then run on whichever appending thread
     * drains: they must be quick and must not block (as on the writer thread).
     */
    COMBINING
}
