package io.tidemark.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.nio.file.Path;

import io.tidemark.engine.storage.Storage;

/**
 * Sparse offset index of a segment ({@code %020d.index}), Kafka's layout: entries of
 *
 * <pre>
 *  +----------------------------------+----------------------------------+
 *  | relative offset (int32)          | position (int32)                 |
 *  +----------------------------------+----------------------------------+
 * </pre>
 *
 * where relative offset is the last offset of a batch minus the segment's base offset and position
 * is the byte position of that batch in the segment. One entry is added every
 * {@code index.interval.bytes} of batches.
 */
final class OffsetIndex extends SparseIndex
{
    static final int ENTRY_SIZE = 8;

    OffsetIndex(final Storage storage, final Path path, final long baseOffset)
    {
        super(storage, path, baseOffset, ENTRY_SIZE);
    }

    @Override
    long key(final int i)
    {
        return baseOffset + buffer.getInt(i * ENTRY_SIZE, BIG_ENDIAN);
    }

    int position(final int i)
    {
        return buffer.getInt(i * ENTRY_SIZE + 4, BIG_ENDIAN);
    }

    /**
     * @param targetOffset an offset.
     * @return the position of a batch at or before the batch holding {@code targetOffset}: where to
     *         start scanning; 0 if no entry is below it.
     */
    int lookupPosition(final long targetOffset)
    {
        final int i = floorEntry(targetOffset);
        return i < 0 ? 0 : position(i);
    }

    /**
     * Appends an entry; the caller guarantees increasing offsets and positions and a free slot.
     */
    void append(final long lastOffset, final int position)
    {
        final int n = entries();
        buffer.putInt(n * ENTRY_SIZE, (int)(lastOffset - baseOffset), BIG_ENDIAN);
        buffer.putInt(n * ENTRY_SIZE + 4, position, BIG_ENDIAN);
        publishEntries(n + 1);
    }

    /**
     * Drops entries for batches at or after {@code position}.
     */
    void truncateToPosition(final int position)
    {
        int keep = entries();
        while (keep > 0 && position(keep - 1) >= position)
        {
            keep--;
        }
        truncateToEntries(keep);
    }

    /**
     * @param segmentSize the segment's size in bytes.
     * @param nextOffset  the offset after the segment's last batch.
     * @return null if the entries are sane, else why not.
     */
    String sanityCheck(final long segmentSize, final long nextOffset)
    {
        long previousOffset = baseOffset - 1;
        int previousPosition = -1;
        for (int i = 0; i < entries(); i++)
        {
            final long offset = key(i);
            final int position = position(i);
            if (offset <= previousOffset || position <= previousPosition || position >= segmentSize ||
                offset >= nextOffset || offset < baseOffset)
            {
                return "entry " + i + " (offset " + offset + ", position " + position + ") out of order or range";
            }
            previousOffset = offset;
            previousPosition = position;
        }
        return null;
    }
}
