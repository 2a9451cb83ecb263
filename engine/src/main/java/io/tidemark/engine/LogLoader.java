package io.tidemark.engine;

import static io.tidemark.engine.record.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.storage.Storage;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Opens a partition directory: removes leftovers of interrupted operations, loads the segments,
 * validates what may be torn, rebuilds indexes and the leader epoch cache, and activates the last
 * segment for writing.
 *
 * <p>The rule that tells a torn write from corruption: offsets below the recovery point were synced,
 * so a bad batch there is corruption ({@link CorruptRecordException}, or a truncation when
 * {@code recovery.truncate.on.corruption} is set). Past the recovery point nothing was promised: a
 * power cut writes back dirty pages in any order, so an invalid batch there is a torn write even if
 * intact batches follow it; the tail is truncated from that batch and the report says so.
 */
final class LogLoader
{
    static final String EPOCH_CHECKPOINT = "leader-epoch-checkpoint";

    /**
     * What the owner of the log knows from its checkpoints.
     */
    record Params(long recoveryPoint, boolean cleanShutdown, long logStartOffset, long highWatermark, boolean highWatermarkTracked)
    {
    }

    /**
     * The loaded state handed to {@link Log}.
     */
    record Loaded(
        TopicPartition topicPartition,
        Path dir,
        Storage storage,
        LogConfig config,
        Segment[] segments,
        LeaderEpochCache epochCache,
        RecoveryReport report,
        long logEndOffset,
        long logStartOffset,
        long highWatermark,
        boolean highWatermarkTracked,
        int lastBatchEpoch)
    {
    }

    private final Storage storage;
    private final Path dir;
    private final TopicPartition topicPartition;
    private final LogConfig config;
    private final Params params;
    private final NanoClock clock;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final List<RecoveryReport.Truncation> truncations = new ArrayList<>();
    private final List<String> rebuilt = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int segmentsValidated;
    private long batchesValidated;
    private long bytesValidated;

    private LogLoader(
        final Storage storage,
        final Path dir,
        final TopicPartition topicPartition,
        final LogConfig config,
        final Params params,
        final NanoClock clock)
    {
        this.storage = storage;
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.config = config;
        this.params = params;
        this.clock = clock;
    }

    static Loaded load(
        final Storage storage,
        final Path dir,
        final TopicPartition topicPartition,
        final LogConfig config,
        final Params params,
        final NanoClock clock) throws IOException
    {
        return new LogLoader(storage, dir, topicPartition, config, params, clock).load();
    }

