package io.tidemark.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.engine.storage.MappedRegion;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One segment of a log: {@code %020d.log} holding whole record batches back to back, with its sparse
 * offset and time indexes. The file name is the base offset, the first offset the segment may hold.
 *
 * <pre>
 *  0                                   size                    allocated = file size    capacity
 *  +-------+-------+-------+-----------+-----------------------+------------------------+
 *  | batch | batch | batch |   ...     |  zeros (blocks reserved)                       | mapped, past EOF
 *  +-------+-------+-------+-----------+-----------------------+------------------------+
 *  published to readers ---^            writer may write up to here without ENOSPC --^
 * </pre>
 *
 * The active segment is mapped read-write at its full capacity ({@code segment.bytes}), but the file
 * itself ends where the reserved blocks end: blocks are reserved ({@link StorageFile#allocate}, which
 * grows the file) a chunk ahead of the writer, together with the index pages the data in them can
 * need, so a full disk is an error on the append, never a SIGBUS. No hole is left past the reserved
 * blocks: recovery scans a crashed segment to its file size, and on tmpfs even a read fault on a hole
 * needs a free page (SIGBUS on a full disk). On roll the file is trimmed to {@code size}.
 *
 * <p>Lifetime: reference counted. The log holds one reference; readers (cursors, file slices) take
 * one while they touch the mapping or the channel. A deleted segment's files are renamed
 * {@code .deleted} at once and closed, unmapped and removed when the last reference goes.
 */
final class Segment
{
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String DELETED_SUFFIX = ".deleted";

    final long baseOffset;
    private final Storage storage;
    private Path logPath;
    private StorageFile logFile;
    private MappedRegion region;
    private final List<MappedRegion> retiredRegions = new ArrayList<>();
    private volatile UnsafeBuffer data;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    private final AtomicInteger refs = new AtomicInteger(1);

    private volatile int size;
    // bytes below this were verified (written through validated appends in this process, or scrubbed)
    private volatile int verifiedUpTo;
    private volatile long maxTimestamp = -1;
    private volatile long nextOffsetPublished;

    // writer thread only
    int writePosition;
    int allocated;
    int capacity;
    long nextOffset;
    long offsetOfMaxTimestamp;
    long writerMaxTimestamp = -1;
    long firstAppendNs = Long.MIN_VALUE;
    int bytesSinceLastIndexEntry;
    int bytesPerIndexEntry = RecordBatchDescriptor.HEADER_LENGTH;
    boolean writable;

    private Segment(final Storage storage, final Path dir, final long baseOffset)
    {
        this.storage = storage;
        this.baseOffset = baseOffset;
        this.logPath = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        this.offsetIndex = new OffsetIndex(storage, dir.resolve(fileName(baseOffset, INDEX_SUFFIX)), baseOffset);
        this.timeIndex = new TimeIndex(storage, dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset);
        this.nextOffset = baseOffset;
        this.nextOffsetPublished = baseOffset;
    }

    static String fileName(final long baseOffset, final String suffix)
    {
        return String.format("%020d%s", baseOffset, suffix);
    }

    /**
     * @return the base offset if {@code name} is a segment log file name, else -1.
     */
    static long parseBaseOffset(final String name, final String suffix)
    {
        if (!name.endsWith(suffix) || name.length() != 20 + suffix.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(0, 20));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * Creates a new, empty, writable segment. The caller fsyncs the directory.
     */
    static Segment create(final Storage storage, final Path dir, final long baseOffset, final LogConfig config)
        throws IOException
    {
        final Segment s = new Segment(storage, dir, baseOffset);
        s.logFile = storage.open(s.logPath, true);
        s.verifiedUpTo = Integer.MAX_VALUE; // every byte of it arrives through validated appends
        try
        {
            s.logFile.setLength(0);
            s.openWritable(config, 0, 0);
            // a roll onto a full disk fails here, before the log switches to the new segment
            s.ensureAllocated(0, Math.min(config.preallocateBytes(), s.capacity));
            return s;
        }
        catch (final IOException | RuntimeException ex)
        {
            // close and remove the half-made segment now (a full disk gets its blocks back); a retried roll
            // starts afresh, and a file left by a crash here is an empty segment recovery accepts
            s.deleteOnRelease = true;
            s.release();
            throw ex;
        }
    }

    /**
     * Opens an existing segment file without mapping it (recovery maps it once it knows the size).
     */
    static Segment openExisting(final Storage storage, final Path dir, final long baseOffset) throws IOException
    {
        final Segment s = new Segment(storage, dir, baseOffset);
        s.logFile = storage.open(s.logPath, false);
        return s;
    }

    long fileSize() throws IOException
    {
        return logFile.size();
    }

    /**
     * Maps the file read-only at {@code validSize} bytes, for scanning and reading a sealed segment.
     */
    void mapReadOnly(final int validSize) throws IOException
    {
        retire();
        if (validSize > 0)
        {
            region = logFile.map(0, validSize, false);
            data = new UnsafeBuffer(region.buffer());
        }
        else
        {
            data = new UnsafeBuffer(new byte[0]);
        }
        capacity = validSize;
        writePosition = validSize;
        allocated = validSize;
        size = validSize;
        writable = false;
    }

    /**
     * Makes this the active segment: drops anything after {@code validSize}, maps {@code segment.bytes}
     * read-write (the JDK grows the file to the mapped size), cuts the file back to {@code validSize}
     * so that no hole lies past the reserved blocks, and reserves the first chunk if the disk has room
     * (on a full disk the log still opens; the next append reports the lack of space).
     */
    void openWritable(final LogConfig config, final int validSize, final int indexEntries) throws IOException
    {
        retire();
        logFile.setLength(validSize);
        region = logFile.map(0, config.segmentBytes(), true);
        logFile.setLength(validSize);
        data = new UnsafeBuffer(region.buffer());
        capacity = config.segmentBytes();
        writePosition = validSize;
        size = validSize;
        allocated = validSize;
        bytesPerIndexEntry = Math.max(config.indexIntervalBytes() + 1, RecordBatchDescriptor.HEADER_LENGTH);
        writable = true;
        offsetIndex.openWritable(config.segmentIndexBytes(), indexEntries);
        timeIndex.openWritable(config.segmentIndexBytes(), timeIndex.entries());
        try
        {
            ensureAllocated(validSize, Math.min(config.preallocateBytes(), capacity - validSize));
        }
        catch (final IOException ex)
        {
            if (!StorageException.isOutOfSpace(ex))
            {
                throw ex;
            }
        }
    }

    /**
     * Reserves blocks so that bytes up to {@code end} can be written, and the index pages entries for
     * them can need; grows by at least {@code chunk} at a time. The indexes are reserved first, so a
     * failure leaves {@code allocated} where it was and the next call tries again.
     *
     * @throws IOException ENOSPC when the disk is full.
     */
    void ensureAllocated(final int end, final int chunk) throws IOException
    {
        if (end <= allocated && allocated > 0)
        {
            return;
        }
        final int target = (int)Math.min(capacity, Math.max((long)end, (long)allocated + chunk));
        if (target > allocated)
        {
            // an entry needs more than index.interval.bytes of batches (and a whole batch) since the last one;
            // the time index adds at most one entry per offset index entry and one when the segment is sealed
            final int entries = target / bytesPerIndexEntry + 1;
            offsetIndex.reserve(entries);
            timeIndex.reserve(entries + 1);
            logFile.allocate(allocated, target - allocated);
            allocated = target;
        }
    }

    /**
     * Keeps old mappings alive until the segment is destroyed: a reader may still hold their address.
     */
    private void retire()
    {
        if (region != null)
        {
            retiredRegions.add(region);
            region = null;
        }
    }

    /**
     * @return the position below which every batch was verified (appended in this process or scrubbed).
     */
    int verifiedUpTo()
    {
        return verifiedUpTo;
    }

    /**
     * @param position every batch below it was verified (scrubber thread).
     */
    void verifiedUpTo(final int position)
    {
        if (position > verifiedUpTo)
        {
            verifiedUpTo = position;
        }
    }

    UnsafeBuffer data()
    {
        return data;
    }

    FileChannel channel()
    {
        return logFile.channel();
    }

    Path logPath()
    {
        return logPath;
    }

    /**
     * @return bytes published to readers.
     */
    int size()
    {
        return size;
    }

    /**
     * @return the offset after the last published batch.
     */
    long nextOffsetPublished()
    {
        return nextOffsetPublished;
    }

    /**
     * Publishes what the writer wrote: bytes then offsets (volatile stores, release order).
     */
    void publish()
    {
        maxTimestamp = writerMaxTimestamp;
        size = writePosition;
        nextOffsetPublished = nextOffset;
    }

    /**
     * @return the largest timestamp in the segment, or -1.
     */
    long maxTimestamp()
    {
        return maxTimestamp;
    }

    void forceData() throws IOException
    {
        logFile.force(false);
    }

    void forceAll() throws IOException
    {
        logFile.force(true);
        offsetIndex.flush();
        timeIndex.flush();
    }

    /**
     * Seals the segment: final time index entry, trim files to their content. The caller syncs first.
     */
    void seal() throws IOException
    {
        if (writerMaxTimestamp >= 0)
        {
            timeIndex.maybeAppend(writerMaxTimestamp, offsetOfMaxTimestamp);
        }
        logFile.setLength(writePosition);
        offsetIndex.trim();
        timeIndex.trim();
        allocated = writePosition;
        writable = false;
    }

    /**
     * Trims the index files of a sealed segment to their entries (a no-op for trimmed ones).
     */
    void trimIndexes() throws IOException
    {
        offsetIndex.trim();
        timeIndex.trim();
    }

    /**
     * @return false if the segment is already being destroyed.
     */
    boolean retain()
    {
        while (true)
        {
            final int r = refs.get();
            if (r <= 0)
            {
                return false;
            }
            if (refs.compareAndSet(r, r + 1))
            {
                return true;
            }
        }
    }

    void release()
    {
        if (refs.decrementAndGet() == 0)
        {
            destroy();
        }
    }

    int refCount()
    {
        return refs.get();
    }

    private boolean deleteOnRelease;

    /**
     * Renames the files {@code .deleted} now and removes them once no reader holds the segment.
     */
    void markDeleted() throws IOException
    {
        deleteOnRelease = true;
        final Path deleted = logPath.resolveSibling(logPath.getFileName() + DELETED_SUFFIX);
        storage.move(logPath, deleted);
        logPath = deleted;
        offsetIndex.renameTo(offsetIndex.path().resolveSibling(offsetIndex.path().getFileName() + DELETED_SUFFIX));
        timeIndex.renameTo(timeIndex.path().resolveSibling(timeIndex.path().getFileName() + DELETED_SUFFIX));
    }

    private void destroy()
    {
        if (region != null)
        {
            region.close();
            region = null;
        }
        for (final MappedRegion r : retiredRegions)
        {
            r.close();
        }
        retiredRegions.clear();
        offsetIndex.close();
        timeIndex.close();
        try
        {
            logFile.close();
        }
        catch (final IOException ignore)
        {
            // nothing buffered: the file was synced or is being deleted
        }
        if (deleteOnRelease)
        {
            try
            {
                storage.delete(logPath);
                storage.delete(offsetIndex.path());
                storage.delete(timeIndex.path());
            }
            catch (final IOException ignore)
            {
                // a .deleted file left behind is removed when the log is next opened
            }
        }
    }

    @Override
    public String toString()
    {
        return "Segment{" + logPath.getFileName() + ", size=" + size + ", nextOffset=" + nextOffsetPublished + '}';
    }
}
