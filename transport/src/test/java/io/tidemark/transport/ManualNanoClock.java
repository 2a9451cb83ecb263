package io.tidemark.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.NanoClock;

/**
 * A monotonic clock that moves only when a test advances it.
 */
final class ManualNanoClock implements NanoClock
{
    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime()
    {
        return nowNs.get();
    }

    void advanceMs(final long ms)
    {
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}
