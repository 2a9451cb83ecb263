package io.tidemark.engine;

/**
 * What the owner of a log (a {@link LogManager} or a standalone log) wants to hear about. Called on
 * the writer thread except {@link #onClosed} which may run on the closing thread.
 */
interface LogHooks
{
    /** No-op hooks. */
    LogHooks NONE = new LogHooks()
    {
    };

    /**
     * A segment was rolled: a good moment to checkpoint the recovery point.
     *
     * @param log the log.
     */
    default void onRolled(final Log log)
    {
    }

    /**
     * The log is about to be truncated and its durable offset was lowered to the truncation point:
     * the recovery point on disk must come down before any byte is removed, or a crash in between
     * would make recovery mistake the cut for corruption of durable data.
     *
     * @param log the log.
     * @throws java.io.IOException if the checkpoint cannot be written (the truncation does not happen).
     */
    default void beforeTruncation(final Log log) throws java.io.IOException
    {
    }

    /**
     * The log failed (a sync failed, or its writer stopped).
     *
     * @param log the log.
     * @param ex  the failure.
     */
    default void onFailure(final Log log, final StorageException ex)
    {
    }

    /**
     * The read path found a batch of a sealed segment corrupt (before the scrubber reached it) and the log
     * now refuses its range. Called on the reading thread; must not block.
     *
     * @param log   the log.
     * @param batch the finding.
     */
    default void onCorruptBatch(final Log log, final CorruptBatch batch)
    {
    }

    /**
     * The log closed and released its files.
     *
     * @param log the log.
     */
    default void onClosed(final Log log)
    {
    }
}
