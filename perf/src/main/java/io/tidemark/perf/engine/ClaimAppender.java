package io.tidemark.perf.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A prototype of the engine change the ring-vs-lock benchmark points to: producers claim space in
 * the mapped tail of the segment with one atomic add (Aeron-style) and copy their batch straight
 * into it, in parallel; nothing is copied twice and no thread hands work to another.
 *
 * <pre>
 *  producer: validate (CRC32C) on its own thread
 *            claim = tail.getAndAdd(records &lt;&lt; 32 | length)  -- relative offset and position at once
 *            reserve blocks up to the claim's end if not yet (zeros, 4 MiB steps, one thread at a time)
 *            copy bytes [12, length) ; stamp base offset, leader epoch ; release-store the length field
 *            count the bytes completed ; try to publish (tryLock: scan completed batches, index, publish)
 *  the claim that crosses the segment end rolls: waits for every earlier claim to complete,
 *            publishes, fdatasyncs, deletes the old file, creates and maps the next; others wait
 * </pre>
 *
 * A batch is complete once its length field is non-zero (the file is zero-filled ahead), so the
 * publisher finds completed batches in order without any per-claim bookkeeping. Not production code:
 * no recovery, no time index, one segment kept; it exists to measure the claim path's potential.
 */
final class ClaimAppender implements AutoCloseable
{
    private static final int LENGTH_FIELD = RecordBatchDescriptor.LENGTH_OFFSET;
    private static final int OVERHEAD = RecordBatchDescriptor.LOG_OVERHEAD;

    private final Path dir;
    private final int segmentBytes;
    private final ThreadLocal<RecordBatchFlyweight> flyweights = ThreadLocal.withInitial(RecordBatchFlyweight::new);
    private volatile Segment current;

    /** One mapped segment and its claim state. */
    private final class Segment
    {
        final long baseOffset;
        final Path path;
        final FileChannel channel;
        final MappedByteBuffer mapped;
        final UnsafeBuffer data;
        final UnsafeBuffer index;
        final MappedByteBuffer mappedIndex;
        final FileChannel indexChannel;
        final AtomicLong tail = new AtomicLong();
        final AtomicLong completedBytes = new AtomicLong();
        final ReentrantLock publishLock = new ReentrantLock();
        final Object allocationLock = new Object();
        volatile int allocated;
        volatile int published;
        volatile long publishedNextOffset;
        int indexEntries;
        int bytesSinceIndexEntry;

        Segment(final long baseOffset) throws IOException
        {
            this.baseOffset = baseOffset;
            this.path = dir.resolve(String.format("%020d.log", baseOffset));
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
            this.data = new UnsafeBuffer(mapped);
            this.indexChannel = FileChannel.open(dir.resolve(String.format("%020d.index", baseOffset)),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.mappedIndex = indexChannel.map(FileChannel.MapMode.READ_WRITE, 0, LockedAppender.INDEX_BYTES);
            this.index = new UnsafeBuffer(mappedIndex);
            this.publishedNextOffset = baseOffset;
            ensureAllocated(Math.min(segmentBytes, LockedAppender.PREALLOCATE_BYTES));
        }

        void ensureAllocated(final int end) throws IOException
        {
            if (end <= allocated)
            {
                return;
            }
            synchronized (allocationLock)
            {
                final int from = allocated;
                final int target = Math.min(segmentBytes, Math.max(end, from + LockedAppender.PREALLOCATE_BYTES));
                if (target > from)
                {
                    BenchSupport.writeZeros(channel, from, target - from);
                    allocated = target;
                }
            }
        }

        /** Publishes completed batches in order; one thread at a time, the others skip. */
        void tryPublish()
        {
            if (!publishLock.tryLock())
            {
                return;
            }
            try
            {
                int position = published;
                long next = publishedNextOffset;
                while (position + OVERHEAD <= segmentBytes)
                {
                    // acquire: a non-zero length means the whole batch is visible
                    if (data.getIntAcquire(position + LENGTH_FIELD) == 0)
                    {
                        break;
                    }
                    final int size = OVERHEAD + data.getInt(position + LENGTH_FIELD, BIG_ENDIAN);
                    final long last = data.getLong(position, BIG_ENDIAN) +
                        data.getInt(position + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, BIG_ENDIAN);
                    bytesSinceIndexEntry += size;
                    if (bytesSinceIndexEntry > LockedAppender.INDEX_INTERVAL_BYTES && (indexEntries + 1) * 8 <= LockedAppender.INDEX_BYTES)
                    {
                        index.putInt(indexEntries * 8, (int)(last - baseOffset), BIG_ENDIAN);
                        index.putInt(indexEntries * 8 + 4, position, BIG_ENDIAN);
                        indexEntries++;
                        bytesSinceIndexEntry = 0;
                    }
                    position += size;
                    next = last + 1;
                }
                publishedNextOffset = next;
                published = position; // volatile: the bytes and index entries are visible first
            }
            finally
            {
                publishLock.unlock();
            }
        }

        void close(final boolean delete) throws IOException
        {
            BenchSupport.unmap(mapped);
            BenchSupport.unmap(mappedIndex);
            channel.close();
            indexChannel.close();
            if (delete)
            {
                Files.delete(path);
                Files.delete(dir.resolve(String.format("%020d.index", baseOffset)));
            }
        }
    }

