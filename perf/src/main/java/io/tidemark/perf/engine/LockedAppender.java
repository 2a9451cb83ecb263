package io.tidemark.perf.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The plain alternative to the engine's ring: one lock per log, and every appending thread does the
 * whole append itself while holding it. Written to be a fair opponent: the same work per batch as
 * the engine's writer and no more.
 *
 * <pre>
 *  append(batch):  lock
 *                    validate (magic, length, CRC32C, record framing)   -- same flyweight as the engine
 *                    roll if full (fdatasync old segment, delete it, create + map the next)
 *                    preallocate ahead (zeros written in 4 MiB steps, as the engine does)
 *                    copy into the mapped segment, stamp base offset and leader epoch
 *                    index every 4096 bytes (relative offset, position) into a mapped index
 *                    publish (release store of size and log end offset)
 *                  unlock
 * </pre>
 *
 * Keeps one segment: the old one is deleted on roll (the benchmark needs no history).
 * Thread safety: {@link #append} from any thread; readers may read {@link #logEndOffset()}.
 */
final class LockedAppender implements AutoCloseable
{
    static final int INDEX_INTERVAL_BYTES = 4096;
    static final int PREALLOCATE_BYTES = 4 * 1024 * 1024;
    static final int INDEX_BYTES = 10 * 1024 * 1024;

    private static final VarHandle PUBLISHED_SIZE;
    private static final VarHandle LOG_END_OFFSET;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUBLISHED_SIZE = lookup.findVarHandle(LockedAppender.class, "publishedSize", int.class);
            LOG_END_OFFSET = lookup.findVarHandle(LockedAppender.class, "logEndOffset", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Path dir;
    private final int segmentBytes;
    private final RecordBatchFlyweight incoming = new RecordBatchFlyweight();
    private final RecordBatchFlyweight stored = new RecordBatchFlyweight();
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer index = new UnsafeBuffer(new byte[0]);

    // guarded by lock
    private FileChannel channel;
    private FileChannel indexChannel;
    private MappedByteBuffer mapped;
    private MappedByteBuffer mappedIndex;
    private Path segmentPath;
    private Path indexPath;
    private long baseOffset;
    private long nextOffset;
    private int position;
    private int allocated;
    private int indexEntries;
    private int bytesSinceIndexEntry;

    @SuppressWarnings("unused") // written through PUBLISHED_SIZE
    private volatile int publishedSize;
    @SuppressWarnings("unused") // written through LOG_END_OFFSET
    private volatile long logEndOffset;

    LockedAppender(final Path dir, final int segmentBytes)
    {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        try
        {
            openSegment(0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Appends one batch as leader.
     *
     * @return its base offset, or -1 if it is invalid or does not fit a segment.
     */
    long append(final DirectBuffer src, final int offset, final int length, final int leaderEpoch)
    {
        lock.lock();
        try
        {
            incoming.wrap(src, offset);
            if (incoming.validate(length, Integer.MAX_VALUE, true) != RecordBatchFlyweight.VALID || length > segmentBytes)
            {
                return -1;
            }
            if (position + length > segmentBytes)
            {
                roll();
            }
            if (position + length > allocated)
            {
                final int target = Math.min(segmentBytes, Math.max(position + length, allocated + PREALLOCATE_BYTES));
                BenchSupport.writeZeros(channel, allocated, target - allocated);
                allocated = target;
            }
            final int at = position;
            data.putBytes(at, src, offset, length);
            stored.wrap(data, at);
            final long base = nextOffset;
            stored.baseOffset(base);
            stored.partitionLeaderEpoch(leaderEpoch);
            final long last = stored.lastOffset();
            bytesSinceIndexEntry += length;
            if (bytesSinceIndexEntry > INDEX_INTERVAL_BYTES && (indexEntries + 1) * 8 <= INDEX_BYTES)
            {
                index.putInt(indexEntries * 8, (int)(last - baseOffset), BIG_ENDIAN);
                index.putInt(indexEntries * 8 + 4, at, BIG_ENDIAN);
                indexEntries++;
                bytesSinceIndexEntry = 0;
            }
            nextOffset = last + 1;
            position = at + length;
            // release: the bytes and index entry above are visible before the new size and end offset
            PUBLISHED_SIZE.setRelease(this, position);
            LOG_END_OFFSET.setRelease(this, nextOffset);
            return base;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    long logEndOffset()
    {
        return (long)LOG_END_OFFSET.getAcquire(this);
    }

    private void roll() throws IOException
    {
        channel.force(false);
        closeSegment(true);
        openSegment(nextOffset);
    }

    private void openSegment(final long base) throws IOException
    {
        baseOffset = base;
        segmentPath = dir.resolve(String.format("%020d.log", base));
        indexPath = dir.resolve(String.format("%020d.index", base));
        channel = FileChannel.open(segmentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        indexChannel = FileChannel.open(indexPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
        mappedIndex = indexChannel.map(FileChannel.MapMode.READ_WRITE, 0, INDEX_BYTES);
        data.wrap(mapped);
        index.wrap(mappedIndex);
        position = 0;
        allocated = 0;
        indexEntries = 0;
        bytesSinceIndexEntry = 0;
        PUBLISHED_SIZE.setRelease(this, 0);
    }

    private void closeSegment(final boolean delete) throws IOException
    {
        BenchSupport.unmap(mapped);
        BenchSupport.unmap(mappedIndex);
        channel.close();
        indexChannel.close();
        if (delete)
        {
            Files.delete(segmentPath);
            Files.delete(indexPath);
        }
    }

    @Override
    public void close()
    {
        lock.lock();
        try
        {
            channel.force(false);
            closeSegment(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            lock.unlock();
        }
    }
}
