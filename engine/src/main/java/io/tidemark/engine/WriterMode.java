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
    INVOKER
}
