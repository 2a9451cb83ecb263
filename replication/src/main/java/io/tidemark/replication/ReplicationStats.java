package io.tidemark.replication;

import java.util.concurrent.atomic.LongAdder;

/**
 * Plain counters of one broker's replication, read by the broker's metrics (Kafka's
 * {@code IsrShrinksPerSec} and {@code IsrExpandsPerSec}). An ISR change of a partition led here counts when
 * the decided state reaches this broker, whoever proposed it (this leader's AlterPartition, or the controller
 * removing a fenced broker).
 *
 * <p>Threads: the thread applying metadata adds, any thread reads.
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
