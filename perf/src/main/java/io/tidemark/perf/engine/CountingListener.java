package io.tidemark.perf.engine;

import io.tidemark.engine.AppendListener;
import io.tidemark.engine.AppendResult;

/**
 * Counts completed appends; remembers the first failure so a benchmark never reports a throughput of
 * failed appends. Called on the writer thread; read by the producer after the run.
 */
final class CountingListener implements AppendListener
{
    private volatile long completed;
    private volatile String firstFailure;

    @Override
    public void onAppendComplete(final AppendResult result)
    {
        if (!result.succeeded() && firstFailure == null)
        {
            firstFailure = result.toString();
        }
        // single writer thread: a plain increment of a volatile is safe here
        completed = completed + 1;
    }

    long completed()
    {
        return completed;
    }

    void check()
    {
        final String failure = firstFailure;
        if (failure != null)
        {
            throw new IllegalStateException("an append failed during the benchmark: " + failure);
        }
    }
}