    ClaimAppender(final Path dir, final int segmentBytes)
    {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        try
        {
            current = new Segment(0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Appends one batch as leader: returns once its bytes are in the mapped segment (published by
     * whichever producer publishes next, at the latest by this one's next append).
     *
     * @return its base offset, or -1 if it is invalid or does not fit a segment.
     */
    long append(final DirectBuffer src, final int offset, final int length, final int leaderEpoch)
    {
        final RecordBatchFlyweight batch = flyweights.get().wrap(src, offset);
        if (batch.validate(length, Integer.MAX_VALUE, true) != RecordBatchFlyweight.VALID || length > segmentBytes)
        {
            return -1;
        }
        final long records = batch.lastOffsetDelta() + 1L;
        try
        {
            while (true)
            {
                final Segment s = current;
                final long claim = s.tail.getAndAdd(records << 32 | length);
                final int position = (int)claim;
                final long base = s.baseOffset + (claim >>> 32);
                if ((long)position + length <= segmentBytes)
                {
                    write(s, position, base, src, offset, length, leaderEpoch);
                    return base;
                }
                if (position <= segmentBytes)
                {
                    roll(s, position, base);
                }
                else
                {
                    while (current == s)
                    {
                        Thread.onSpinWait();
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void write(
        final Segment s, final int position, final long base, final DirectBuffer src, final int offset, final int length,
        final int leaderEpoch) throws IOException
    {
        s.ensureAllocated(position + length);
        final UnsafeBuffer data = s.data;
        data.putBytes(position + OVERHEAD, src, offset + OVERHEAD, length - OVERHEAD);
        data.putLong(position, base, BIG_ENDIAN);
        data.putInt(position + RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch, BIG_ENDIAN);
        // release: the batch body is visible before its length, which marks it complete
        data.putIntRelease(position + LENGTH_FIELD, src.getInt(offset + LENGTH_FIELD));
        s.completedBytes.addAndGet(length);
        s.tryPublish();
    }

    private void roll(final Segment s, final int position, final long nextBase) throws IOException
    {
        while (s.completedBytes.get() != position)
        {
            Thread.onSpinWait();
        }
        s.publishLock.lock();
        s.publishLock.unlock();
        s.tryPublish();
        s.channel.force(false);
        final Segment next = new Segment(nextBase);
        s.close(true);
        current = next;
    }

    /**
     * @return the log end offset as published.
     */
    long publishedNextOffset()
    {
        return current.publishedNextOffset;
    }

    /**
     * Checks what the benchmark wrote: every published batch is whole and in offset order.
     *
     * @return the number of batches checked in the current segment.
     */
    int verify()
    {
        final Segment s = current;
        s.tryPublish();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        int position = 0;
        long expected = s.baseOffset;
        int batches = 0;
        while (position < s.published)
        {
            batch.wrap(s.data, position);
            if (batch.validate(s.published - position, Integer.MAX_VALUE, true) != RecordBatchFlyweight.VALID ||
                batch.baseOffset() != expected)
            {
                throw new IllegalStateException("bad batch at " + position + " (expected offset " + expected + ")");
            }
            expected = batch.lastOffset() + 1;
            position += batch.sizeInBytes();
            batches++;
        }
        return batches;
    }

    @Override
    public void close()
    {
        try
        {
            current.close(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
