package io.tidemark.broker.producer;

/**
 * What the broker remembers of one producer id on one partition: its epoch and its last
 * {@value #RETAINED_BATCHES} batches (sequence range, offsets, max timestamp), oldest first, in a small
 * ring of primitive arrays (no allocation per append). Not thread safe: guarded by its manager.
 */
final class ProducerEntry
{
    /** Kafka's {@code NUM_BATCHES_TO_RETAIN}: duplicates of any of the last 5 batches are detected. */
    static final int RETAINED_BATCHES = 5;

    final long producerId;
    short epoch;
    long lastSeenMs;
    private final int[] firstSeq = new int[RETAINED_BATCHES];
    private final int[] lastSeq = new int[RETAINED_BATCHES];
    private final long[] firstOffset = new long[RETAINED_BATCHES];
    private final long[] lastOffset = new long[RETAINED_BATCHES];
    private final long[] timestamp = new long[RETAINED_BATCHES];
    private int head;
    private int size;

    ProducerEntry(final long producerId, final short epoch)
    {
        this.producerId = producerId;
        this.epoch = epoch;
    }

    int size()
    {
        return size;
    }

    private int slot(final int i)
    {
        return (head + i) % RETAINED_BATCHES;
    }

    /**
     * @param i 0 = oldest retained batch.
     */
    int firstSeq(final int i)
    {
        return firstSeq[slot(i)];
    }

    int lastSeq(final int i)
    {
        return lastSeq[slot(i)];
    }

    long firstOffset(final int i)
    {
        return firstOffset[slot(i)];
    }

    long lastOffset(final int i)
    {
        return lastOffset[slot(i)];
    }

    long timestamp(final int i)
    {
        return timestamp[slot(i)];
    }

    /**
     * @return the last sequence of the newest batch.
     */
    int lastSeq()
    {
        return lastSeq(size - 1);
    }

    void add(final int first, final int last, final long firstOff, final long lastOff, final long ts)
    {
        final int s;
        if (size == RETAINED_BATCHES)
        {
            s = head;
            head = (head + 1) % RETAINED_BATCHES;
        }
        else
        {
            s = slot(size);
            size++;
        }
        firstSeq[s] = first;
        lastSeq[s] = last;
        firstOffset[s] = firstOff;
        lastOffset[s] = lastOff;
        timestamp[s] = ts;
    }

    void clearBatches()
    {
        head = 0;
        size = 0;
    }

    /**
     * @return index of the retained batch with exactly this sequence range, or -1.
     */
    int findDuplicate(final int first, final int last)
    {
        for (int i = 0; i < size; i++)
        {
            if (firstSeq(i) == first && lastSeq(i) == last)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Drops retained batches at or above {@code logEndOffset} (the log was truncated under them).
     */
    void truncateTo(final long logEndOffset)
    {
        while (size > 0 && lastOffset(size - 1) >= logEndOffset)
        {
            size--;
        }
    }
}
