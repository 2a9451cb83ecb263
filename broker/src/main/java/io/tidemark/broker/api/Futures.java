package io.tidemark.broker.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Small helpers for handlers that wait on several metadata changes.
 */
final class Futures
{
    private Futures()
    {
    }

    /**
     * @param futures futures, each already mapped to never fail.
     * @return completes when all have.
     */
    static CompletableFuture<Void> all(final List<? extends CompletableFuture<?>> futures)
    {
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
    }
}
