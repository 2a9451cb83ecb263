package io.tidemark.testkit.history;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told. */
final class ManualClock implements LongSupplier
{
    private long nanos;

    @Override
    public synchronized long getAsLong()
    {
        return nanos;
    }

    synchronized void advanceMs(final long ms)
    {
        nanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    synchronized void advanceNanos(final long n)
    {
        nanos += n;
    }
}
