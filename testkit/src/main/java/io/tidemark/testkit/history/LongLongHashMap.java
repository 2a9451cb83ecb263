package io.tidemark.testkit.history;

import java.util.Arrays;

/**
 * Open-addressing long → long map with linear probing, for checking millions of operations without boxing.
 * {@link Values#CORRUPT} ({@code Long.MIN_VALUE}) cannot be a key. Not thread-safe.
 */
final class LongLongHashMap
{
    private static final long EMPTY = Long.MIN_VALUE;

    private final long missing;
    private long[] keys;
    private long[] values;
    private int mask;
    private int size;

    /**
     * @param expected expected number of entries.
     * @param missing  what {@link #get} returns for an absent key.
     */
    LongLongHashMap(final int expected, final long missing)
    {
        final int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        this.missing = missing;
        this.keys = new long[capacity];
        this.values = new long[capacity];
        Arrays.fill(keys, EMPTY);
        this.mask = capacity - 1;
    }

    private static int hash(final long key)
    {
        final long h = key * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32));
    }

    int size()
    {
        return size;
    }

    long get(final long key)
    {
        int i = hash(key) & mask;
        while (true)
        {
            final long k = keys[i];
            if (k == key)
            {
                return values[i];
            }
            if (k == EMPTY)
            {
                return missing;
            }
            i = (i + 1) & mask;
        }
    }

    boolean containsKey(final long key)
    {
        int i = hash(key) & mask;
        while (true)
        {
            final long k = keys[i];
            if (k == key)
            {
                return true;
            }
            if (k == EMPTY)
            {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    /** @return the previous value, or {@code missing}. */
    long put(final long key, final long value)
    {
        return insert(key, value, true);
    }

    /** @return the existing value (unchanged), or {@code missing} after inserting. */
    long putIfAbsent(final long key, final long value)
    {
        return insert(key, value, false);
    }

    private long insert(final long key, final long value, final boolean replace)
    {
        if (key == EMPTY)
        {
            throw new IllegalArgumentException("key " + key + " is reserved");
        }
        int i = hash(key) & mask;
        while (true)
        {
            final long k = keys[i];
            if (k == key)
            {
                final long old = values[i];
                if (replace)
                {
                    values[i] = value;
                }
                return old;
            }
            if (k == EMPTY)
            {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length)
                {
                    grow();
                }
                return missing;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow()
    {
        final long[] oldKeys = keys;
        final long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldValues.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++)
        {
            final long k = oldKeys[j];
            if (k != EMPTY)
            {
                int i = hash(k) & mask;
                while (keys[i] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                values[i] = oldValues[j];
            }
        }
    }
}
