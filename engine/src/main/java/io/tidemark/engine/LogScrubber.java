package io.tidemark.engine;

import static io.tidemark.engine.record.RecordBatchDescriptor.BASE_OFFSET_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.HEADER_LENGTH;
import static io.tidemark.engine.record.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.tidemark.engine.record.RecordBatchDescriptor.MIN_BATCH_LENGTH_FIELD;
import static java.nio.ByteOrder.BIG_ENDIAN;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Verifies, in the background, every record batch of every sealed segment (all but a log's active
 * one): the CRC32C, the header and record framing ({@link RecordBatchFlyweight#validate}) and the
 * structure of the segment (offsets strictly increasing from the segment's base offset and below the
 * next segment's). A clean shutdown skips recovery, so without it a flipped byte in old data would be
 * served as it is.
 *
 * <pre>
 *  pass:  log a: seg 0 ─ seg 1 ─ (active: skipped)   log b: seg 0 ─ (active)   ...   done
 *         ◄──────────────── at most log.scrub.bytes.per.second ──────────────►
 *  next pass starts log.scrub.interval.ms after this one started (or at once when it ran longer)
 * </pre>
 *
 * A finding is a {@link CorruptBatch}: the log refuses its offsets from then on
 * ({@link Log#slice} throws {@link CorruptRecordException}), {@link #corruptBatchesFound()} counts it
 * once (finding it again in a later pass is not a new finding) and the {@link ScrubListener} hears of it.
 *
 * <p>Reading never blocks the writer: batches are read through the segment's mapping under a segment
 * reference, so retention deleting the segment mid-scan only unmaps it after the scrubber lets go (the
 * next step sees it gone and moves on). A truncation reaching into a sealed segment makes it the active
 * one again; a finding is only recorded if the segment is still sealed and unchanged after the check.
 *
 * <p>Rate: a token bucket over the injected {@link NanoClock}, filled at {@code log.scrub.bytes.per.second}
 * and holding at most one second of it; a batch is read while the bucket is not empty, so the bytes read
 * over any time {@code t} stay below {@code rate * (t + 1 s)} plus one batch.
 *
 * <p>Thread: {@link #doWork()} is called by one thread at a time (the log manager's scheduler when
 * {@code log.scrub.enable} is set, else the embedder); the counters may be read from any thread.
 */
public final class LogScrubber
{
    private final Supplier<Collection<Log>> logs;
    private final NanoClock clock;
    private final long bytesPerSecond;
    private final long intervalNs;
    private final ScrubListener listener;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final AtomicLong corruptBatchesFound = new AtomicLong();
    private final AtomicLong bytesVerified = new AtomicLong();
    private final AtomicLong passesCompleted = new AtomicLong();

    // ---- scrubbing thread only ----
    private double tokens;
    private long lastRefillNs;
    private boolean inPass;
    private long passStartNs;
    private long nextPassNs;
    private List<Log> passLogs = List.of();
    private int logIndex;
    private long segmentBase = Long.MIN_VALUE;
    private int position;
    private long expectedOffset;
    private UnsafeBuffer segmentData;

    /**
     * @param logs           the logs to scrub, asked at the start of each pass.
     * @param clock          time for the rate and the interval.
     * @param bytesPerSecond {@code log.scrub.bytes.per.second}.
     * @param intervalMs     {@code log.scrub.interval.ms}.
     * @param listener       told of each new finding.
     */
    LogScrubber(final Supplier<Collection<Log>> logs, final NanoClock clock, final long bytesPerSecond, final long intervalMs,
        final ScrubListener listener)
    {
        this.logs = logs;
        this.clock = clock;
        this.bytesPerSecond = bytesPerSecond;
        this.intervalNs = intervalMs >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : intervalMs * 1_000_000;
        this.listener = listener;
        this.lastRefillNs = clock.nanoTime();
        this.nextPassNs = lastRefillNs;
    }

    /**
     * @return corrupt batches found so far, by the scrubber or by the read path before it (each once).
     */
    public long corruptBatchesFound()
    {
        return corruptBatchesFound.get();
    }

    /**
     * @return bytes of batches read so far.
     */
    public long bytesVerified()
    {
        return bytesVerified.get();
    }

    /**
     * @return full passes over every sealed segment completed so far.
     */
    public long passesCompleted()
    {
        return passesCompleted.get();
    }

    /**
     * Verifies as many batches as the rate allows now, starting a pass when one is due.
     *
     * @return bytes verified by this call.
     */
    public synchronized long doWork()
    {
        final long now = clock.nanoTime();
        refill(now);
        if (!inPass)
        {
            if (now - nextPassNs < 0)
            {
                return 0;
            }
            startPass(now);
        }
        long verified = 0;
        while (tokens > 0)
        {
            final int read = step();
            if (read < 0)
            {
                inPass = false;
                passesCompleted.incrementAndGet();
                final long due = passStartNs + intervalNs;
                nextPassNs = due < passStartNs ? Long.MAX_VALUE : due;
                break;
            }
            tokens -= read;
            verified += read;
        }
        bytesVerified.addAndGet(verified);
        return verified;
    }

    private void refill(final long now)
    {
        final long elapsed = Math.max(0, now - lastRefillNs);
        lastRefillNs = now;
        tokens = Math.min((double)bytesPerSecond, tokens + elapsed / 1e9 * bytesPerSecond);
    }

    private void startPass(final long now)
    {
        inPass = true;
        passStartNs = now;
        final List<Log> snapshot = new ArrayList<>(logs.get());
        snapshot.sort(Comparator.comparing((final Log l) -> l.topicPartition().topic()).thenComparingInt(l -> l.topicPartition().partition()));
        passLogs = snapshot;
        logIndex = 0;
        segmentBase = Long.MIN_VALUE;
    }

    /**
     * Verifies the next batch of the pass.
     *
     * @return bytes read (0 when it only moved on to the next segment or log), or -1 at the end of the pass.
     */
    private int step()
    {
        if (logIndex >= passLogs.size())
        {
            return -1;
        }
        final Log log = passLogs.get(logIndex);
        final Segment[] segs = log.segmentsSnapshot();
        int index = 0;
        while (index < segs.length && segs[index].baseOffset < segmentBase)
        {
            index++;
        }
        if (log.isClosed() || log.failure() != null || index >= segs.length - 1)
        {
            nextLog();
            return 0;
        }
        final Segment segment = segs[index];
        if (segment.baseOffset != segmentBase || segment.data() != segmentData)
        {
            // a new segment, the one we were in is gone (retention), or it was remapped (truncated into,
            // written and sealed again since the last step): start at its beginning
            segmentBase = segment.baseOffset;
            segmentData = segment.data();
            position = 0;
            expectedOffset = segment.baseOffset;
        }
        if (!segment.retain())
        {
            nextSegment(segment);
            return 0;
        }
        try
        {
            return verifyBatch(log, segs, index, segment);
        }
        catch (final RuntimeException ex)
        {
            // the log changed under the read (truncated, closed or deleted meanwhile): its next pass looks again
            nextLog();
            return 0;
        }
        finally
        {
            segment.release();
        }
    }

    private int verifyBatch(final Log log, final Segment[] segs, final int index, final Segment segment)
    {
        final UnsafeBuffer data = segment.data();
        final int size = segment.size();
        if (position >= size)
        {
            nextSegment(segment);
            return 0;
        }
        final long nextSegmentBase = segs[index + 1].baseOffset;
        final int available = size - position;
        batch.wrap(data, position);
        final int code = batch.validate(available, Integer.MAX_VALUE, false);
        final int batchBytes = code == RecordBatchFlyweight.TRUNCATED || code == RecordBatchFlyweight.BAD_LENGTH ? available :
            batch.sizeInBytes();
        String reason = null;
        if (code == RecordBatchFlyweight.BAD_CRC)
        {
            reason = "CRC32C mismatch: stored " + Integer.toUnsignedLong(batch.crc()) + ", computed " +
                Integer.toUnsignedLong(batch.computeCrc());
        }
        else if (code != RecordBatchFlyweight.VALID)
        {
            reason = describe(code, available);
        }
        else if (batch.baseOffset() < expectedOffset)
        {
            reason = "base offset " + batch.baseOffset() + " is not above the previous batch's last offset " + (expectedOffset - 1);
        }
        else if (batch.lastOffset() >= nextSegmentBase)
        {
            reason = "last offset " + batch.lastOffset() + " reaches the next segment's base offset " + nextSegmentBase;
        }
        if (reason == null)
        {
            expectedOffset = batch.lastOffset() + 1;
            position += batchBytes;
            segment.verifiedUpTo(position);
            return batchBytes;
        }
        final boolean walkable = batchBytes < available || code != RecordBatchFlyweight.TRUNCATED && code != RecordBatchFlyweight.BAD_LENGTH;
        final long last = walkable ? nextGoodBase(data, position + batchBytes, size, expectedOffset, nextSegmentBase) - 1 :
            nextSegmentBase - 1;
        final CorruptBatch finding = new CorruptBatch(log.topicPartition(), segment.logPath(), position, expectedOffset,
            Math.max(expectedOffset, last), reason);
        // a truncation into this segment while it was read would make it the active one: then it proves nothing
        final Segment[] now = log.segmentsSnapshot();
        final boolean unchanged = segment.data() == data && segment.size() == size && now[now.length - 1] != segment;
        if (!walkable)
        {
            nextSegment(segment);
        }
        else
        {
            expectedOffset = finding.lastOffset() + 1;
            position += batchBytes;
        }
        if (unchanged && log.markCorrupt(finding))
        {
            found(finding);
        }
        return batchBytes;
    }

    /**
     * Counts a new finding and tells the listener (the scrubbing thread, or a reading thread for a batch
     * the read path found before the scrubber reached it).
     *
     * @param finding a range the log did not know as corrupt before.
     */
    void found(final CorruptBatch finding)
    {
        corruptBatchesFound.incrementAndGet();
        listener.onCorruptBatch(finding);
    }

    /**
     * @return the base offset of the batch at {@code from} if its header looks whole and its offset lies
     *         above {@code floor} and inside the segment, else the next segment's base offset.
     */
    private static long nextGoodBase(final UnsafeBuffer data, final int from, final int size, final long floor,
        final long nextSegmentBase)
    {
        if (from + HEADER_LENGTH > size)
        {
            return nextSegmentBase;
        }
        final int length = data.getInt(from + LENGTH_OFFSET, BIG_ENDIAN);
        if (length < MIN_BATCH_LENGTH_FIELD || from + LOG_OVERHEAD + (long)length > size)
        {
            return nextSegmentBase;
        }
        final long base = data.getLong(from + BASE_OFFSET_OFFSET, BIG_ENDIAN);
        return base > floor && base < nextSegmentBase ? base : nextSegmentBase;
    }

    private String describe(final int code, final int available)
    {
        if (available < LOG_OVERHEAD)
        {
            return "the segment ends in " + available + " bytes, less than a batch header";
        }
        return switch (code)
        {
            case RecordBatchFlyweight.TRUNCATED -> "the batch declares " + (batch.batchLength() + (long)LOG_OVERHEAD) +
                " bytes but the segment has " + available + " left";
            case RecordBatchFlyweight.BAD_LENGTH -> "the batch length field " + batch.batchLength() + " is out of range";
            case RecordBatchFlyweight.BAD_MAGIC -> "the batch magic is " + batch.magic() + ", not 2";
            default -> "the records do not match the batch header (record count, offset deltas or framing)";
        };
    }

    private void nextSegment(final Segment segment)
    {
        segmentBase = segment.baseOffset + 1;
    }

    private void nextLog()
    {
        logIndex++;
        segmentBase = Long.MIN_VALUE;
    }
}
