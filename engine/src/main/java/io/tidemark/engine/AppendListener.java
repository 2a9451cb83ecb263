package io.tidemark.engine;

/**
 * Receives the outcome of an asynchronous append, on the log's writer thread. It must not block and
 * must not keep the {@link AppendResult} (copy it).
 */
@FunctionalInterface
public interface AppendListener
{
    /**
     * @param result the outcome; valid during the call only.
     */
    void onAppendComplete(AppendResult result);
}
