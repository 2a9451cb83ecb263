package io.tidemark.engine;

import static io.tidemark.engine.record.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.tidemark.engine.record.RecordBatchDescriptor.MIN_BATCH_LENGTH_FIELD;
import static java.nio.ByteOrder.BIG_ENDIAN;

import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.record.RecordFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a log in place: batches and records are flyweights over the mapped segments, nothing is
 * copied. A cursor pins the segment it is on (so retention cannot unmap it underneath) and must be
 * closed. Reusable: {@link #seek(long)} repositions it. Not thread safe.
 *
 * <pre>{@code
 * try (LogCursor cursor = log.cursor().seek(0))
 * {
 *     while (cursor.nextRecord())
 *     {
 *         RecordFlyweight r = cursor.record();   // r.offset(), r.timestamp(), r.valueOffset()...
 *     }
 * }
 * }</pre>
 *
 * At the end of the readable log {@code nextBatch()} and {@code nextRecord()} return false; call them
 * again later to pick up new appends.
 */
public final class LogCursor implements AutoCloseable
{
    private final Log log;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final RecordFlyweight record = new RecordFlyweight();
    private Segment segment;
    private int position;
    private long nextOffset;
    private long recordFloor;
    private long maxOffset = Long.MAX_VALUE;
    private boolean inBatch;

    LogCursor(final Log log)
    {
        this.log = log;
        this.nextOffset = log.logStartOffset();
        this.recordFloor = nextOffset;
    }

    /**
     * Positions the cursor so the next batch is the one holding {@code offset}.
     *
     * @param offset the first offset wanted.
     * @return this.
     * @throws OffsetOutOfRangeException if below the log start or above the log end offset.
     */
    public LogCursor seek(final long offset)
    {
        final long start = log.logStartOffset();
        final long end = log.logEndOffset();
        if (offset < start || offset > end)
        {
            throw new OffsetOutOfRangeException(offset, start, end);
        }
        releaseSegment();
        nextOffset = offset;
        recordFloor = offset;
        inBatch = false;
        return this;
    }

    /**
     * Bounds the cursor: it stops before any batch that reaches {@code maxOffset} (such as the high
     * watermark). {@link Long#MAX_VALUE} (the default) reads up to the log end offset.
     *
     * @param maxOffset exclusive bound.
     * @return this.
     */
    public LogCursor maxOffset(final long maxOffset)
    {
        this.maxOffset = maxOffset;
        return this;
    }

    /**
     * @return the offset the cursor reads next.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * @return the current batch, valid until the next call that moves the cursor.
     */
    public RecordBatchFlyweight batch()
    {
        return batch;
    }

    /**
     * @return the current record, valid until the next call that moves the cursor.
     */
    public RecordFlyweight record()
    {
        return record;
    }

    /**
     * Moves to the next batch.
     *
     * @return false at the end of what is readable now.
     */
    public boolean nextBatch()
    {
        inBatch = false;
        while (true)
        {
            final long limit = Math.min(maxOffset, log.logEndOffset());
            if (nextOffset >= limit)
            {
                return false;
            }
            if (segment == null && !positionSegment())
            {
                return false;
            }
            final UnsafeBuffer data = segment.data();
            final int size = segment.size();
            if (position + LOG_OVERHEAD > size)
            {
                if (!advanceSegment())
                {
                    return false;
                }
                continue;
            }
            final int length = data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
            if (length < MIN_BATCH_LENGTH_FIELD || position + LOG_OVERHEAD + (long)length > size)
            {
                // truncated under us: re-position from the offset on the next call
                releaseSegment();
                return false;
            }
            batch.wrap(data, position);
            if (batch.lastOffset() < nextOffset)
            {
                position += LOG_OVERHEAD + length;
                continue;
            }
            if (batch.lastOffset() >= limit)
            {
                return false;
            }
            position += LOG_OVERHEAD + length;
            nextOffset = batch.lastOffset() + 1;
            return true;
        }
    }

    /**
     * Moves to the next record, across batches, skipping records below the sought offset.
     *
     * @return false at the end of what is readable now.
     * @throws IllegalStateException at a compressed batch: read those with {@link #nextBatch()}.
     */
    public boolean nextRecord()
    {
        while (true)
        {
            if (inBatch && record.next())
            {
                if (record.offset() >= recordFloor)
                {
                    return true;
                }
                continue;
            }
            if (!nextBatch())
            {
                return false;
            }
            if (batch.compression() != 0)
            {
                throw new IllegalStateException("batch at offset " + batch.baseOffset() + " is compressed (codec " +
                    batch.compression() + "): read it with nextBatch()");
            }
            if (!batch.firstRecord(record))
            {
                continue;
            }
            inBatch = true;
            if (record.offset() >= recordFloor)
            {
                return true;
            }
        }
    }

    /**
     * Finds the first record at or after {@code timestamp}, reading from {@code fromOffset}.
     */
    TimestampOffset scanForTimestamp(final long fromOffset, final long timestamp)
    {
        final long from = Math.max(fromOffset, log.logStartOffset());
        if (from > log.logEndOffset())
        {
            return null;
        }
        seek(from);
        while (nextBatch())
        {
            if (batch.maxTimestamp() < timestamp)
            {
                continue;
            }
            if (batch.compression() != 0 || batch.isLogAppendTime())
            {
                return new TimestampOffset(batch.maxTimestamp(), Math.max(batch.baseOffset(), from), batch.compression() == 0);
            }
            if (batch.firstRecord(record))
            {
                do
                {
                    if (record.offset() >= from && record.timestamp() >= timestamp)
                    {
                        return new TimestampOffset(record.timestamp(), record.offset(), true);
                    }
                }
                while (record.next());
            }
        }
        return null;
    }

    private boolean positionSegment()
    {
        while (true)
        {
            final Segment[] segs = log.segmentsSnapshot();
            int index = Log.segmentIndexFor(segs, nextOffset);
            if (index < 0)
            {
                if (nextOffset < log.logStartOffset())
                {
                    throw new OffsetOutOfRangeException(nextOffset, log.logStartOffset(), log.logEndOffset());
                }
                index = 0;
            }
            final Segment s = segs[index];
            if (!s.retain())
            {
                continue;
            }
            segment = s;
            position = Log.findBatchPosition(s.data(), s.offsetIndex.lookupPosition(nextOffset), s.size(), nextOffset);
            return true;
        }
    }

    private boolean advanceSegment()
    {
        final Segment[] segs = log.segmentsSnapshot();
        for (final Segment s : segs)
        {
            if (s.baseOffset > segment.baseOffset && s.baseOffset <= nextOffset)
            {
                releaseSegment();
                return true;
            }
        }
        return false;
    }

    private void releaseSegment()
    {
        if (segment != null)
        {
            segment.release();
            segment = null;
        }
        inBatch = false;
    }

    /**
     * Releases the pinned segment. The cursor can be re-used after {@link #seek(long)}.
     */
    @Override
    public void close()
    {
        releaseSegment();
    }
}
