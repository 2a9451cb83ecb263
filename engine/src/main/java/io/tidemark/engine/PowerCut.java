package io.tidemark.engine;

import static io.tidemark.engine.record.RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.tidemark.engine.storage.StorageFile;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Simulates a power cut of a running {@link LogManager} on real files: the writers stop, and every
 * byte of every segment written after the log's last completed sync is torn the way a lost page cache
 * leaves it (each 4 KiB page independently keeps its new content, reverts to what was there before,
 * reads as zeros or as garbage), then the files are released without closing anything cleanly. Opening
 * the directories again runs recovery as after a real power loss.
 *
 * <p>What it models: only bytes the engine synced survive for sure (the durable offset of each log).
 * What it does not: the kernel writing back dirty pages early (which only loses less) and metadata of
 * files other than segments (checkpoints, epoch caches and producer snapshots are written atomically
 * with fsync and are kept). The durability-vs-latency lab uses it to count what each flush policy
 * loses.
 */
public final class PowerCut
{
    /** The unit in which unsynced data tears. */
    public static final int PAGE_SIZE = 4096;

    /**
     * What the cut did to one log.
     *
     * @param topicPartition the partition.
     * @param durableOffset  every offset below it was synced and survives.
     * @param logEndOffset   the log end offset when the power went.
     * @param bytesAtRisk    bytes written after the last sync (each of their pages tore at random).
     */
    public record Cut(TopicPartition topicPartition, long durableOffset, long logEndOffset, long bytesAtRisk)
    {
    }

    private PowerCut()
    {
    }

    /**
     * Cuts the power of {@code manager}: afterwards it is closed (as if the process died) and its
     * directories hold what a power loss would have left.
     *
     * @param manager a running log manager.
     * @param random  decides how each unsynced page tears.
     * @return what happened to each log.
     */
    public static List<Cut> cut(final LogManager manager, final Random random)
    {
        if (!manager.halt())
        {
            throw new IllegalStateException("the log manager is already closed");
        }
        final List<Cut> cuts = new ArrayList<>();
        final List<Runnable> tears = new ArrayList<>();
        for (final Log log : manager.logs())
        {
            final long durable = log.durableOffset();
            final Segment[] segments = log.segmentsSnapshot();
            long atRisk = 0;
            for (final Segment segment : segments)
            {
                final int end = segment.writePosition;
                final int from;
                if (segment.nextOffset <= durable)
                {
                    continue;
                }
                else if (segment.baseOffset >= durable)
                {
                    from = 0;
                }
                else
                {
                    from = positionOf(segment.data(), end, durable);
                }
                if (end > from)
                {
                    atRisk += end - from;
                    final Path path = segment.logPath();
                    final byte[] written = new byte[end - from];
                    segment.data().getBytes(from, written);
                    tears.add(() -> tear(manager, path, from, written, random));
                }
            }
            cuts.add(new Cut(log.topicPartition(), durable, log.logEndOffset(), atRisk));
        }
        manager.release();
        for (final Runnable tear : tears)
        {
            tear.run();
        }
        return List.copyOf(cuts);
    }

    private static int positionOf(final UnsafeBuffer data, final int end, final long offset)
    {
        int position = 0;
        while (position + LOG_OVERHEAD <= end)
        {
            final long base = data.getLong(position, BIG_ENDIAN);
            if (base >= offset)
            {
                return position;
            }
            final long last = base + data.getInt(position + LAST_OFFSET_DELTA_OFFSET, BIG_ENDIAN);
            position += LOG_OVERHEAD + data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
            if (last >= offset)
            {
                return position;
            }
        }
        return end;
    }

    /**
     * Rewrites {@code [from, from + written.length)} page by page: new content, zeros (the preallocated
     * content before the write), zeros, or garbage.
     */
    private static void tear(final LogManager manager, final Path path, final int from, final byte[] written, final Random random)
    {
        try (StorageFile file = manager.storage().open(path, false))
        {
            final byte[] page = new byte[PAGE_SIZE];
            int offset = 0;
            while (offset < written.length)
            {
                final int position = from + offset;
                final int pageEnd = (position / PAGE_SIZE + 1) * PAGE_SIZE;
                final int n = Math.min(pageEnd - position, written.length - offset);
                final int mode = random.nextInt(4);
                final ByteBuffer bytes;
                switch (mode)
                {
                    case 0 -> bytes = ByteBuffer.wrap(written, offset, n);
                    case 3 ->
                    {
                        random.nextBytes(page);
                        bytes = ByteBuffer.wrap(page, 0, n);
                    }
                    default -> bytes = ByteBuffer.wrap(new byte[n]);
                }
                long p = position;
                while (bytes.hasRemaining())
                {
                    p += file.write(bytes, p);
                }
                offset += n;
            }
        }
        catch (final IOException ex)
        {
            throw StorageException.of(ex, path, "power cut", -1, from);
        }
    }
}
