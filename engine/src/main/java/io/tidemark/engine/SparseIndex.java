package io.tidemark.engine;

import java.io.IOException;
import java.nio.file.Path;

import io.tidemark.engine.storage.MappedRegion;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A sparse, memory-mapped index of fixed-size big-endian entries sorted by key, searched by binary
 * search without allocation. The file of the active segment is preallocated to its maximum size and
 * trimmed to the entries when the segment rolls or the log closes, so the entry count of a trimmed
 * file is its size divided by the entry size.
 *
 * <p>Crash story: an index is derived data. Indexes of segments the recovery validates are rebuilt
 * from the log; any other index is sanity checked (keys and positions strictly increasing and in
 * range) and rebuilt if the check fails.
 *
 * <p>Thread safety: one writer (the log's writer thread) appends; any number of readers search.
 * The entry count is published with release semantics after the entry bytes are written.
 */
abstract class SparseIndex implements AutoCloseable
{
    protected final Storage storage;
    protected final long baseOffset;
    protected final int entrySize;
    protected Path path;
    private StorageFile file;
    private MappedRegion region;
    private final java.util.List<MappedRegion> retired = new java.util.ArrayList<>();
    protected final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    private int maxEntries;
    private long reservedBytes;
    private volatile int entries;

    SparseIndex(final Storage storage, final Path path, final long baseOffset, final int entrySize)
    {
        this.storage = storage;
        this.path = path;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
    }

    /**
     * Opens for appending: maps {@code maxIndexBytes} (rounded down to whole entries) with
     * {@code validEntries} entries kept.
     */
    final void openWritable(final int maxIndexBytes, final int validEntries) throws IOException
    {
        retireMapping();
        final int max = Math.max(2, maxIndexBytes / entrySize);
        if (file == null)
        {
            file = storage.open(path, true);
        }
        final int keep = Math.min(validEntries, max);
        // Bytes past the kept entries are never read (the count bounds every search) and a crash
        // makes recovery rebuild or sanity-check the index, so stale entries need no zeroing here.
        // Mapping grows the file to the maximum size as a hole (no block is written, so this works on
        // a full disk); only a file longer than that is cut.
        if (file.size() > (long)max * entrySize)
        {
            file.setLength((long)max * entrySize);
        }
        region = file.map(0, (long)max * entrySize, true);
        buffer.wrap(region.buffer());
        maxEntries = max;
        reservedBytes = (long)keep * entrySize;
        entries = keep;
    }

    /**
     * Reserves blocks (writes zeros past the entries) for the first {@code count} entries, so that
     * appending them through the mapping cannot fault on a full disk (SIGBUS). Writer thread only.
     *
     * @throws IOException ENOSPC when the disk is full.
     */
    final void reserve(final int count) throws IOException
    {
        final long bytes = (long)Math.min(count, maxEntries) * entrySize;
        // entries appended into pages that already existed (below a truncation) may lie past the mark: the
        // zeros must start after the live entries, never over them
        final long from = Math.max(reservedBytes, (long)entries * entrySize);
        if (file != null && bytes > from)
        {
            file.allocate(from, bytes - from);
        }
        reservedBytes = Math.max(from, bytes);
    }

    /**
     * Opens a trimmed index read-only: the entry count is the file size over the entry size.
     *
     * @return false if the file size is not a whole number of entries (the caller rebuilds).
     */
    final boolean openReadOnly() throws IOException
    {
        retireMapping();
        if (file == null)
        {
            file = storage.open(path, true);
        }
        final long size = file.size();
        if (size % entrySize != 0 || size > Integer.MAX_VALUE)
        {
            return false;
        }
        final int count = (int)(size / entrySize);
        if (count > 0)
        {
            region = file.map(0, size, false);
            buffer.wrap(region.buffer());
        }
        else
        {
            buffer.wrap(new byte[0]);
        }
        maxEntries = count;
        entries = count;
        return true;
    }

    final Path path()
    {
        return path;
    }

    final int entries()
    {
        return entries;
    }

    final boolean isFull()
    {
        return entries >= maxEntries;
    }

    final int maxEntries()
    {
        return maxEntries;
    }

    /** Key of entry i (the sort key: offset for the offset index, timestamp for the time index). */
    abstract long key(int i);

    /**
     * @param target key to look for.
     * @return the index of the largest entry whose key is at most {@code target}, or -1.
     */
    final int floorEntry(final long target)
    {
        int low = 0;
        int high = entries - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long key = key(mid);
            if (key <= target)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

    final void publishEntries(final int count)
    {
        entries = count; // volatile store: release, orders the entry bytes before the count
    }

    /**
     * Drops entries from {@code count} on; they are zeroed so a crash cannot bring them back.
     */
    final void truncateToEntries(final int count)
    {
        final int current = entries;
        if (count < current)
        {
            entries = count;
            buffer.setMemory(count * entrySize, (current - count) * entrySize, (byte)0);
        }
    }

    final void flush() throws IOException
    {
        if (file != null)
        {
            file.force(false);
        }
    }

    /**
     * Shrinks the file to its entries (on roll and close). The mapping stays valid below the new size.
     */
    final void trim() throws IOException
    {
        if (file != null && maxEntries != entries)
        {
            file.setLength((long)entries * entrySize);
            maxEntries = entries;
        }
    }

    final void renameTo(final Path target) throws IOException
    {
        storage.move(path, target);
        path = target;
    }

    /**
     * Keeps a replaced mapping alive until close: a reader may still be searching it.
     */
    private void retireMapping()
    {
        if (region != null)
        {
            retired.add(region);
            region = null;
        }
    }

    private void closeMapping()
    {
        if (region != null)
        {
            region.close();
            region = null;
        }
        for (final MappedRegion r : retired)
        {
            r.close();
        }
        retired.clear();
        buffer.wrap(new byte[0]);
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException ignore)
            {
                // closing a file we only mapped or read: nothing was lost
            }
            file = null;
        }
    }

    @Override
    public final void close()
    {
        closeMapping();
        entries = 0;
    }

    final void delete() throws IOException
    {
        close();
        storage.delete(path);
    }
}
