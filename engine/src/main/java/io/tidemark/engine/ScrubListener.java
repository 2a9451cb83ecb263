package io.tidemark.engine;

/**
 * Told once for each corrupt batch a log learns of ({@link CorruptBatch}): by the {@link LogScrubber}
 * (on the thread that runs it: the log manager's scheduler, or the embedder's when it drives it) or by
 * the read path (on the reading thread). Must not block; typically it logs and hands the repair to
 * another thread.
 */
@FunctionalInterface
public interface ScrubListener
{
    /** Does nothing. */
    ScrubListener NONE = batch ->
    {
    };

    /**
     * @param batch the finding; its offsets are already refused by the log.
     */
    void onCorruptBatch(CorruptBatch batch);
}
