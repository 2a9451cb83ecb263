package io.tidemark.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.nio.file.Path;

import io.tidemark.engine.storage.Storage;

/**
 * Sparse time index of a segment ({@code %020d.timeindex}), Kafka's layout: entries of
 *
 * <pre>
 *  +-----------------------------------------------------------------+-------------------------+
 *  | timestamp (int64): max timestamp so far in the segment          | relative offset (int32) |
 *  +-----------------------------------------------------------------+-------------------------+
 * </pre>
 *
 * where relative offset is the offset of the record with that timestamp's batch (its last offset)
 * minus the segment's base offset. Timestamps strictly increase.
 */
final class TimeIndex extends SparseIndex
{
    static final int ENTRY_SIZE = 12;

    TimeIndex(final Storage storage, final Path path, final long baseOffset)
    {
        super(storage, path, baseOffset, ENTRY_SIZE);
    }

    @Override
    long key(final int i)
    {
        return buffer.getLong(i * ENTRY_SIZE, BIG_ENDIAN);
    }

    long offset(final int i)
    {
        return baseOffset + buffer.getInt(i * ENTRY_SIZE + 8, BIG_ENDIAN);
    }

    /**
     * @return the last entry's timestamp, or -1 if empty.
     */
    long lastTimestamp()
    {
        final int n = entries();
        return n == 0 ? -1 : key(n - 1);
    }

    /**
     * @param targetTimestamp a timestamp.
     * @return where to start scanning for the first record at or after the target: the offset of the
     *         largest entry whose timestamp is below the target (every record up to it is older), or
     *         the segment's base offset if none.
     */
    long lookupOffset(final long targetTimestamp)
    {
        final int i = floorEntry(targetTimestamp - 1);
        return i < 0 ? baseOffset : offset(i);
    }

    /**
     * Appends an entry if {@code timestamp} is a timestamp (not -1, "none"), newer than the last one,
     * and there is room.
     */
    void maybeAppend(final long timestamp, final long offset)
    {
        final int n = entries();
        if (timestamp < 0 || n >= maxEntries() || (n > 0 && timestamp <= key(n - 1)))
        {
            return;
        }
        buffer.putLong(n * ENTRY_SIZE, timestamp, BIG_ENDIAN);
        buffer.putInt(n * ENTRY_SIZE + 8, (int)(offset - baseOffset), BIG_ENDIAN);
        publishEntries(n + 1);
    }

    /**
     * Drops entries at or after {@code offset}.
     */
    void truncateToOffset(final long offset)
    {
        int keep = entries();
        while (keep > 0 && offset(keep - 1) >= offset)
        {
            keep--;
        }
        truncateToEntries(keep);
    }

    /**
     * @param nextOffset the offset after the segment's last batch.
     * @return null if sane, else why not.
     */
    String sanityCheck(final long nextOffset)
    {
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = baseOffset - 1;
        for (int i = 0; i < entries(); i++)
        {
            final long ts = key(i);
            final long offset = offset(i);
            if (ts <= previousTimestamp || offset < previousOffset || offset < baseOffset || offset >= nextOffset)
            {
                return "entry " + i + " (timestamp " + ts + ", offset " + offset + ") out of order or range";
            }
            previousTimestamp = ts;
            previousOffset = offset;
        }
        return null;
    }
}
