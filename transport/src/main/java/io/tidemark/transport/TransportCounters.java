package io.tidemark.transport;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one {@link TransportServer} or {@link TransportClient}. Each selector thread owns one row and is
 * its single writer (ordered stores, no lock prefix); readers sum the rows, so a read is a consistent
 * per-counter total but not a snapshot across counters.
 *
 * <pre>
 *   row 0 (selector 0) | CONNECTIONS_OPENED | CONNECTIONS_REJECTED | ... | IO_ERRORS |
 *   row 1 (selector 1) | CONNECTIONS_OPENED | CONNECTIONS_REJECTED | ... | IO_ERRORS |
 * </pre>
 */
public final class TransportCounters
{
    private final AtomicLongArray[] rows;

    TransportCounters(final int selectorThreads)
    {
        rows = new AtomicLongArray[selectorThreads];
        for (int i = 0; i < selectorThreads; i++)
        {
            rows[i] = new AtomicLongArray(Counter.VALUES.length);
        }
    }

    /**
     * @param counter which counter.
     * @return its total over all selector threads.
     */
    public long get(final Counter counter)
    {
        long total = 0;
        for (final AtomicLongArray row : rows)
        {
            total += row.get(counter.ordinal());
        }
        return total;
    }

    /**
     * @return connections opened and not yet closed.
     */
    public long activeConnections()
    {
        return get(Counter.CONNECTIONS_OPENED) - get(Counter.CONNECTIONS_CLOSED);
    }

    AtomicLongArray row(final int selectorIndex)
    {
        return rows[selectorIndex];
    }

    /**
     * Adds to a counter of a row. Only the row's selector thread calls this (single writer), so a plain read
     * followed by an ordered (release) store suffices; the release orders the new total for readers.
     */
    static void add(final AtomicLongArray row, final Counter counter, final long delta)
    {
        final int i = counter.ordinal();
        row.lazySet(i, row.get(i) + delta);
    }

    /**
     * Adds to a counter of a row written by many threads (e.g. UDP senders): an atomic add.
     */
    static void addShared(final AtomicLongArray row, final Counter counter, final long delta)
    {
        row.getAndAdd(counter.ordinal(), delta);
    }

    /**
     * @return every counter as {@code NAME=value}, for diagnostics.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("TransportCounters{");
        for (final Counter c : Counter.VALUES)
        {
            sb.append(c.name()).append('=').append(get(c)).append(c.ordinal() < Counter.VALUES.length - 1 ? ", " : "}");
        }
        return sb.toString();
    }
}
