package io.tidemark.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * Plain counters of one broker's replication, read by the broker's metrics (Kafka's
 * {@code IsrShrinksPerSec} and {@code IsrExpandsPerSec}). An ISR change counts once the controller
 * accepted it, as in Kafka.
 *
 * <p>Threads: the controller's completion threads add, any thread reads.
 */
public final class ReplicationStats
{
    private final LongAdder isrShrinks = new LongAdder();
    private final LongAdder isrExpands = new LongAdder();

    /**
     * @param oldSize the ISR size before the accepted change.
     * @param newSize its size after.
     */
    void isrChanged(final int oldSize, final int newSize)
    {
        if (newSize < oldSize)
        {
            isrShrinks.increment();
        }
        else if (newSize > oldSize)
        {
            isrExpands.increment();
        }
    }

    /**
     * @return accepted ISR shrinks since start.
     */
    public long isrShrinks()
    {
        return isrShrinks.sum();
    }

    /**
     * @return accepted ISR expansions since start.
     */
    public long isrExpands()
    {
        return isrExpands.sum();
    }
}
