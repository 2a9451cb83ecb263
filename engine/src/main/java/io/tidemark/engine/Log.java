package io.tidemark.engine;

import static io.tidemark.engine.record.RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.record.RecordFlyweight;
import io.tidemark.engine.storage.Storage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One partition's log: a directory of segments holding Kafka v2 record batches byte for byte.
 *
 * <h2>Writing</h2>
 * Appends from any number of threads are validated on the calling thread (magic, length, CRC32C,
 * record framing), copied into the writer's lock-free ring and written by the single writer thread,
 * which assigns offsets and the leader epoch in place, indexes, publishes and applies the flush
 * policy. Each append reports the offsets assigned and the {@link Durability} reached. Forms:
 * {@link #append(DirectBuffer, int, int)} (blocking), {@link #appendAsync(DirectBuffer, int, int)}
 * and the allocation-free {@link #tryAppend(DirectBuffer, int, int, int, int, AppendListener)}.
 * Replicas append the leader's batches as they are with {@link #appendAsReplica}.
 *
 * <h2>Reading</h2>
 * Readers never block the writer: {@link #cursor()} walks batches and records through flyweights over
 * the mapped segments (no copies), and {@link #slice(long, long, int)} returns a file region of whole
 * batches for {@code transferTo}. Only published bytes are visible.
 *
 * <h2>Crash story</h2>
 * Bytes reach the disk when the flush policy syncs them (and on roll and close); the durable offset
 * says how far that is. After a crash, the log reopens with recovery: batches after the recovery
 * point are validated, a torn tail is truncated and reported; corruption in data known to be durable
 * is an error ({@link CorruptRecordException}). A failed fsync fails the pending appends and the log
 * (no retry: the kernel may have dropped the dirty pages).
 *
 * <h2>Thread safety</h2>
 * All public methods are thread safe. Structural changes (truncation, retention, roll, close) run on
 * the writer thread, in order with appends.
 */
public final class Log implements AutoCloseable
{
    /** {@link #tryAppend} result: accepted; the listener is (or already was) called exactly once. */
    public static final int ACCEPTED = 0;
    /** {@link #tryAppend} result: no room now, nothing done, the listener is not called; retry. */
    public static final int BACK_PRESSURED = -1;

    static final int CMD_TRUNCATE_TO = 1;
    static final int CMD_TRUNCATE_FULLY = 2;
    static final int CMD_DELETE_BEFORE = 3;
    static final int CMD_RETENTION = 4;
    static final int CMD_FLUSH = 5;
    static final int CMD_CLOSE = 6;
    static final int CMD_ROLL = 7;
    static final int CMD_ASSIGN_EPOCH = 8;
    static final int CMD_DISCARD = 9;

    private static final ThreadLocal<CallerContext> CALLER = ThreadLocal.withInitial(CallerContext::new);

    private final TopicPartition topicPartition;
    private final Path dir;
    private final Storage storage;
    private final LogWriter writer;
    private final int logId;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final LeaderEpochCache epochCache;
    private final RecoveryReport recoveryReport;
    private final LogHooks hooks;
    private volatile LogConfig config;
    private volatile Segment[] segments;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile long durableOffset;
    private volatile long highWatermark;
    private volatile boolean highWatermarkTracked;
    private volatile long unsyncedRecordsView;
    private volatile long unsyncedBytesView;
    private volatile long oldestUnsyncedNsView;
    private volatile StorageException failure;
    private volatile boolean closed;
    private volatile boolean closing;
    private volatile boolean discarded;
    private volatile int leaderEpoch;
    private volatile AppendInterceptor interceptor;
    private volatile LogListener listener;
    // known-bad ranges, sorted by first offset; copy on write under corruptLock (scrubber, readers, writer)
    private volatile CorruptBatch[] corrupt = NO_CORRUPT;
    private final Object corruptLock = new Object();
    private static final CorruptBatch[] NO_CORRUPT = new CorruptBatch[0];
    /** Where this log's fsyncs are recorded: its directory's stats, set once by the log manager. */
    private volatile SyncStats syncStats;

    // ---- writer thread state ----------------------------------------------------------------------
    boolean touched;
    private boolean breakDrain;
    private long nextOffset;
    private long unsyncedRecords;
    private long unsyncedBytes;
    private long oldestUnsyncedNs;
    private boolean hasUnsynced;
    private final List<PendingAppend> pending = new ArrayList<>();
    private final RecordBatchFlyweight writerBatch = new RecordBatchFlyweight();
    private final RecordBatchFlyweight segmentBatch = new RecordBatchFlyweight();

    Log(
        final LogLoader.Loaded loaded,
        final LogWriter writer,
        final NanoClock nanoClock,
        final EpochClock epochClock,
        final LogHooks hooks)
    {
        this.topicPartition = loaded.topicPartition();
        this.dir = loaded.dir();
        this.storage = loaded.storage();
        this.config = loaded.config();
        this.segments = loaded.segments();
        this.epochCache = loaded.epochCache();
        this.recoveryReport = loaded.report();
        this.nextOffset = loaded.logEndOffset();
        this.logEndOffset = loaded.logEndOffset();
        this.logStartOffset = loaded.logStartOffset();
        this.durableOffset = loaded.logEndOffset();
        this.highWatermark = Math.min(loaded.highWatermark(), loaded.logEndOffset());
        this.highWatermarkTracked = loaded.highWatermarkTracked();
        // never below the last batch's epoch: the cache may have dropped it (records deleted up to the end)
        this.leaderEpoch = Math.max(0, Math.max(epochCache.latestEpoch(), loaded.lastBatchEpoch()));
        this.writer = writer;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.hooks = hooks;
        this.logId = writer.register(this);
    }

    /**
     * Opens a standalone log in {@code dir} with the default configuration.
     *
     * @param dir the log directory (created if missing).
     * @return the open log.
     */
    public static Log open(final Path dir)
    {
        return options(dir).open();
    }

    /**
     * @param dir the log directory.
     * @return options to open a standalone log with.
     */
    public static LogOptions options(final Path dir)
    {
        return new LogOptions(dir);
    }

    // ==============================================================================================
    // Identity and state
    // ==============================================================================================

    /**
     * @return the partition this log holds.
     */
    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    /**
     * @return the partition directory.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @return the configuration in force.
     */
    public LogConfig config()
    {
        return config;
    }

    /**
     * Changes the configuration at runtime (the flush policy included); takes effect with the next
     * drain of the writer. Segment size changes apply from the next roll.
     *
     * @param newConfig the new configuration.
     */
    public void updateConfig(final LogConfig newConfig)
    {
        config = newConfig;
    }

    /**
     * Switches the flush policy at runtime.
     *
     * @param policy the new policy.
     */
    public void flushPolicy(final FlushPolicy policy)
    {
        config = config.toBuilder().flushPolicy(policy).build();
    }

    /**
     * @return the log end offset: the offset the next record will get. Every offset below it is
     *         readable.
     */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    /**
     * @return the first offset still in the log.
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * @return the log end offset as of the last completed sync: every record below it survives a
     *         power cut.
     */
    public long durableOffset()
    {
        return durableOffset;
    }

    /**
     * @return the high watermark kept for the replication layer (checkpointed with the log).
     */
    public long highWatermark()
    {
        return highWatermark;
    }

    /**
     * Sets the high watermark; the replication layer owns its meaning. Clamped to [log start, LEO].
     *
     * @param hw the new high watermark.
     */
    public void highWatermark(final long hw)
    {
        highWatermarkTracked = true;
        highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
    }

    /**
     * @param stats where this log's fsyncs are recorded from now on (its directory's).
     */
    void syncStats(final SyncStats stats)
    {
        syncStats = stats;
    }

    /**
     * @return the current unsynced window.
     */
    public UnsyncedWindow unsyncedWindow()
    {
        final long records = unsyncedRecordsView;
        final long oldest = oldestUnsyncedNsView;
        final long ageMs = records == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(Math.max(0, nanoClock.nanoTime() - oldest));
        return new UnsyncedWindow(records, unsyncedBytesView, ageMs);
    }

    /**
     * @return the leader epoch stamped on appends that do not name one.
     */
    public int leaderEpoch()
    {
        return leaderEpoch;
    }

    /**
     * @param epoch the leader epoch to stamp on appends that do not name one.
     */
    public void leaderEpoch(final int epoch)
    {
        leaderEpoch = epoch;
    }

    /**
     * @return the leader epoch cache.
     */
    public LeaderEpochCache epochCache()
    {
        return epochCache;
    }

    /**
     * @return what recovery did when the log was opened.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /**
     * @param interceptor hook run on the writer thread around appends (producer state), or null.
     */
    public void interceptor(final AppendInterceptor interceptor)
    {
        this.interceptor = interceptor;
    }

    /**
     * @param listener told about progress on the writer thread, or null.
     */
    public void listener(final LogListener listener)
    {
        this.listener = listener;
    }

    /**
     * @return the failure that stopped writes, or null while the log is healthy.
     */
    public StorageException failure()
    {
        return failure;
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @return total bytes in the log's segments.
     */
    public long sizeInBytes()
    {
        long total = 0;
        for (final Segment s : segments)
        {
            total += s.size();
        }
        return total;
    }

    /**
     * @return the number of segments.
     */
    public int segmentCount()
    {
        return segments.length;
    }

    /**
     * @return base offsets of the segments, oldest first.
     */
    public long[] segmentBaseOffsets()
    {
        final Segment[] segs = segments;
        final long[] result = new long[segs.length];
        for (int i = 0; i < segs.length; i++)
        {
            result[i] = segs[i].baseOffset;
        }
        return result;
    }

    // ==============================================================================================
    // Appending (any thread)
    // ==============================================================================================

    /**
     * Appends one or more record batches as leader, without allocating. The batches are validated
     * here (magic, length, CRC32C, record framing, {@code max.message.bytes}); offsets and the leader
     * epoch are assigned by the writer.
     *
     * @param src         the batches.
     * @param offset      where they start.
     * @param length      their total length.
     * @param leaderEpoch epoch to stamp.
     * @param flags       0, or 1 to stamp log append time.
     * @param listener    called exactly once with the outcome unless {@link #BACK_PRESSURED} is returned.
     * @return {@link #ACCEPTED} or {@link #BACK_PRESSURED}.
     */
    public int tryAppend(
        final DirectBuffer src,
        final int offset,
        final int length,
        final int leaderEpoch,
        final int flags,
        final AppendListener listener)
    {
        return enqueueBatches(LogWriter.APPEND_LEADER, src, offset, length, leaderEpoch, flags, listener);
    }

    /**
     * Appends a replica's copy of the leader's batches as they are (offsets and epochs kept). The
     * first batch must start at the log end offset.
     *
     * @param src      the batches.
     * @param offset   where they start.
     * @param length   their total length.
     * @param listener called exactly once unless {@link #BACK_PRESSURED} is returned.
     * @return {@link #ACCEPTED} or {@link #BACK_PRESSURED}.
     */
    public int tryAppendAsReplica(final DirectBuffer src, final int offset, final int length, final AppendListener listener)
    {
        return enqueueBatches(LogWriter.APPEND_REPLICA, src, offset, length, 0, 0, listener);
    }

    private int enqueueBatches(
        final int type,
        final DirectBuffer src,
        final int offset,
        final int length,
        final int epoch,
        final int flags,
        final AppendListener listener)
    {
        final CallerContext ctx = CALLER.get();
        final AppendResult failed = ctx.failedResult;
        failed.reset();
        if (closed || closing)
        {
            failed.fail(AppendResult.CLOSED, null);
            listener.onAppendComplete(failed);
            return ACCEPTED;
        }
        final StorageException f = failure;
        if (f != null)
        {
            failed.fail(AppendResult.STORAGE_ERROR, f);
            listener.onAppendComplete(failed);
            return ACCEPTED;
        }
        final int records = validate(ctx, src, offset, length, type == LogWriter.APPEND_LEADER, failed);
        if (records < 0)
        {
            listener.onAppendComplete(failed);
            return ACCEPTED;
        }
        final int code = writer.enqueue(type, logId, src, offset, length, epoch, flags, 0, records, listener);
        if (code == LogWriter.BACK_PRESSURED)
        {
            return BACK_PRESSURED;
        }
        if (code != LogWriter.ENQUEUED)
        {
            if (code == LogWriter.TOO_LARGE)
            {
                failed.fail(AppendResult.RECORD_TOO_LARGE, new InvalidRecordException(AppendResult.RECORD_TOO_LARGE,
                    length + " bytes exceed the writer ring's message limit " + writer.maxPayloadLength()));
            }
            else
            {
                failed.fail(AppendResult.CLOSED, null);
            }
            listener.onAppendComplete(failed);
        }
        return ACCEPTED;
    }

    /**
     * @return records in the batches, or -1 with {@code out} holding the failure.
     */
    private int validate(
        final CallerContext ctx,
        final DirectBuffer src,
        final int offset,
        final int length,
        final boolean asLeader,
        final AppendResult out)
    {
        if (length <= 0)
        {
            out.fail(AppendResult.INVALID_RECORD, new InvalidRecordException(AppendResult.INVALID_RECORD, "empty append"));
            return -1;
        }
        final LogConfig cfg = config;
        final RecordBatchFlyweight batch = ctx.batch;
        final int end = offset + length;
        int position = offset;
        int records = 0;
        int batches = 0;
        while (position < end)
        {
            batch.wrap(src, position);
            final int code = batch.validate(end - position, Integer.MAX_VALUE, asLeader);
            if (code != RecordBatchFlyweight.VALID)
            {
                out.fail(AppendResult.INVALID_RECORD, new InvalidRecordException(AppendResult.INVALID_RECORD,
                    "record batch " + batches + " at byte " + (position - offset) + ": " +
                    RecordBatchFlyweight.validationName(code)));
                return -1;
            }
            final int size = batch.sizeInBytes();
            if (size > cfg.maxBatchBytes())
            {
                out.fail(AppendResult.RECORD_TOO_LARGE, new InvalidRecordException(AppendResult.RECORD_TOO_LARGE,
                    "record batch of " + size + " bytes exceeds max.message.bytes " + cfg.maxBatchBytes()));
                return -1;
            }
            records += batch.lastOffsetDelta() + 1;
            position += size;
            batches++;
        }
        if (asLeader && batches > 1 && interceptor != null)
        {
            out.fail(AppendResult.INVALID_RECORD, new InvalidRecordException(AppendResult.INVALID_RECORD,
                "a producer append carries exactly one record batch; got " + batches));
            return -1;
        }
        return records;
    }

    /**
     * Appends batches as leader and waits for the outcome.
     *
     * @param src    the batches.
     * @param offset where they start.
     * @param length their total length.
     * @return the outcome; check {@link AppendResult#succeeded()} or call {@link AppendResult#orThrow()}.
     */
    public AppendResult append(final DirectBuffer src, final int offset, final int length)
    {
        return appendInto(src, offset, length, new AppendResult());
    }

    /**
     * Appends batches as leader, waits, and fills {@code result}: allocation free.
     *
     * @param src    the batches.
     * @param offset where they start.
     * @param length their total length.
     * @param result filled with the outcome.
     * @return {@code result}.
     */
    public AppendResult appendInto(final DirectBuffer src, final int offset, final int length, final AppendResult result)
    {
        final CallerContext ctx = CALLER.get();
        return ctx.waiter.await(this, LogWriter.APPEND_LEADER, src, offset, length, leaderEpoch, result);
    }

    /**
     * Appends the batch a builder built and waits.
     *
     * @param builder a builder after {@link RecordBatchBuilder#build()}.
     * @return the outcome.
     */
    public AppendResult append(final RecordBatchBuilder builder)
    {
        return append(builder.buffer(), builder.offset(), builder.sizeInBytes());
    }

    /**
     * Appends one record and waits (allocates; for convenience, not hot paths).
     *
     * @param key   the key or null.
     * @param value the value or null.
     * @return the outcome.
     */
    public AppendResult append(final byte[] key, final byte[] value)
    {
        final int capacity = 128 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        final RecordBatchBuilder builder = new RecordBatchBuilder(new UnsafeBuffer(new byte[capacity]));
        builder.append(epochClock.time(), key, value);
        builder.build();
        return append(builder);
    }

    /**
     * Appends replica batches as they are and waits.
     *
     * @param src    the batches.
     * @param offset where they start.
     * @param length their total length.
     * @return the outcome.
     */
    public AppendResult appendAsReplica(final DirectBuffer src, final int offset, final int length)
    {
        final CallerContext ctx = CALLER.get();
        return ctx.waiter.await(this, LogWriter.APPEND_REPLICA, src, offset, length, 0, new AppendResult());
    }

    /**
     * Appends batches as leader asynchronously. The bytes are copied before this returns.
     *
     * @param src    the batches.
     * @param offset where they start.
     * @param length their total length.
     * @return completes with the outcome (failed appends complete normally with their status).
     */
    public CompletableFuture<AppendResult> appendAsync(final DirectBuffer src, final int offset, final int length)
    {
        final CompletableFuture<AppendResult> future = new CompletableFuture<>();
        final AppendListener listener = r -> future.complete(r.copy());
        while (tryAppend(src, offset, length, leaderEpoch, 0, listener) == BACK_PRESSURED)
        {
            backOff();
        }
        return future;
    }

    private void backOff()
    {
        if (writer.mode() == WriterMode.INVOKER)
        {
            writer.doWork();
        }
        else
        {
            LockSupport.parkNanos(1000);
        }
    }

    // ==============================================================================================
    // Commands (any thread; run on the writer thread in order with appends)
    // ==============================================================================================

    /**
     * Removes every record at or after {@code offset} (to the start of the batch holding it), durably.
     *
     * @param offset the first offset to remove.
     * @return the new log end offset.
     */
    public long truncateTo(final long offset)
    {
        return command(CMD_TRUNCATE_TO, offset).baseOffset();
    }

    /**
     * Removes every record and restarts the log empty at {@code offset}.
     *
     * @param offset the new log start and end offset.
     */
    public void truncateFullyAndStartAt(final long offset)
    {
        command(CMD_TRUNCATE_FULLY, offset);
    }

    /**
     * Advances the log start offset to {@code offset} (at most the log end offset) and deletes
     * segments wholly below it.
     *
     * @param offset the new log start offset.
     * @return the log start offset after the call.
     */
    public long deleteRecordsBefore(final long offset)
    {
        return command(CMD_DELETE_BEFORE, offset).baseOffset();
    }

    /**
     * Applies time and size retention now.
     *
     * @return segments deleted.
     */
    public int applyRetention()
    {
        return (int)command(CMD_RETENTION, epochClock.time()).baseOffset();
    }

    /**
     * Forces everything written so far to disk, whatever the flush policy.
     *
     * @return the durable offset after the sync.
     */
    public long flush()
    {
        return command(CMD_FLUSH, 0).baseOffset();
    }

    /**
     * Rolls to a new segment if the active one holds anything.
     */
    public void roll()
    {
        command(CMD_ROLL, 0);
    }

    /**
     * Starts a new leader epoch at the log end offset (a new leader does this before its first append,
     * so its epoch cache answers OffsetForLeaderEpoch for older epochs correctly), and stamps it on
     * appends that do not name an epoch. An epoch not newer than the latest is ignored.
     *
     * @param epoch the new leader epoch.
     */
    public void assignLeaderEpoch(final int epoch)
    {
        leaderEpoch = Math.max(leaderEpoch, epoch);
        command(CMD_ASSIGN_EPOCH, epoch);
    }

    private AppendResult command(final int cmd, final long arg)
    {
        final CallerContext ctx = CALLER.get();
        final AppendResult result = ctx.waiter.awaitCommand(this, cmd, arg, new AppendResult());
        if (result.status() == AppendResult.CLOSED)
        {
            throw new IllegalStateException("log " + topicPartition + " is closed");
        }
        if (!result.succeeded())
        {
            final Throwable error = result.error();
            if (error instanceof RuntimeException re)
            {
                throw re;
            }
            throw new StorageException(StorageException.Kind.IO, dir, "command " + cmd, arg, -1,
                AppendResult.statusName(result.status()), error);
        }
        return result;
    }

    /**
     * Syncs and seals the active segment, then releases the log's files. Appends after close fail.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        final CallerContext ctx = CALLER.get();
        final AppendResult result = ctx.waiter.awaitCommand(this, CMD_CLOSE, 0, new AppendResult());
        if (!closed)
        {
            // the writer could not run the command (it stopped): close from here
            closeNow();
        }
        if (result.error() instanceof StorageException se && failure == null)
        {
            throw se;
        }
    }

    /**
     * @return true if the log was closed by {@link #discard()}: nothing was synced, so nothing may be
     *         marked clean.
     */
    boolean isDiscarded()
    {
        return discarded;
    }

    /**
     * Closes a log whose files are about to be deleted: releases its files without syncing or sealing
     * anything (nothing of it will be read again). Appends after it fail. Unlike {@link #close()} it writes
     * nothing, so deleting a large unsynced log does not hold its writer thread (shared with other logs) in
     * a long sync.
     */
    public void discard()
    {
        if (closed)
        {
            return;
        }
        final CallerContext ctx = CALLER.get();
        ctx.waiter.awaitCommand(this, CMD_DISCARD, 0, new AppendResult());
        if (!closed)
        {
            // the writer could not run the command (it stopped): release from here
            closeNow();
        }
    }

    // ==============================================================================================
    // Reading (any thread)
    // ==============================================================================================

    /**
     * @return a new cursor; close it when done (it pins at most one segment at a time).
     */
    public LogCursor cursor()
    {
        return new LogCursor(this);
    }

    Segment[] segmentsSnapshot()
    {
        return segments;
    }

    static int segmentIndexFor(final Segment[] segs, final long offset)
    {
        int low = 0;
        int high = segs.length - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (segs[mid].baseOffset <= offset)
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

    /**
     * @return the position of the first batch in {@code [from, to)} whose last offset is at least
     *         {@code target}, or {@code to} if none; stops early at a malformed header.
     */
    static int findBatchPosition(final UnsafeBuffer data, final int from, final int to, final long target)
    {
        int position = from;
        while (position + LOG_OVERHEAD + LAST_OFFSET_DELTA_OFFSET - LENGTH_OFFSET <= to)
        {
            final int length = data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
            if (length <= 0 || position + LOG_OVERHEAD + (long)length > to)
            {
                return to;
            }
            final long last = data.getLong(position, BIG_ENDIAN) + data.getInt(position + LAST_OFFSET_DELTA_OFFSET, BIG_ENDIAN);
            if (last >= target)
            {
                return position;
            }
            position += LOG_OVERHEAD + length;
        }
        return to;
    }

    /**
     * A region of whole batches starting with the batch that holds {@code startOffset}, for
     * zero-copy sends. Stays within one segment; ends before any batch reaching {@code maxOffset};
     * at most {@code maxBytes} unless the first batch alone is larger (it is then returned whole).
     *
     * @param startOffset the first offset wanted.
     * @param maxOffset   exclusive bound, such as the high watermark; clamped to the log end offset.
     * @param maxBytes    soft size bound.
     * @return the slice (close it after the send), or null if nothing is readable from there yet.
     * @throws OffsetOutOfRangeException if {@code startOffset} is below the log start or above the end.
     * @throws CorruptRecordException    if {@code startOffset} lies in a range known corrupt ({@link #corruptBatches()});
     *                                   a slice starting before such a range ends before it.
     */
    public FileSlice slice(final long startOffset, final long maxOffset, final int maxBytes)
    {
        while (true)
        {
            final long end = logEndOffset;
            final long start = logStartOffset;
            final Segment[] segs = segments;
            if (startOffset < start || startOffset > end)
            {
                throw new OffsetOutOfRangeException(startOffset, start, end);
            }
            long limit = Math.min(maxOffset, end);
            if (startOffset >= limit)
            {
                return null;
            }
            final CorruptBatch bad = firstCorruptFrom(startOffset);
            if (bad != null && bad.firstOffset() <= startOffset)
            {
                throw new CorruptRecordException(bad.segmentFile(), bad.position(), bad.firstOffset(),
                    "offsets " + bad.firstOffset() + ".." + bad.lastOffset() + " of " + topicPartition + " are known corrupt", bad.reason());
            }
            if (bad != null && bad.firstOffset() < limit)
            {
                limit = bad.firstOffset(); // serve what precedes the bad range, never the range itself
            }
            int index = segmentIndexFor(segs, startOffset);
            if (index < 0)
            {
                index = 0;
            }
            boolean retry = false;
            for (; index < segs.length; index++)
            {
                final Segment segment = segs[index];
                if (!segment.retain())
                {
                    retry = true;
                    break;
                }
                final FileSlice slice;
                try
                {
                    slice = sliceOf(segs, index, startOffset, limit, maxBytes);
                }
                catch (final RuntimeException ex)
                {
                    segment.release();
                    throw ex;
                }
                if (slice != null)
                {
                    return slice;
                }
                segment.release();
            }
            if (!retry)
            {
                return null;
            }
        }
    }

    /**
     * The slice of one segment; batches of a sealed segment the scrubber has not reached yet (loaded from
     * disk, not written in this process) are verified before they are served.
     */
    private FileSlice sliceOf(final Segment[] segs, final int index, final long startOffset, final long limit, final int maxBytes)
    {
        final Segment segment = segs[index];
        final boolean sealed = index < segs.length - 1;
        final int verified = segment.verifiedUpTo();
        final UnsafeBuffer data = segment.data();
        final int size = segment.size();
        final int first = findBatchPosition(data, segment.offsetIndex.lookupPosition(startOffset), size, startOffset);
        if (first >= size)
        {
            return null;
        }
        final long firstBase = data.getLong(first, BIG_ENDIAN);
        if (firstBase >= limit)
        {
            return null;
        }
        int position = first;
        long next = firstBase;
        while (position + LOG_OVERHEAD <= size)
        {
            final int batchSize = LOG_OVERHEAD + data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
            if (batchSize <= LOG_OVERHEAD || position + (long)batchSize > size)
            {
                break;
            }
            final long last = data.getLong(position, BIG_ENDIAN) + data.getInt(position + LAST_OFFSET_DELTA_OFFSET, BIG_ENDIAN);
            if (last >= limit)
            {
                break;
            }
            if (position > first && (long)position - first + batchSize > maxBytes)
            {
                break;
            }
            if (sealed && position >= verified && !verifiedOnRead(segs, index, data, first, position, size))
            {
                break;
            }
            position += batchSize;
            next = last + 1;
        }
        if (position == first)
        {
            return null;
        }
        return new FileSlice(segment, first, position - first, firstBase, next);
    }

    /**
     * Checks a batch of a sealed segment not yet scrubbed before it is served (reading thread). A bad one is
     * recorded as known corrupt when its header gives a plausible range (the scrubber finds the others), and
     * never served: a slice starting at it is refused, a slice reaching it ends before it.
     *
     * @return true if the batch is good, false if the slice must end before it.
     * @throws CorruptRecordException if the bad batch is where the slice starts ({@code first}).
     */
    private boolean verifiedOnRead(final Segment[] segs, final int index, final UnsafeBuffer data, final int first, final int position,
        final int size)
    {
        final RecordBatchFlyweight batch = CALLER.get().batch;
        batch.wrap(data, position);
        final int code = batch.validate(size - position, Integer.MAX_VALUE, false);
        if (code == RecordBatchFlyweight.VALID)
        {
            return true;
        }
        final Segment segment = segs[index];
        final long base = batch.baseOffset();
        final long last = batch.lastOffset();
        final String reason = "found on read: " + (code == RecordBatchFlyweight.BAD_CRC ? "CRC32C mismatch: stored " +
            Integer.toUnsignedLong(batch.crc()) + ", computed " + Integer.toUnsignedLong(batch.computeCrc()) :
            RecordBatchFlyweight.validationName(code));
        if (base >= segment.baseOffset && base <= last && last < segs[index + 1].baseOffset)
        {
            final CorruptBatch finding = new CorruptBatch(topicPartition, segment.logPath(), position, base, last, reason);
            if (markCorrupt(finding))
            {
                hooks.onCorruptBatch(this, finding);
            }
        }
        if (position == first)
        {
            throw new CorruptRecordException(segment.logPath(), position, base, reason, "");
        }
        return false;
    }

    // ==============================================================================================
    // Known-bad ranges (any thread)
    // ==============================================================================================

    /**
     * @return the batches of this log known corrupt and still in it (at or above the log start), by offset.
     */
    public List<CorruptBatch> corruptBatches()
    {
        final long start = logStartOffset;
        final List<CorruptBatch> result = new ArrayList<>();
        for (final CorruptBatch b : corrupt)
        {
            if (b.lastOffset() >= start)
            {
                result.add(b);
            }
        }
        return result;
    }

    /**
     * @param offset an offset.
     * @return the first known-bad range ending at or after {@code offset}, or null.
     */
    CorruptBatch firstCorruptFrom(final long offset)
    {
        for (final CorruptBatch b : corrupt)
        {
            if (b.lastOffset() >= offset)
            {
                return b;
            }
        }
        return null;
    }

    /**
     * Records a bad range: from now on its offsets are refused.
     *
     * @param batch the finding.
     * @return false if a known range already overlaps it (the same batch found again).
     */
    boolean markCorrupt(final CorruptBatch batch)
    {
        synchronized (corruptLock)
        {
            final CorruptBatch[] current = corrupt;
            int at = current.length;
            for (int i = 0; i < current.length; i++)
            {
                if (current[i].overlaps(batch.firstOffset(), batch.lastOffset()))
                {
                    return false;
                }
                if (current[i].firstOffset() > batch.firstOffset() && at == current.length)
                {
                    at = i;
                }
            }
            final CorruptBatch[] next = new CorruptBatch[current.length + 1];
            System.arraycopy(current, 0, next, 0, at);
            next[at] = batch;
            System.arraycopy(current, at, next, at + 1, current.length - at);
            corrupt = next;
            return true;
        }
    }

    /**
     * Forgets bad ranges at or after {@code newEnd} (their bytes were truncated away); one that straddles it
     * keeps its part below.
     */
    private void forgetCorruptFrom(final long newEnd)
    {
        synchronized (corruptLock)
        {
            final List<CorruptBatch> kept = new ArrayList<>();
            for (final CorruptBatch b : corrupt)
            {
                if (b.firstOffset() >= newEnd)
                {
                    continue;
                }
                kept.add(b.lastOffset() < newEnd ? b :
                    new CorruptBatch(b.topicPartition(), b.segmentFile(), b.position(), b.firstOffset(), newEnd - 1, b.reason()));
            }
            corrupt = kept.toArray(NO_CORRUPT);
        }
    }

    /**
     * Forgets bad ranges wholly below the log start (retention or DeleteRecords removed them).
     */
    private void forgetCorruptBelowStart()
    {
        synchronized (corruptLock)
        {
            final List<CorruptBatch> kept = new ArrayList<>();
            for (final CorruptBatch b : corrupt)
            {
                if (b.lastOffset() >= logStartOffset)
                {
                    kept.add(b);
                }
            }
            if (kept.size() != corrupt.length)
            {
                corrupt = kept.toArray(NO_CORRUPT);
            }
        }
    }

    /**
     * Finds the first record whose timestamp is at least {@code timestamp}.
     *
     * @param timestamp the target time in ms.
     * @return the record's offset and timestamp, or null if every record is older.
     */
    public TimestampOffset offsetForTimestamp(final long timestamp)
    {
        try (LogCursor cursor = cursor())
        {
            final Segment[] segs = segments;
            for (final Segment segment : segs)
            {
                if (segment.maxTimestamp() < timestamp)
                {
                    continue;
                }
                final long from = Math.max(logStartOffset, segment.timeIndex.lookupOffset(timestamp));
                final TimestampOffset found = cursor.scanForTimestamp(Math.max(from, segment.baseOffset), timestamp);
                if (found != null)
                {
                    return found;
                }
            }
            return null;
        }
    }

    /**
     * @return the largest timestamp in the log and the first record carrying it, or null if empty.
     */
    public TimestampOffset maxTimestamp()
    {
        long best = -1;
        for (final Segment s : segments)
        {
            best = Math.max(best, s.maxTimestamp());
        }
        return best < 0 ? null : offsetForTimestamp(best);
    }

    // ==============================================================================================
    // Writer thread
    // ==============================================================================================

    boolean breakDrain()
    {
        return breakDrain;
    }

    void writeLeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final int length,
        final int epoch,
        final int flags,
        final PendingAppend slot)
    {
        final AppendResult r = slot.result;
        r.reset();
        pending.add(slot);
        if (!checkWritable(r))
        {
            return;
        }
        if (epoch < epochCache.latestEpoch())
        {
            r.fail(AppendResult.INVALID_RECORD, new InvalidRecordException(AppendResult.INVALID_RECORD,
                "leader epoch " + epoch + " is older than the log's latest epoch " + epochCache.latestEpoch()));
            return;
        }
        final AppendInterceptor ic = interceptor;
        final int end = offset + length;
        int position = offset;
        long base = -1;
        while (position < end)
        {
            final RecordBatchFlyweight batch = writerBatch.wrap(buffer, position);
            final int size = batch.sizeInBytes();
            if (ic != null)
            {
                final int verdict = ic.check(batch, nextOffset, r);
                if (verdict == AppendInterceptor.DUPLICATE)
                {
                    r.status = AppendResult.DUPLICATE;
                    return;
                }
                if (verdict != AppendInterceptor.ACCEPT)
                {
                    r.status = AppendResult.REJECTED;
                    r.rejectCode = verdict;
                    return;
                }
            }
            final Segment segment = prepareWrite(size, r);
            if (segment == null)
            {
                return;
            }
            final int at = segment.writePosition;
            segment.data().putBytes(at, buffer, position, size);
            final RecordBatchFlyweight stored = segmentBatch.wrap(segment.data(), at);
            stored.baseOffset(nextOffset);
            stored.partitionLeaderEpoch(epoch);
            if ((flags & LogWriter.FLAG_LOG_APPEND_TIME) != 0)
            {
                final long now = epochClock.time();
                stored.stampLogAppendTime(now);
                r.logAppendTimeMs = now;
            }
            if (base < 0)
            {
                base = nextOffset;
            }
            if (!afterWrite(segment, stored, at, size, true, r))
            {
                return;
            }
            r.lastOffset = stored.lastOffset();
            position += size;
        }
        r.baseOffset = base;
    }

    void writeReplica(final MutableDirectBuffer buffer, final int offset, final int length, final PendingAppend slot)
    {
        final AppendResult r = slot.result;
        r.reset();
        pending.add(slot);
        if (!checkWritable(r))
        {
            return;
        }
        final int end = offset + length;
        int position = offset;
        long base = -1;
        while (position < end)
        {
            final RecordBatchFlyweight batch = writerBatch.wrap(buffer, position);
            if (batch.baseOffset() != nextOffset)
            {
                r.fail(AppendResult.OFFSET_MISMATCH, new InvalidRecordException(AppendResult.OFFSET_MISMATCH,
                    "replica batch starts at offset " + batch.baseOffset() + " but the log end offset is " + nextOffset));
                break;
            }
            if (batch.partitionLeaderEpoch() < epochCache.latestEpoch())
            {
                r.fail(AppendResult.INVALID_RECORD, new InvalidRecordException(AppendResult.INVALID_RECORD,
                    "replica batch at offset " + nextOffset + " has leader epoch " + batch.partitionLeaderEpoch() +
                    ", older than the log's latest epoch " + epochCache.latestEpoch()));
                break;
            }
            final int size = batch.sizeInBytes();
            final Segment segment = prepareWrite(size, r);
            if (segment == null)
            {
                break;
            }
            final int at = segment.writePosition;
            segment.data().putBytes(at, buffer, position, size);
            final RecordBatchFlyweight stored = segmentBatch.wrap(segment.data(), at);
            if (base < 0)
            {
                base = stored.baseOffset();
            }
            if (!afterWrite(segment, stored, at, size, false, r))
            {
                break;
            }
            r.lastOffset = stored.lastOffset();
            position += size;
        }
        r.baseOffset = base;
    }

    private boolean checkWritable(final AppendResult r)
    {
        if (closed)
        {
            r.fail(AppendResult.CLOSED, null);
            return false;
        }
        final StorageException f = failure;
        if (f != null)
        {
            r.fail(AppendResult.STORAGE_ERROR, f);
            return false;
        }
        return true;
    }

    /**
     * Rolls if needed and reserves space. On failure fills {@code r} and returns null.
     */
    private Segment prepareWrite(final int size, final AppendResult r)
    {
        final LogConfig cfg = config;
        Segment segment = active();
        try
        {
            if (shouldRoll(segment, size, cfg))
            {
                segment = rollInternal(cfg);
                if (segment == null)
                {
                    r.fail(AppendResult.STORAGE_ERROR, failure);
                    return null;
                }
            }
            if (segment.writePosition + (long)size > segment.capacity)
            {
                r.fail(AppendResult.RECORD_TOO_LARGE, new InvalidRecordException(AppendResult.RECORD_TOO_LARGE,
                    "batch of " + size + " bytes does not fit a segment of " + segment.capacity + " bytes"));
                return null;
            }
            segment.ensureAllocated(segment.writePosition + size, cfg.preallocateBytes());
            return segment;
        }
        catch (final IOException ex)
        {
            final StorageException se = StorageException.of(ex, segment.logPath(), "append", nextOffset, segment.writePosition);
            if (se.kind() == StorageException.Kind.OUT_OF_SPACE)
            {
                r.fail(AppendResult.OUT_OF_SPACE, se);
            }
            else
            {
                fail(se);
                r.fail(AppendResult.STORAGE_ERROR, se);
            }
            return null;
        }
    }

    private boolean shouldRoll(final Segment segment, final int size, final LogConfig cfg)
    {
        if (segment.writePosition == 0)
        {
            return false;
        }
        return segment.writePosition + (long)size > segment.capacity ||
            segment.offsetIndex.isFull() || segment.timeIndex.isFull() ||
            nextOffset + Integer.MAX_VALUE / 2 - segment.baseOffset > Integer.MAX_VALUE ||
            (segment.firstAppendNs != Long.MIN_VALUE &&
                nanoClock.nanoTime() - segment.firstAppendNs >= TimeUnit.MILLISECONDS.toNanos(cfg.segmentMs()));
    }

    private boolean afterWrite(
        final Segment segment,
        final RecordBatchFlyweight stored,
        final int position,
        final int size,
        final boolean asLeader,
        final AppendResult r)
    {
        final LogConfig cfg = config;
        final long base = stored.baseOffset();
        final long last = stored.lastOffset();
        final long now = nanoClock.nanoTime();
        segment.writePosition = position + size;
        if (segment.firstAppendNs == Long.MIN_VALUE)
        {
            segment.firstAppendNs = now;
        }
        final long ts = stored.maxTimestamp();
        if (ts > segment.writerMaxTimestamp)
        {
            segment.writerMaxTimestamp = ts;
            segment.offsetOfMaxTimestamp = last;
        }
        segment.bytesSinceLastIndexEntry += size;
        if (segment.bytesSinceLastIndexEntry > cfg.indexIntervalBytes())
        {
            segment.offsetIndex.append(last, position);
            segment.timeIndex.maybeAppend(segment.writerMaxTimestamp, segment.offsetOfMaxTimestamp);
            segment.bytesSinceLastIndexEntry = 0;
        }
        nextOffset = last + 1;
        segment.nextOffset = nextOffset;
        unsyncedRecords += last - base + 1;
        unsyncedBytes += size;
        if (!hasUnsynced)
        {
            hasUnsynced = true;
            oldestUnsyncedNs = now;
        }
        final int epoch = stored.partitionLeaderEpoch();
        if (epoch > epochCache.latestEpoch())
        {
            try
            {
                epochCache.assign(epoch, base, true);
            }
            catch (final IOException ex)
            {
                final StorageException se = StorageException.of(ex, dir, "leader epoch checkpoint", base, -1);
                fail(se);
                r.fail(AppendResult.STORAGE_ERROR, se);
                return false;
            }
        }
        final AppendInterceptor ic = interceptor;
        if (ic != null)
        {
            ic.onAppended(stored, asLeader);
        }
        final FlushPolicy policy = cfg.flushPolicy();
        if (policy.kind() == FlushPolicy.Kind.MESSAGES && unsyncedRecords >= policy.value())
        {
            breakDrain = true;
        }
        return true;
    }

    private Segment active()
    {
        final Segment[] segs = segments;
        return segs[segs.length - 1];
    }

    private void publish()
    {
        active().publish();
        logEndOffset = nextOffset;
        unsyncedRecordsView = unsyncedRecords;
        unsyncedBytesView = unsyncedBytes;
        oldestUnsyncedNsView = oldestUnsyncedNs;
    }

    /**
     * Ends a drain for this log: publish, sync per policy, complete the appends, notify.
     */
    void endCycle()
    {
        touched = false;
        breakDrain = false;
        final long endBefore = logEndOffset;
        final long durableBefore = durableOffset;
        publish();
        boolean syncFailed = false;
        if (hasUnsynced && failure == null && syncDue(config.flushPolicy(), nanoClock.nanoTime()))
        {
            syncFailed = !syncInternal();
        }
        for (int i = 0; i < pending.size(); i++)
        {
            final PendingAppend slot = pending.get(i);
            final AppendResult r = slot.result;
            if (r.succeeded())
            {
                if (syncFailed && r.lastOffset >= durableOffset)
                {
                    r.fail(AppendResult.STORAGE_ERROR, failure);
                }
                else
                {
                    r.durability = r.lastOffset < durableOffset ? Durability.SYNCED : Durability.WRITTEN;
                }
            }
            writer.complete(slot);
        }
        pending.clear();
        if (logEndOffset != endBefore || durableOffset != durableBefore)
        {
            notifyListener();
        }
    }

    private boolean syncDue(final FlushPolicy policy, final long nowNs)
    {
        return switch (policy.kind())
        {
            case BATCH -> true;
            case MESSAGES -> unsyncedRecords >= policy.value();
            case INTERVAL -> nowNs - oldestUnsyncedNs >= TimeUnit.MILLISECONDS.toNanos(policy.value());
            case NONE -> false;
        };
    }

    /**
     * Interval flushes without new appends.
     *
     * @return 1 if it synced.
     */
    int onTimer(final long nowNs)
    {
        final FlushPolicy policy = config.flushPolicy();
        if (!hasUnsynced || failure != null || closed || policy.kind() != FlushPolicy.Kind.INTERVAL)
        {
            return 0;
        }
        if (nowNs - oldestUnsyncedNs >= TimeUnit.MILLISECONDS.toNanos(policy.value()))
        {
            publish();
            syncInternal();
            notifyListener();
            return 1;
        }
        return 0;
    }

    /**
     * @return when {@link #onTimer} next has work, or {@link Long#MAX_VALUE}.
     */
    long timerDeadlineNs()
    {
        final FlushPolicy policy = config.flushPolicy();
        if (!hasUnsynced || failure != null || closed || policy.kind() != FlushPolicy.Kind.INTERVAL)
        {
            return Long.MAX_VALUE;
        }
        return oldestUnsyncedNs + TimeUnit.MILLISECONDS.toNanos(policy.value());
    }

    /**
     * Forces the active segment. On failure the log is failed.
     *
     * @return true if the sync succeeded.
     */
    private boolean syncInternal()
    {
        final long target = nextOffset;
        final Segment segment = active();
        final long startNs = nanoClock.nanoTime();
        try
        {
            segment.forceData();
        }
        catch (final IOException ex)
        {
            fail(new StorageException(StorageException.Kind.SYNC_FAILED, segment.logPath(), "fsync", target, segment.writePosition,
                "fsync failed; durability of the last " + unsyncedRecords + " records is unknown and the log takes no more writes",
                ex));
            return false;
        }
        final SyncStats stats = syncStats;
        if (stats != null)
        {
            stats.recordSync(nanoClock.nanoTime() - startNs, unsyncedRecords);
        }
        durableOffset = target;
        unsyncedRecords = 0;
        unsyncedBytes = 0;
        hasUnsynced = false;
        unsyncedRecordsView = 0;
        unsyncedBytesView = 0;
        writer.onSynced();
        return true;
    }

    private Segment rollInternal(final LogConfig cfg) throws IOException
    {
        final Segment old = active();
        publish();
        try
        {
            old.forceAll();
        }
        catch (final IOException ex)
        {
            fail(new StorageException(StorageException.Kind.SYNC_FAILED, old.logPath(), "roll", nextOffset, old.writePosition,
                "fsync of the rolled segment failed", ex));
            return null;
        }
        durableOffset = nextOffset;
        unsyncedRecords = 0;
        unsyncedBytes = 0;
        hasUnsynced = false;
        // a roll command completes its caller before the writer's end-of-cycle publish: reset the view now
        unsyncedRecordsView = 0;
        unsyncedBytesView = 0;
        old.seal();
        old.forceAll();
        final Segment created = Segment.create(storage, dir, nextOffset, cfg);
        storage.fsyncDirectory(dir);
        final Segment[] segs = segments;
        final Segment[] grown = Arrays.copyOf(segs, segs.length + 1);
        grown[segs.length] = created;
        segments = grown;
        hooks.onRolled(this);
        return created;
    }

    void runCommand(final int cmd, final long arg, final PendingAppend slot)
    {
        endCycle();
        final AppendResult r = slot.result;
        r.reset();
        try
        {
            if (closed)
            {
                r.fail(AppendResult.CLOSED, null);
            }
            else
            {
                switch (cmd)
                {
                    case CMD_TRUNCATE_TO -> r.baseOffset = truncateToInternal(arg);
                    case CMD_TRUNCATE_FULLY -> truncateFullyInternal(arg);
                    case CMD_DELETE_BEFORE -> r.baseOffset = deleteBeforeInternal(arg);
                    case CMD_RETENTION -> r.baseOffset = retentionInternal(arg);
                    case CMD_FLUSH -> r.baseOffset = flushInternal();
                    case CMD_ROLL -> rollCommand();
                    case CMD_CLOSE -> closeInternal();
                    case CMD_DISCARD -> discardInternal();
                    case CMD_ASSIGN_EPOCH -> assignEpochInternal((int)arg);
                    default -> throw new IllegalArgumentException("unknown command " + cmd);
                }
            }
        }
        catch (final IOException ex)
        {
            final StorageException se = StorageException.of(ex, dir, "command " + cmd, arg, -1);
            fail(se);
            r.fail(AppendResult.STORAGE_ERROR, se);
        }
        catch (final RuntimeException ex)
        {
            r.fail(AppendResult.STORAGE_ERROR, ex);
        }
        writer.complete(slot);
        notifyListener();
    }

    private void assignEpochInternal(final int epoch) throws IOException
    {
        if (failure != null)
        {
            throw failure;
        }
        epochCache.assign(epoch, nextOffset, true);
    }

    private void rollCommand() throws IOException
    {
        if (failure != null)
        {
            throw failure;
        }
        if (active().writePosition > 0 && rollInternal(config) == null)
        {
            throw failure;
        }
    }

    private long flushInternal()
    {
        if (failure != null)
        {
            throw failure;
        }
        publish();
        if (hasUnsynced && !syncInternal())
        {
            throw failure;
        }
        return durableOffset;
    }

    private long truncateToInternal(final long target) throws IOException
    {
        if (failure != null)
        {
            throw failure;
        }
        if (target >= nextOffset)
        {
            // Nothing to cut, but an epoch may start at the log end without any batch of it: this replica
            // led that epoch and lost leadership (or power) before appending. Keeping the entry would make
            // the log claim an epoch its new leader never wrote and refuse that leader's older batches.
            epochCache.truncateFromEnd(nextOffset);
            return nextOffset;
        }
        if (target <= logStartOffset)
        {
            truncateFullyInternal(target);
            return nextOffset;
        }
        Segment[] segs = segments;
        final int keep = segmentIndexFor(segs, target);
        final Segment segment = segs[keep];
        int position = findBatchPosition(
            segment.data(), segment.offsetIndex.lookupPosition(target), segment.writePosition, target);
        long newEnd = position >= segment.writePosition ? segment.nextOffset : segment.data().getLong(position, BIG_ENDIAN);
        final CorruptBatch bad = firstCorruptFrom(target);
        if (bad != null && bad.firstOffset() >= segment.baseOffset && bad.firstOffset() <= target && bad.position() < position &&
            segment.logPath().equals(bad.segmentFile()))
        {
            // the bad batch's own header cannot be trusted to find it: cut where the scan found it
            position = (int)bad.position();
            newEnd = bad.firstOffset();
        }
        if (newEnd < logStartOffset)
        {
            // the batch holding the target starts below the log start: nothing of the log remains
            truncateFullyInternal(logStartOffset);
            return nextOffset;
        }
        lowerRecoveryPoint(newEnd);
        for (int i = segs.length - 1; i > keep; i--)
        {
            deleteSegment(segs[i]);
        }
        segs = Arrays.copyOf(segs, keep + 1);
        final boolean wasWritable = segment.writable;
        if (!wasWritable)
        {
            segment.offsetIndex.openWritable(config.segmentIndexBytes(), segment.offsetIndex.entries());
            segment.timeIndex.openWritable(config.segmentIndexBytes(), segment.timeIndex.entries());
        }
        segment.offsetIndex.truncateToPosition(position);
        segment.timeIndex.truncateToOffset(newEnd);
        if (wasWritable)
        {
            segment.data().setMemory(position, segment.writePosition - position, (byte)0);
            segment.writePosition = position;
        }
        else
        {
            segment.openWritable(config, position, segment.offsetIndex.entries());
        }
        segment.nextOffset = newEnd;
        recomputeSegmentState(segment);
        segments = segs;
        segment.forceAll();
        storage.fsyncDirectory(dir);
        nextOffset = newEnd;
        resetAfterTruncation();
        forgetCorruptFrom(newEnd);
        epochCache.truncateFromEnd(newEnd);
        final AppendInterceptor ic = interceptor;
        if (ic != null)
        {
            ic.onTruncated(newEnd, logStartOffset);
        }
        return newEnd;
    }

    /**
     * Before removing anything: the durable offset (what checkpoints record as the recovery point)
     * comes down to the truncation point and the owner persists it.
     */
    private void lowerRecoveryPoint(final long truncationPoint) throws IOException
    {
        if (durableOffset > truncationPoint)
        {
            durableOffset = truncationPoint;
        }
        hooks.beforeTruncation(this);
    }

    private void resetAfterTruncation()
    {
        segments[segments.length - 1].publish();
        logEndOffset = nextOffset;
        durableOffset = nextOffset;
        highWatermark = Math.min(highWatermark, nextOffset);
        unsyncedRecords = 0;
        unsyncedBytes = 0;
        hasUnsynced = false;
        unsyncedRecordsView = 0;
        unsyncedBytesView = 0;
    }

    /**
     * Recomputes the index-interval counter and max timestamp of a segment after truncation.
     */
    private static void recomputeSegmentState(final Segment segment)
    {
        final UnsafeBuffer data = segment.data();
        final int entries = segment.offsetIndex.entries();
        int position = entries == 0 ? 0 : segment.offsetIndex.position(entries - 1);
        int lastIndexed = entries == 0 ? -1 : position;
        segment.writerMaxTimestamp = segment.timeIndex.lastTimestamp();
        segment.offsetOfMaxTimestamp = segment.timeIndex.entries() == 0 ? segment.baseOffset :
            segment.timeIndex.offset(segment.timeIndex.entries() - 1);
        int bytesSince = 0;
        while (position < segment.writePosition)
        {
            final int size = LOG_OVERHEAD + data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
            final long ts = data.getLong(position + io.tidemark.engine.record.RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET, BIG_ENDIAN);
            final long last = data.getLong(position, BIG_ENDIAN) + data.getInt(position + LAST_OFFSET_DELTA_OFFSET, BIG_ENDIAN);
            if (ts > segment.writerMaxTimestamp)
            {
                segment.writerMaxTimestamp = ts;
                segment.offsetOfMaxTimestamp = last;
            }
            if (position > lastIndexed)
            {
                bytesSince += size;
            }
            position += size;
        }
        segment.bytesSinceLastIndexEntry = bytesSince;
    }

    private void truncateFullyInternal(final long newStart) throws IOException
    {
        if (failure != null)
        {
            throw failure;
        }
        lowerRecoveryPoint(newStart);
        final Segment[] segs = segments;
        for (int i = segs.length - 1; i >= 0; i--)
        {
            deleteSegment(segs[i]);
        }
        final Segment created = Segment.create(storage, dir, newStart, config);
        storage.fsyncDirectory(dir);
        segments = new Segment[] { created };
        nextOffset = newStart;
        logStartOffset = newStart;
        resetAfterTruncation();
        highWatermark = newStart;
        forgetCorruptFrom(Long.MIN_VALUE);
        epochCache.clear();
        final AppendInterceptor ic = interceptor;
        if (ic != null)
        {
            ic.onTruncated(newStart, newStart);
        }
    }

    private void deleteSegment(final Segment segment) throws IOException
    {
        segment.markDeleted();
        segment.release();
    }

    private long deleteBeforeInternal(final long offset) throws IOException
    {
        final long target = Math.min(offset, nextOffset);
        if (target <= logStartOffset)
        {
            return logStartOffset;
        }
        logStartOffset = target;
        deleteSegmentsBelowStart();
        epochCache.truncateFromStart(target);
        if (highWatermark < target)
        {
            highWatermark = target;
        }
        return logStartOffset;
    }

    private int deleteSegmentsBelowStart() throws IOException
    {
        final Segment[] segs = segments;
        int drop = 0;
        while (drop < segs.length - 1 && segs[drop + 1].baseOffset <= logStartOffset)
        {
            drop++;
        }
        if (drop == 0)
        {
            return 0;
        }
        for (int i = 0; i < drop; i++)
        {
            deleteSegment(segs[i]);
        }
        segments = Arrays.copyOfRange(segs, drop, segs.length);
        forgetCorruptBelowStart();
        storage.fsyncDirectory(dir);
        return drop;
    }

    private long retentionInternal(final long nowMs) throws IOException
    {
        final LogConfig cfg = config;
        final Segment[] segs = segments;
        int drop = 0;
        long total = 0;
        for (final Segment s : segs)
        {
            total += s.size();
        }
        while (drop < segs.length - 1)
        {
            final Segment s = segs[drop];
            final boolean expired = cfg.retentionMs() >= 0 && s.maxTimestamp() >= 0 && nowMs - s.maxTimestamp() > cfg.retentionMs();
            final boolean oversize = cfg.retentionBytes() >= 0 && total - s.size() >= cfg.retentionBytes();
            final boolean committed = !highWatermarkTracked || segs[drop + 1].baseOffset <= highWatermark;
            if ((!expired && !oversize) || !committed)
            {
                break;
            }
            total -= s.size();
            drop++;
        }
        if (drop == 0)
        {
            return 0;
        }
        final long newStart = segs[drop].baseOffset;
        if (newStart > logStartOffset)
        {
            logStartOffset = newStart;
            epochCache.truncateFromStart(newStart);
            if (highWatermark < newStart)
            {
                highWatermark = newStart;
            }
        }
        return deleteSegmentsBelowStart();
    }

    private void closeInternal() throws IOException
    {
        closing = true;
        try
        {
            if (failure == null)
            {
                publish();
                final Segment segment = active();
                segment.forceAll();
                durableOffset = nextOffset;
                hasUnsynced = false;
                unsyncedRecordsView = 0;
                unsyncedBytesView = 0;
                segment.seal();
                segment.forceAll();
            }
        }
        finally
        {
            closeNow();
        }
    }

    private void discardInternal()
    {
        discarded = true;
        closing = true;
        try
        {
            if (failure == null)
            {
                publish(); // as close: appends already written complete normally; only the syncs are skipped
            }
        }
        finally
        {
            closeNow();
        }
    }

    private void closeNow()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closing = true;
        writer.unregister(logId);
        for (final Segment s : segments)
        {
            s.release();
        }
        hooks.onClosed(this);
    }

    /**
     * Releases the log's files and mappings as a crash would leave them: no sync, no seal, no
     * checkpoint. The writer must already be stopped. For in-process crash simulations.
     */
    void abandon()
    {
        closeNow();
    }

    /**
     * The writer thread died: nothing more will be written.
     */
    void failFromWriter(final Throwable t)
    {
        fail(new StorageException(StorageException.Kind.LOG_FAILED, dir, "writer", -1, -1, "the log writer stopped: " + t, t));
    }

    void fail(final StorageException ex)
    {
        if (failure == null)
        {
            failure = ex;
            hooks.onFailure(this, ex);
        }
    }

    private void notifyListener()
    {
        final LogListener l = listener;
        if (l != null)
        {
            l.onProgress(this);
        }
    }

    LogWriter writer()
    {
        return writer;
    }

    @Override
    public String toString()
    {
        return "Log{" + topicPartition + ", start=" + logStartOffset + ", end=" + logEndOffset + ", durable=" + durableOffset +
            ", hw=" + highWatermark + ", segments=" + segments.length + '}';
    }

    // ==============================================================================================
    // Caller-side state: a flyweight for validation and a waiter for blocking calls, per thread.
    // ==============================================================================================

    private static final class CallerContext
    {
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        final AppendResult failedResult = new AppendResult();
        final Waiter waiter = new Waiter();
    }

    private static final class Waiter implements AppendListener
    {
        private static final int WAIT_SPINS = 2000;

        private volatile boolean done;
        private final AppendResult outcome = new AppendResult();
        private Thread thread;

        @Override
        public void onAppendComplete(final AppendResult result)
        {
            outcome.copyFrom(result);
            done = true;
            final Thread t = thread;
            if (t != null && t != Thread.currentThread())
            {
                LockSupport.unpark(t);
            }
        }

        AppendResult await(
            final Log log,
            final int type,
            final DirectBuffer src,
            final int offset,
            final int length,
            final int epoch,
            final AppendResult into)
        {
            done = false;
            thread = Thread.currentThread();
            while (log.enqueueBatches(type, src, offset, length, epoch, 0, this) == BACK_PRESSURED)
            {
                log.backOff();
            }
            return waitDone(log, into);
        }

        AppendResult awaitCommand(final Log log, final int cmd, final long arg, final AppendResult into)
        {
            done = false;
            thread = Thread.currentThread();
            if (log.closed)
            {
                into.reset();
                into.fail(AppendResult.CLOSED, null);
                return into;
            }
            while (true)
            {
                final int code = log.writer.enqueue(LogWriter.COMMAND, log.logId, null, 0, 0, 0, cmd, arg, 0, this);
                if (code == LogWriter.ENQUEUED)
                {
                    break;
                }
                if (code != LogWriter.BACK_PRESSURED)
                {
                    into.reset();
                    into.fail(AppendResult.CLOSED, null);
                    return into;
                }
                log.backOff();
            }
            return waitDone(log, into);
        }

        private AppendResult waitDone(final Log log, final AppendResult into)
        {
            final LogWriter writer = log.writer;
            if (writer.mode() == WriterMode.THREAD && log.config.flushPolicy().kind() != FlushPolicy.Kind.BATCH)
            {
                // the writer usually answers within microseconds: spin briefly before parking. Not under
                // batch, where the answer waits for an fsync and spinning appenders cost the group
                // commit about a fifth of its throughput (GroupCommitBenchmark, 4 threads)
                for (int i = 0; i < WAIT_SPINS && !done; i++)
                {
                    Thread.onSpinWait();
                }
            }
            while (!done)
            {
                if (writer.mode() == WriterMode.INVOKER)
                {
                    writer.doWork();
                }
                else if (writer.isClosed() && writer.fatalError() != null)
                {
                    into.reset();
                    into.fail(AppendResult.STORAGE_ERROR, writer.fatalError());
                    return into;
                }
                else
                {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
            thread = null;
            return into.copyFrom(outcome);
        }
    }
}