    private Loaded load() throws IOException
    {
        final long startNs = clock.nanoTime();
        storage.createDirectories(dir);
        final TreeMap<Long, Path> logFiles = cleanDirectory();
        final List<Segment> segments = new ArrayList<>();
        try
        {
            if (logFiles.isEmpty())
            {
                final long base = Math.max(0, params.logStartOffset());
                segments.add(Segment.create(storage, dir, base, config));
                storage.fsyncDirectory(dir);
            }
            else
            {
                loadSegments(logFiles, segments);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final Segment s : segments)
            {
                s.release();
            }
            throw ex;
        }
        final Segment last = segments.get(segments.size() - 1);
        final long logEndOffset = last.nextOffset;
        final long logStartOffset = Math.min(logEndOffset, Math.max(params.logStartOffset(), segments.get(0).baseOffset));
        final LeaderEpochCache cache = loadEpochCache(segments, logStartOffset, logEndOffset);
        final RecoveryReport report = new RecoveryReport(dir, params.cleanShutdown(), params.recoveryPoint(), segments.size(),
            segmentsValidated, batchesValidated, bytesValidated, List.copyOf(truncations), List.copyOf(rebuilt),
            List.copyOf(notes), logStartOffset, logEndOffset,
            TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startNs));
        return new Loaded(topicPartition, dir, storage, config, segments.toArray(new Segment[0]), cache, report,
            logEndOffset, logStartOffset, Math.max(logStartOffset, Math.min(params.highWatermark(), logEndOffset)),
            params.highWatermarkTracked(), lastBatchEpoch(segments));
    }

    /**
     * Deletes leftovers ({@code .deleted}, {@code .tmp}, orphan indexes) and returns the segment files.
     */
    private TreeMap<Long, Path> cleanDirectory() throws IOException
    {
        final TreeMap<Long, Path> logFiles = new TreeMap<>();
        final List<Path> entries = storage.list(dir);
        for (final Path p : entries)
        {
            final String name = p.getFileName().toString();
            if (name.endsWith(Segment.DELETED_SUFFIX) || name.endsWith(CheckpointFile.TMP_SUFFIX) ||
                name.endsWith(".cleaned") || name.endsWith(".swap"))
            {
                storage.delete(p);
                notes.add("removed leftover " + name);
                continue;
            }
            final long base = Segment.parseBaseOffset(name, Segment.LOG_SUFFIX);
            if (base >= 0)
            {
                logFiles.put(base, p);
            }
        }
        for (final Path p : entries)
        {
            final String name = p.getFileName().toString();
            long base = Segment.parseBaseOffset(name, Segment.INDEX_SUFFIX);
            if (base < 0)
            {
                base = Segment.parseBaseOffset(name, Segment.TIME_INDEX_SUFFIX);
            }
            if (base >= 0 && !logFiles.containsKey(base))
            {
                storage.delete(p);
                notes.add("removed orphan index " + name);
            }
        }
        return logFiles;
    }

    private void loadSegments(final TreeMap<Long, Path> logFiles, final List<Segment> segments) throws IOException
    {
        final Long[] bases = logFiles.keySet().toArray(new Long[0]);
        int firstToValidate = bases.length;
        if (!params.cleanShutdown())
        {
            firstToValidate = 0;
            for (int i = 0; i < bases.length; i++)
            {
                if (bases[i] <= params.recoveryPoint())
                {
                    firstToValidate = i;
                }
            }
        }
        long expected = bases[0];
        for (int i = 0; i < bases.length; i++)
        {
            final Segment segment = Segment.openExisting(storage, dir, bases[i]);
            segments.add(segment);
            if (i > 0 && segment.baseOffset != expected)
            {
                final String reason = "segment " + segment.logPath().getFileName() + " starts at offset " +
                    segment.baseOffset + " but the previous segment ends at " + expected;
                if (expected < params.recoveryPoint() && !config.truncateOnCorruption())
                {
                    throw new CorruptRecordException(segment.logPath(), 0, expected, "gap between segments", reason);
                }
                segments.remove(segments.size() - 1);
                segment.release();
                final int deleted = deleteFrom(bases, i);
                truncations.add(new RecoveryReport.Truncation(segments.get(segments.size() - 1).logPath(),
                    segments.get(segments.size() - 1).writePosition, expected, reason, 0, deleted, false,
                    expected < params.recoveryPoint()));
                break;
            }
            final boolean cut = i >= firstToValidate ? validate(segment, expected) : loadTrusted(segment, expected);
            expected = segment.nextOffset;
            if (cut && i < bases.length - 1)
            {
                final int deleted = deleteFrom(bases, i + 1);
                final RecoveryReport.Truncation t = truncations.remove(truncations.size() - 1);
                truncations.add(new RecoveryReport.Truncation(t.segment(), t.position(), t.expectedOffset(), t.reason(),
                    t.bytesDropped(), deleted, t.intactBatchesAfter(), t.corruption()));
                break;
            }
        }
        for (int i = 0; i < segments.size() - 1; i++)
        {
            // indexes rebuilt for a sealed segment were opened at their maximum size: trim them to their
            // entries as a roll does, or the next open would read the unused zero entries as corruption
            segments.get(i).trimIndexes();
        }
        final Segment last = segments.get(segments.size() - 1);
        last.openWritable(config, last.writePosition, last.offsetIndex.entries());
        recomputeIndexCounter(last);
        if (last.writePosition > 0)
        {
            last.firstAppendNs = clock.nanoTime();
        }
        if (!truncations.isEmpty())
        {
            last.forceAll();
            storage.fsyncDirectory(dir);
        }
        for (final Segment s : segments)
        {
            s.publish();
        }
    }

    private int deleteFrom(final Long[] bases, final int from) throws IOException
    {
        for (int j = from; j < bases.length; j++)
        {
            storage.delete(dir.resolve(Segment.fileName(bases[j], Segment.LOG_SUFFIX)));
            storage.delete(dir.resolve(Segment.fileName(bases[j], Segment.INDEX_SUFFIX)));
            storage.delete(dir.resolve(Segment.fileName(bases[j], Segment.TIME_INDEX_SUFFIX)));
        }
        storage.fsyncDirectory(dir);
        return bases.length - from;
    }

    /**
     * Loads a segment known durable without checking CRCs: sanity-checks its indexes (rebuilding bad
     * ones) and finds its end by walking batch headers from the last index entry.
     *
     * @return false: trusted segments are never cut.
     */
    private boolean loadTrusted(final Segment segment, final long expectedBase) throws IOException
    {
        final long fileSize = segment.fileSize();
        if (fileSize > Integer.MAX_VALUE)
        {
            throw new CorruptRecordException(segment.logPath(), 0, expectedBase, "segment larger than 2 GiB", "");
        }
        segment.mapReadOnly((int)fileSize);
        final UnsafeBuffer data = segment.data();
        String indexProblem = null;
        if (!segment.offsetIndex.openReadOnly() || !segment.timeIndex.openReadOnly())
        {
            indexProblem = "size is not a whole number of entries";
        }
        int from = 0;
        if (indexProblem == null && segment.offsetIndex.entries() == 0 && fileSize > 2L * config.indexIntervalBytes() + 1)
        {
            indexProblem = "missing or empty";
        }
        if (indexProblem == null)
        {
            indexProblem = segment.offsetIndex.sanityCheck(fileSize, Long.MAX_VALUE);
            final int entries = segment.offsetIndex.entries();
            if (indexProblem == null && entries > 0)
            {
                from = segment.offsetIndex.position(entries - 1);
                final long indexed = segment.offsetIndex.key(entries - 1);
                if (!structurallyValid(data, from, (int)fileSize) ||
                    data.getLong(from, BIG_ENDIAN) + batchAt(data, from).lastOffsetDelta() != indexed)
                {
                    indexProblem = "last entry does not point at its batch";
                    from = 0;
                }
            }
        }
        int end = walk(data, from, (int)fileSize, from == 0 ? segment.baseOffset : data.getLong(from, BIG_ENDIAN));
        long next = from == 0 && end == 0 ? segment.baseOffset : lastOffsetBefore(data, from, end) + 1;
        if (from == 0 && end == 0)
        {
            next = expectedBase;
        }
        if (indexProblem == null)
        {
            indexProblem = segment.offsetIndex.sanityCheck(end, next);
        }
        if (indexProblem == null)
        {
            indexProblem = segment.timeIndex.sanityCheck(next);
        }
        if (indexProblem == null && segment.timeIndex.entries() == 0 && end > 0 && anyTimestamp(data, end))
        {
            // a sealed segment with timestamps always has a time index entry (the one added on roll)
            indexProblem = "time index missing or empty";
        }
        if (indexProblem != null)
        {
            rebuilt.add(segment.offsetIndex.path().getFileName() + " and " + segment.timeIndex.path().getFileName() + ": " + indexProblem);
            end = walk(data, 0, (int)fileSize, segment.baseOffset);
            rebuildIndexes(segment, data, end);
            next = end == 0 ? expectedBase : lastOffsetBefore(data, 0, end) + 1;
        }
        if (end < fileSize)
        {
            if (!isZero(data, end, (int)fileSize))
            {
                if (!config.truncateOnCorruption())
                {
                    throw new CorruptRecordException(segment.logPath(), end, next, "invalid batch in a sealed segment",
                        "the segment is below the recovery point");
                }
                truncations.add(new RecoveryReport.Truncation(segment.logPath(), end, next, "invalid batch in a sealed segment",
                    fileSize - end, 0, false, true));
            }
            else
            {
                notes.add("trimmed " + (fileSize - end) + " zero bytes after the data of " + segment.logPath().getFileName());
            }
            segment.mapReadOnly(end);
        }
        segment.writePosition = end;
        segment.nextOffset = next;
        segment.writerMaxTimestamp = segment.timeIndex.lastTimestamp();
        segment.offsetOfMaxTimestamp = segment.timeIndex.entries() == 0 ? segment.baseOffset :
            segment.timeIndex.offset(segment.timeIndex.entries() - 1);
        scanMaxTimestamp(segment, data, segment.offsetIndex.entries() == 0 ? 0 :
            segment.offsetIndex.position(segment.offsetIndex.entries() - 1), end);
        return false;
    }

    /**
     * Validates every batch of a segment that may hold torn writes and rebuilds its indexes.
     *
     * @return true if the segment was cut (what follows must be deleted).
     */
    private boolean validate(final Segment segment, final long expectedBase) throws IOException
    {
        segmentsValidated++;
        final long fileSize = segment.fileSize();
        if (fileSize > Integer.MAX_VALUE)
        {
            throw new CorruptRecordException(segment.logPath(), 0, expectedBase, "segment larger than 2 GiB", "");
        }
        final int size = (int)fileSize;
        segment.mapReadOnly(size);
        final UnsafeBuffer data = segment.data();
        segment.offsetIndex.openWritable(config.segmentIndexBytes(), 0);
        segment.timeIndex.openWritable(config.segmentIndexBytes(), 0);
        long expected = Math.max(expectedBase, segment.baseOffset);
        int position = 0;
        String reason = null;
        int previousEpoch = -1;
        while (position < size)
        {
            batch.wrap(data, position);
            final int code = batch.validate(size - position, Integer.MAX_VALUE, false);
            if (code != RecordBatchFlyweight.VALID)
            {
                reason = isZeroHeader(data, position, size) ? "end of data" : "batch " + RecordBatchFlyweight.validationName(code);
                break;
            }
            if (batch.baseOffset() != expected)
            {
                reason = "batch at offset " + batch.baseOffset() + " where " + expected + " was expected";
                break;
            }
            if (batch.partitionLeaderEpoch() < previousEpoch)
            {
                reason = "leader epoch " + batch.partitionLeaderEpoch() + " after epoch " + previousEpoch;
                break;
            }
            previousEpoch = batch.partitionLeaderEpoch();
            indexBatch(segment, position, batch.sizeInBytes());
            batchesValidated++;
            bytesValidated += batch.sizeInBytes();
            position += batch.sizeInBytes();
            expected = batch.lastOffset() + 1;
        }
        segment.writePosition = position;
        segment.nextOffset = expected;
        if (reason == null)
        {
            return false;
        }
        final boolean endOfData = "end of data".equals(reason);
        final int checkEnd = (int)Math.min(size, (long)position + config.preallocateBytes() + config.maxBatchBytes());
        if (endOfData && expected >= params.recoveryPoint() && isZero(data, position, checkEnd))
        {
            return false;
        }
        final boolean intactAfter = intactBatchFollows(data, position, size);
        if (expected < params.recoveryPoint())
        {
            if (!config.truncateOnCorruption())
            {
                throw new CorruptRecordException(segment.logPath(), position, expected, reason,
                    "offsets below the recovery point " + params.recoveryPoint() + " were synced" +
                    (intactAfter ? "; intact batches follow it" : ""));
            }
        }
        truncations.add(new RecoveryReport.Truncation(segment.logPath(), position, expected, reason, size - position, 0,
            intactAfter, expected < params.recoveryPoint()));
        return true;
    }

    private boolean intactBatchFollows(final UnsafeBuffer data, final int position, final int size)
    {
        if (position + LOG_OVERHEAD > size)
        {
            return false;
        }
        final int length = data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
        final long next = (long)position + LOG_OVERHEAD + length;
        if (length <= 0 || next >= size)
        {
            return false;
        }
        final RecordBatchFlyweight probe = new RecordBatchFlyweight().wrap(data, (int)next);
        return probe.validate((int)(size - next), Integer.MAX_VALUE, false) == RecordBatchFlyweight.VALID;
    }

    private void indexBatch(final Segment segment, final int position, final int size)
    {
        final long last = batch.lastOffset();
        final long ts = batch.maxTimestamp();
        if (ts > segment.writerMaxTimestamp)
        {
            segment.writerMaxTimestamp = ts;
            segment.offsetOfMaxTimestamp = last;
        }
        segment.bytesSinceLastIndexEntry += size;
        if (segment.bytesSinceLastIndexEntry > config.indexIntervalBytes() && !segment.offsetIndex.isFull())
        {
            segment.offsetIndex.append(last, position);
            segment.timeIndex.maybeAppend(segment.writerMaxTimestamp, segment.offsetOfMaxTimestamp);
            segment.bytesSinceLastIndexEntry = 0;
        }
    }

    private void rebuildIndexes(final Segment segment, final UnsafeBuffer data, final int end) throws IOException
    {
        segment.offsetIndex.openWritable(config.segmentIndexBytes(), 0);
        segment.timeIndex.openWritable(config.segmentIndexBytes(), 0);
        segment.bytesSinceLastIndexEntry = 0;
        segment.writerMaxTimestamp = -1;
        int position = 0;
        while (position < end)
        {
            batch.wrap(data, position);
            indexBatch(segment, position, batch.sizeInBytes());
            position += batch.sizeInBytes();
        }
        if (segment.writerMaxTimestamp >= 0)
        {
            segment.timeIndex.maybeAppend(segment.writerMaxTimestamp, segment.offsetOfMaxTimestamp);
        }
    }

    private void recomputeIndexCounter(final Segment segment)
    {
        final UnsafeBuffer data = segment.data();
        final int entries = segment.offsetIndex.entries();
        final int lastIndexed = entries == 0 ? -1 : segment.offsetIndex.position(entries - 1);
        int position = Math.max(0, lastIndexed);
        int bytes = 0;
        while (position < segment.writePosition)
        {
            final int size = LOG_OVERHEAD + data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN);
            if (position > lastIndexed)
            {
                bytes += size;
            }
            position += size;
        }
        segment.bytesSinceLastIndexEntry = bytes;
    }

    private void scanMaxTimestamp(final Segment segment, final UnsafeBuffer data, final int from, final int end)
    {
        int position = from;
        while (position < end)
        {
            batch.wrap(data, position);
            if (batch.maxTimestamp() > segment.writerMaxTimestamp)
            {
                segment.writerMaxTimestamp = batch.maxTimestamp();
                segment.offsetOfMaxTimestamp = batch.lastOffset();
            }
            position += batch.sizeInBytes();
        }
    }

    /**
     * @return the leader epoch of the last batch in the log, or -1 if it holds none. The batch may lie
     *         below the log start (records deleted up to the end leave it in the segment), so the cache
     *         may no longer know its epoch; appends must not stamp a lower one.
     */
    private int lastBatchEpoch(final List<Segment> segments)
    {
        for (int i = segments.size() - 1; i >= 0; i--)
        {
            final Segment s = segments.get(i);
            if (s.writePosition == 0)
            {
                continue;
            }
            final int entries = s.offsetIndex.entries();
            int position = entries == 0 ? 0 : s.offsetIndex.position(entries - 1);
            int epoch = -1;
            while (position < s.writePosition)
            {
                batch.wrap(s.data(), position);
                epoch = batch.partitionLeaderEpoch();
                position += batch.sizeInBytes();
            }
            return epoch;
        }
        return -1;
    }

    /**
     * @return true if a batch in {@code [0, end)} (structurally valid batches) carries a timestamp.
     */
    private boolean anyTimestamp(final UnsafeBuffer data, final int end)
    {
        int position = 0;
        while (position < end)
        {
            batch.wrap(data, position);
            if (batch.maxTimestamp() >= 0)
            {
                return true;
            }
            position += batch.sizeInBytes();
        }
        return false;
    }

    private RecordBatchFlyweight batchAt(final UnsafeBuffer data, final int position)
    {
        return batch.wrap(data, position);
    }

    private boolean structurallyValid(final UnsafeBuffer data, final int position, final int size)
    {
        return batch.wrap(data, position).validateHeader(size - position, Integer.MAX_VALUE) == RecordBatchFlyweight.VALID;
    }

    /**
     * @param minBase the lowest base offset the batch at {@code from} may have; every later batch starts after
     *                the last offset of the one before (offsets going back are damage, never data).
     * @return the end of the run of structurally valid batches starting at {@code from}.
     */
    private int walk(final UnsafeBuffer data, final int from, final int size, final long minBase)
    {
        int position = from;
        long floor = minBase;
        while (position < size && structurallyValid(data, position, size) && batch.baseOffset() >= floor &&
            batch.lastOffsetDelta() >= 0 && batch.lastOffset() >= batch.baseOffset())
        {
            floor = batch.lastOffset() + 1;
            position += batch.sizeInBytes();
        }
        return position;
    }

    private long lastOffsetBefore(final UnsafeBuffer data, final int from, final int end)
    {
        int position = from;
        long last = -1;
        while (position < end)
        {
            batch.wrap(data, position);
            last = batch.lastOffset();
            position += batch.sizeInBytes();
        }
        return last;
    }

    private static boolean isZeroHeader(final UnsafeBuffer data, final int position, final int size)
    {
        if (position + LOG_OVERHEAD > size)
        {
            return isZero(data, position, size);
        }
        return data.getLong(position, BIG_ENDIAN) == 0 && data.getInt(position + LENGTH_OFFSET, BIG_ENDIAN) == 0;
    }

    private static boolean isZero(final UnsafeBuffer data, final int from, final int to)
    {
        int i = from;
        for (; i + 8 <= to; i += 8)
        {
            if (data.getLong(i) != 0)
            {
                return false;
            }
        }
        for (; i < to; i++)
        {
            if (data.getByte(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private LeaderEpochCache loadEpochCache(final List<Segment> segments, final long logStartOffset, final long logEndOffset)
        throws IOException
    {
        final LeaderEpochCache cache = new LeaderEpochCache(storage, dir.resolve(EPOCH_CHECKPOINT));
        boolean loaded;
        try
        {
            loaded = cache.load();
        }
        catch (final CheckpointFile.CorruptCheckpointException ex)
        {
            notes.add("rebuilt " + EPOCH_CHECKPOINT + ": " + ex.getMessage());
            loaded = false;
        }
        if (!loaded || segmentsValidated > 0)
        {
            final List<LeaderEpochCache.Entry> before = cache.entries();
            // epochs of batches the cache may not have recorded before a crash (or at all)
            for (final Segment s : segments)
            {
                if (loaded && s.nextOffset <= Math.max(0, params.recoveryPoint()) && segmentsValidated > 0)
                {
                    continue;
                }
                final UnsafeBuffer data = s.data();
                int position = 0;
                while (position < s.writePosition)
                {
                    batch.wrap(data, position);
                    cache.assign(batch.partitionLeaderEpoch(), batch.baseOffset(), false);
                    position += batch.sizeInBytes();
                }
            }
            if (!loaded && logEndOffset > logStartOffset)
            {
                notes.add("rebuilt " + EPOCH_CHECKPOINT + " from the log");
            }
            if (!loaded || !cache.entries().equals(before))
            {
                // rewritten only when it changed: recovery on a full disk must not need a new file
                cache.flush();
            }
        }
        cache.truncateFromEnd(logEndOffset);
        cache.truncateFromStart(logStartOffset);
        return cache;
    }
}
