package io.tidemark.engine;

/**
 * Told when a log makes progress: its end offset or durable offset moved, or it was truncated.
 * Called on the writer thread; must not block (typically it wakes waiting fetches or replication).
 */
@FunctionalInterface
public interface LogListener
{
    /**
     * @param log the log; read {@link Log#logEndOffset()} and {@link Log#durableOffset()} for the new values.
     */
    void onProgress(Log log);
}
