package io.tidemark.engine;

import static io.tidemark.engine.record.RecordBatchDescriptor.ATTRIBUTES_OFFSET;
import static io.tidemark.engine.record.RecordBatchDescriptor.HEADER_LENGTH;
import static io.tidemark.engine.record.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.tidemark.engine.record.RecordBatchDescriptor.MIN_BATCH_LENGTH_FIELD;
import static java.nio.ByteOrder.BIG_ENDIAN;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.record.RecordFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@code dump-log} tool: prints a log's files the way Kafka's {@code DumpLogSegments} does and,
 * with {@code verify}, checks them. It takes a log directory (every partition directory in it) or one
 * partition directory and prints, per partition, the checkpointed offsets and the leader epoch cache;
 * per segment its file, base offset and size; per batch its offsets, count, position, size, stored CRC
 * and whether it matches, magic, compression, producer id, epoch and base sequence, leader epoch and
 * max timestamp; optionally each record; and every offset index and time index entry.
 *
 * <p>Verification checks every batch (framing, magic, CRC, record framing, offset continuity within
 * and across segments, leader epochs never decreasing), that bytes after the data are zeros, that
 * every offset index entry points at the batch whose last offset it names with offsets and positions
 * increasing, that time index entries increase and point at a batch of the segment carrying that max
 * timestamp, and that the leader-epoch-checkpoint agrees with the batches. Each fault is printed as
 * {@code FAULT <file>: position P, offset O: what}.
 *
 * <p>Files are opened read-only and never modified; the tool needs no lock, so it works on a log that
 * is open elsewhere (a batch being written at that moment may show as incomplete). Unused
 * preallocated entries at the end of the last segment's indexes and zeros after its data are expected.
 *
 * <p>Not thread safe; each {@link #run} is independent.
 */
public final class LogDump
{
    /** {@link #run} result: nothing wrong found. */
    public static final int OK = 0;
    /** {@link #run} result: verification found faults. */
    public static final int FAULTS = 1;
    /** {@link #run} result: the input is not a readable log or partition directory. */
    public static final int UNUSABLE = 2;

    /** Batches larger than this are CRC-checked in chunks and their records not parsed. */
    private static final int MAX_BUFFERED_BATCH = 16 * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final String[] CODECS = { "none", "gzip", "snappy", "lz4", "zstd" };

    private final PrintStream out;
    private final boolean verify;
    private final boolean printRecords;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final RecordFlyweight record = new RecordFlyweight();
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    private ByteBuffer batchBytes = ByteBuffer.allocate(CHUNK);
    private final UnsafeBuffer batchView = new UnsafeBuffer(new byte[0]);
    private int faults;

    /** A batch as found in a segment. */
    private record BatchInfo(int position, int size, long baseOffset, long lastOffset, int epoch, long maxTimestamp)
    {
    }

    /** What scanning a segment found. */
    private record SegmentScan(Path file, long baseOffset, long size, List<BatchInfo> batches, long nextOffset)
    {
    }

    private LogDump(final PrintStream out, final boolean verify, final boolean printRecords)
    {
        this.out = out;
        this.verify = verify;
        this.printRecords = printRecords;
    }

    /**
     * Dumps (and optionally verifies) a log directory or a partition directory.
     *
     * @param dir          a log directory holding partition directories, or one partition directory.
     * @param verify       check every batch, index and the leader epoch checkpoint, printing each fault.
     * @param printRecords also print every record (offset, timestamp, key and value sizes, headers).
     * @param out          where to print.
     * @return {@link #OK}, {@link #FAULTS} if verification found any, or {@link #UNUSABLE} if {@code dir}
     *         is not a readable directory holding segments.
     */
    public static int run(final Path dir, final boolean verify, final boolean printRecords, final PrintStream out)
    {
        return new LogDump(out, verify, printRecords).run(dir);
    }

    private int run(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            out.println("error: " + dir + " is not a directory");
            return UNUSABLE;
        }
        try
        {
            final List<Path> partitions = new ArrayList<>();
            if (segmentFiles(dir).isEmpty())
            {
                try (Stream<Path> children = Files.list(dir))
                {
                    for (final Path child : children.sorted().toList())
                    {
                        final String name = child.getFileName().toString();
                        if (Files.isDirectory(child) && !name.endsWith(LogManager.DELETE_DIR_SUFFIX) &&
                            TopicPartition.parseDirName(name) != null)
                        {
                            partitions.add(child);
                        }
                    }
                }
                if (partitions.isEmpty())
                {
                    out.println("error: " + dir + " holds no log segments and no partition directories");
                    return UNUSABLE;
                }
                dumpLogDir(dir, partitions.size());
            }
            else
            {
                partitions.add(dir);
            }
            for (final Path partition : partitions)
            {
                dumpPartition(partition);
            }
        }
        catch (final IOException ex)
        {
            out.println("error: cannot read " + dir + ": " + ex);
            return UNUSABLE;
        }
        if (!verify)
        {
            return OK;
        }
        out.println(faults == 0 ? "Verified: no faults found" : "Verified: " + faults + " fault(s) found");
        return faults == 0 ? OK : FAULTS;
    }

    private void fault(final Path file, final long position, final long offset, final String what)
    {
        faults++;
        out.println("FAULT " + file + ": " + (position >= 0 ? "position " + position + ", " : "") +
            (offset >= 0 ? "offset " + offset + ": " : "") + what);
    }

    // ==============================================================================================
    // Directories and checkpoints
    // ==============================================================================================

    private void dumpLogDir(final Path dir, final int partitions) throws IOException
    {
        out.println("Log directory " + dir + ": " + partitions + " partition(s), clean shutdown marker " +
            (Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)) ? "present" : "absent"));
        final Path meta = dir.resolve(LogManager.META_PROPERTIES);
        if (Files.exists(meta))
        {
            for (final String line : Files.readAllLines(meta, StandardCharsets.UTF_8))
            {
                if (!line.startsWith("#") && !line.isBlank())
                {
                    out.println("  " + LogManager.META_PROPERTIES + ": " + line);
                }
            }
        }
    }

    private static List<Path> segmentFiles(final Path dir) throws IOException
    {
        final TreeMap<Long, Path> segments = new TreeMap<>();
        try (Stream<Path> children = Files.list(dir))
        {
            for (final Path p : children.toList())
            {
                final long base = Segment.parseBaseOffset(p.getFileName().toString(), Segment.LOG_SUFFIX);
                if (base >= 0 && Files.isRegularFile(p))
                {
                    segments.put(base, p);
                }
            }
        }
        return new ArrayList<>(segments.values());
    }

    /**
     * @return the checkpoint's lines after the version and count lines, or null if missing.
     * @throws IllegalArgumentException naming what is wrong if it does not parse.
     */
    private static List<String> readCheckpoint(final Path path) throws IOException
    {
        final String text;
        try
        {
            text = Files.readString(path, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        if (!text.endsWith("\n"))
        {
            throw new IllegalArgumentException("truncated (no final newline)");
        }
        final String[] lines = text.split("\n", -1);
        if (lines.length < 3 || !"0".equals(lines[0].trim()))
        {
            throw new IllegalArgumentException("missing or unknown version line");
        }
        final int count;
        try
        {
            count = Integer.parseInt(lines[1].trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad count line '" + lines[1] + "'");
        }
        if (count != lines.length - 3)
        {
            throw new IllegalArgumentException("count " + count + " but " + (lines.length - 3) + " entries");
        }
        return List.of(lines).subList(2, 2 + count);
    }

    /**
     * @return the offset checkpointed for {@code tp} in the partition dir or, failing that, its log dir.
     */
    private String checkpointedOffset(final Path partitionDir, final TopicPartition tp, final String name) throws IOException
    {
        for (final Path dir : new Path[] { partitionDir, partitionDir.getParent() })
        {
            if (dir == null)
            {
                continue;
            }
            final Path path = dir.resolve(name);
            try
            {
                final List<String> lines = readCheckpoint(path);
                if (lines == null)
                {
                    continue;
                }
                for (final String line : lines)
                {
                    final String[] parts = line.trim().split("\\s+");
                    if (parts.length == 3 && parts[0].equals(tp.topic()) && parts[1].equals(String.valueOf(tp.partition())))
                    {
                        return parts[2];
                    }
                }
                return "none";
            }
            catch (final IllegalArgumentException ex)
            {
                return "unreadable (" + path + ": " + ex.getMessage() + ")";
            }
        }
        return "none";
    }

    // ==============================================================================================
    // Partitions
    // ==============================================================================================

    private void dumpPartition(final Path dir) throws IOException
    {
        final TopicPartition parsed = TopicPartition.parseDirName(dir.getFileName().toString());
        final TopicPartition tp = parsed != null ? parsed : new TopicPartition("log", 0);
        out.println();
        out.println("Partition " + tp + " (" + dir + ")");
        final String logStart = checkpointedOffset(dir, tp, LogManager.LOG_START_CHECKPOINT);
        out.println("  recovery point: " + checkpointedOffset(dir, tp, LogManager.RECOVERY_POINT_CHECKPOINT) +
            ", log start offset: " + logStart +
            ", high watermark: " + checkpointedOffset(dir, tp, LogManager.HIGH_WATERMARK_CHECKPOINT));
        try (Stream<Path> children = Files.list(dir))
        {
            for (final Path p : children.sorted().toList())
            {
                final String name = p.getFileName().toString();
                if (name.endsWith(Segment.DELETED_SUFFIX) || name.endsWith(CheckpointFile.TMP_SUFFIX) ||
                    name.endsWith(".cleaned") || name.endsWith(".swap"))
                {
                    out.println("  leftover file " + name + " (removed when the log is next opened)");
                }
            }
        }
        final List<Path> files = segmentFiles(dir);
        if (files.isEmpty())
        {
            out.println("  no segments");
        }
        final List<SegmentScan> scans = new ArrayList<>();
        long expected = -1;
        int previousEpoch = Integer.MIN_VALUE;
        for (int i = 0; i < files.size(); i++)
        {
            final boolean last = i == files.size() - 1;
            final SegmentScan scan = dumpSegment(files.get(i), expected, previousEpoch);
            scans.add(scan);
            for (final BatchInfo b : scan.batches())
            {
                previousEpoch = Math.max(previousEpoch, b.epoch());
            }
            expected = scan.nextOffset();
            dumpOffsetIndex(scan, last);
            dumpTimeIndex(scan, last);
        }
        final long logEnd = expected < 0 ? -1 : expected;
        out.println("  log end offset: " + logEnd);
        dumpEpochCheckpoint(dir, scans, logStart.matches("\\d+") ? Long.parseLong(logStart) : -1, logEnd);
    }

    // ==============================================================================================
    // Segments
    // ==============================================================================================

    private SegmentScan dumpSegment(final Path file, final long expectedFirst, final int epochBefore) throws IOException
    {
        final long base = Segment.parseBaseOffset(file.getFileName().toString(), Segment.LOG_SUFFIX);
        final List<BatchInfo> batches = new ArrayList<>();
        long next = expectedFirst >= 0 ? expectedFirst : base;
        int previousEpoch = epochBefore;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            out.println("Dumping " + file);
            out.println("  base offset: " + base + ", size: " + size + " bytes");
            if (expectedFirst >= 0 && base != expectedFirst && verify)
            {
                fault(file, 0, expectedFirst, "segment starts at offset " + base + " but the previous segment ends at " + expectedFirst);
            }
            if (size > Integer.MAX_VALUE)
            {
                fault(file, -1, -1, "segment larger than 2 GiB");
                return new SegmentScan(file, base, size, batches, next);
            }
            long position = 0;
            while (position < size)
            {
                final long remaining = size - position;
                final ByteBuffer header = read(channel, position, (int)Math.min(HEADER_LENGTH, remaining));
                final long baseOffset = remaining >= 8 ? header.getLong(0) : -1;
                final int length = remaining >= LOG_OVERHEAD ? header.getInt(8) : -1;
                if (isZero(header))
                {
                    checkZeroTail(channel, file, position, size, next);
                    break;
                }
                if (remaining < LOG_OVERHEAD || length < MIN_BATCH_LENGTH_FIELD || remaining < HEADER_LENGTH)
                {
                    out.println("  position: " + position + " incomplete or malformed batch header (length field " + length +
                        ", " + remaining + " bytes left)");
                    verifyFault(file, position, next, "batch header " + (length < MIN_BATCH_LENGTH_FIELD && remaining >= LOG_OVERHEAD ?
                        "with bad length " + length : "cut short: " + remaining + " bytes left") + "; " + (size - position) +
                        " bytes cannot be read as batches");
                    break;
                }
                final long batchSize = LOG_OVERHEAD + (long)length;
                if (batchSize > remaining)
                {
                    out.println("  position: " + position + " baseOffset: " + baseOffset + " truncated batch: declares " +
                        batchSize + " bytes, " + remaining + " left");
                    verifyFault(file, position, next, "batch declares " + batchSize + " bytes but only " + remaining +
                        " remain (truncated)");
                    break;
                }
                final BatchInfo info = dumpBatch(channel, file, (int)position, (int)batchSize, next, previousEpoch);
                batches.add(info);
                previousEpoch = Math.max(previousEpoch, info.epoch());
                next = info.lastOffset() + 1;
                position += batchSize;
            }
            return new SegmentScan(file, base, size, batches, next);
        }
    }

    private void verifyFault(final Path file, final long position, final long offset, final String what)
    {
        if (verify)
        {
            fault(file, position, offset, what);
        }
    }

    private BatchInfo dumpBatch(
        final FileChannel channel,
        final Path file,
        final int position,
        final int size,
        final long expectedOffset,
        final int previousEpoch) throws IOException
    {
        final boolean buffered = size <= MAX_BUFFERED_BATCH;
        final int code;
        final int computedCrc;
        if (buffered)
        {
            if (batchBytes.capacity() < size)
            {
                batchBytes = ByteBuffer.allocate(Math.max(size, batchBytes.capacity() * 2));
            }
            batchBytes.clear().limit(size);
            readFully(channel, batchBytes, position);
            batchView.wrap(batchBytes.array(), 0, size);
            batch.wrap(batchView, 0);
            code = batch.validate(size, Integer.MAX_VALUE, false);
            computedCrc = batch.computeCrc();
        }
        else
        {
            final ByteBuffer header = read(channel, position, HEADER_LENGTH);
            batchView.wrap(header.array(), 0, HEADER_LENGTH);
            batch.wrap(batchView, 0);
            computedCrc = streamedCrc(channel, position, size);
            code = batch.magic() != 2 ? RecordBatchFlyweight.BAD_MAGIC :
                computedCrc != batch.crc() ? RecordBatchFlyweight.BAD_CRC : RecordBatchFlyweight.VALID;
        }
        final long baseOffset = batch.baseOffset();
        final long lastOffset = batch.lastOffset();
        final int epoch = batch.partitionLeaderEpoch();
        final int compression = batch.compression();
        out.println("  baseOffset: " + baseOffset + " lastOffset: " + lastOffset + " count: " + batch.recordCount() +
            " position: " + position + " size: " + size + " crc: " + Integer.toUnsignedLong(batch.crc()) +
            " crcValid: " + (batch.crc() == computedCrc) + " magic: " + batch.magic() +
            " compression: " + (compression < CODECS.length ? CODECS[compression] : "unknown(" + compression + ")") +
            " producerId: " + batch.producerId() + " producerEpoch: " + batch.producerEpoch() +
            " baseSequence: " + batch.baseSequence() + " partitionLeaderEpoch: " + epoch +
            " maxTimestamp: " + batch.maxTimestamp() + (batch.isLogAppendTime() ? " (LogAppendTime)" : "") +
            " isTransactional: " + batch.isTransactional() + " isControl: " + batch.isControl());
        if (verify)
        {
            if (code == RecordBatchFlyweight.BAD_CRC)
            {
                fault(file, position, baseOffset, "CRC mismatch: stored " + Integer.toUnsignedLong(batch.crc()) + ", computed " +
                    Integer.toUnsignedLong(computedCrc));
            }
            else if (code != RecordBatchFlyweight.VALID)
            {
                fault(file, position, baseOffset, "invalid batch: " + RecordBatchFlyweight.validationName(code));
            }
            if (baseOffset != expectedOffset)
            {
                fault(file, position, baseOffset, "batch starts at offset " + baseOffset + " where " + expectedOffset +
                    " was expected (offsets must be continuous)");
            }
            if (epoch < previousEpoch)
            {
                fault(file, position, baseOffset, "leader epoch " + epoch + " after epoch " + previousEpoch +
                    " (epochs never decrease)");
            }
        }
        if (printRecords && buffered && code == RecordBatchFlyweight.VALID)
        {
            printRecords();
        }
        else if (printRecords)
        {
            out.println("  | records not shown: " + (compression != 0 ? "compressed" : code != RecordBatchFlyweight.VALID ?
                "invalid batch" : "batch too large to buffer"));
        }
        return new BatchInfo(position, size, baseOffset, lastOffset, epoch, batch.maxTimestamp());
    }

    private void printRecords()
    {
        if (batch.compression() != 0)
        {
            out.println("  | records not shown: compressed (" + CODECS[Math.min(batch.compression(), CODECS.length - 1)] + ")");
            return;
        }
        if (!batch.firstRecord(record))
        {
            return;
        }
        do
        {
            final StringBuilder headers = new StringBuilder("[");
            while (record.nextHeader())
            {
                headers.append(headers.length() > 1 ? ", " : "").append(record.headerKey());
            }
            out.println("  | offset: " + record.offset() + (batch.isLogAppendTime() ? " LogAppendTime: " : " CreateTime: ") +
                record.timestamp() + " keySize: " + record.keyLength() + " valueSize: " + record.valueLength() +
                " headerKeys: " + headers.append(']'));
        }
        while (record.next());
    }

    private int streamedCrc(final FileChannel channel, final long position, final int size) throws IOException
    {
        final CRC32C crc = new CRC32C();
        long p = position + ATTRIBUTES_OFFSET;
        final long end = position + size;
        while (p < end)
        {
            chunk.clear().limit((int)Math.min(CHUNK, end - p));
            readFully(channel, chunk, p);
            chunk.flip();
            crc.update(chunk);
            p += chunk.limit();
        }
        return (int)crc.getValue();
    }

    /**
     * After the data: zeros are preallocated space; anything else cannot be read as batches.
     */
    private void checkZeroTail(final FileChannel channel, final Path file, final long from, final long size, final long next)
        throws IOException
    {
        long p = from;
        while (p < size)
        {
            chunk.clear().limit((int)Math.min(CHUNK, size - p));
            readFully(channel, chunk, p);
            for (int i = 0; i < chunk.limit(); i++)
            {
                if (chunk.get(i) != 0)
                {
                    out.println("  position: " + (p + i) + " non-zero bytes after the end of data at position " + from);
                    verifyFault(file, from, next, "the data ends at position " + from + " but non-zero bytes follow at position " +
                        (p + i) + " (a torn or corrupt batch)");
                    return;
                }
            }
            p += chunk.limit();
        }
        if (size > from)
        {
            out.println("  position: " + from + " end of data; " + (size - from) + " bytes of preallocated zeros follow");
        }
    }

    // ==============================================================================================
    // Indexes
    // ==============================================================================================

    private void dumpOffsetIndex(final SegmentScan scan, final boolean last) throws IOException
    {
        final Path file = scan.file().resolveSibling(Segment.fileName(scan.baseOffset(), Segment.INDEX_SUFFIX));
        final byte[] bytes = readIndex(file);
        if (bytes == null)
        {
            return;
        }
        final ByteBuffer index = ByteBuffer.wrap(bytes).order(BIG_ENDIAN);
        final int entrySize = OffsetIndex.ENTRY_SIZE;
        if (bytes.length % entrySize != 0)
        {
            verifyFault(file, -1, -1, "size " + bytes.length + " is not a whole number of " + entrySize + "-byte entries");
        }
        final int entries = usedEntries(index, bytes.length / entrySize, entrySize, last);
        final Map<Integer, BatchInfo> batchAt = new HashMap<>();
        for (final BatchInfo b : scan.batches())
        {
            batchAt.put(b.position(), b);
        }
        long previousOffset = -1;
        long previousPosition = -1;
        for (int i = 0; i < entries; i++)
        {
            final long offset = scan.baseOffset() + index.getInt(i * entrySize);
            final int position = index.getInt(i * entrySize + 4);
            out.println("  offset: " + offset + " position: " + position);
            if (!verify)
            {
                continue;
            }
            final String entry = "offset index entry " + i + " (offset " + offset + ", position " + position + ")";
            if (offset <= previousOffset || position <= previousPosition)
            {
                fault(file, position, offset, entry + " does not increase on entry " + (i - 1));
            }
            final BatchInfo target = batchAt.get(position);
            if (target == null)
            {
                fault(file, position, offset, entry + ": no batch of " + scan.file().getFileName() + " starts at position " + position);
            }
            else if (target.lastOffset() != offset)
            {
                fault(file, position, offset, entry + ": the batch at position " + position + " ends at offset " +
                    target.lastOffset() + ", not " + offset);
            }
            previousOffset = offset;
            previousPosition = position;
        }
        if (entries < bytes.length / entrySize)
        {
            out.println("  (" + (bytes.length / entrySize - entries) + " unused preallocated entries)");
        }
    }

    private void dumpTimeIndex(final SegmentScan scan, final boolean last) throws IOException
    {
        final Path file = scan.file().resolveSibling(Segment.fileName(scan.baseOffset(), Segment.TIME_INDEX_SUFFIX));
        final byte[] bytes = readIndex(file);
        if (bytes == null)
        {
            return;
        }
        final ByteBuffer index = ByteBuffer.wrap(bytes).order(BIG_ENDIAN);
        final int entrySize = TimeIndex.ENTRY_SIZE;
        if (bytes.length % entrySize != 0)
        {
            verifyFault(file, -1, -1, "size " + bytes.length + " is not a whole number of " + entrySize + "-byte entries");
        }
        final int entries = usedEntries(index, bytes.length / entrySize, entrySize, last);
        final Map<Long, BatchInfo> batchEndingAt = new HashMap<>();
        for (final BatchInfo b : scan.batches())
        {
            batchEndingAt.put(b.lastOffset(), b);
        }
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = -1;
        for (int i = 0; i < entries; i++)
        {
            final long timestamp = index.getLong(i * entrySize);
            final long offset = scan.baseOffset() + index.getInt(i * entrySize + 8);
            out.println("  timestamp: " + timestamp + " offset: " + offset);
            if (!verify)
            {
                continue;
            }
            final String entry = "time index entry " + i + " (timestamp " + timestamp + ", offset " + offset + ")";
            if (timestamp <= previousTimestamp || offset < previousOffset)
            {
                fault(file, -1, offset, entry + " does not increase on entry " + (i - 1));
            }
            if (offset < scan.baseOffset() || offset >= scan.nextOffset())
            {
                fault(file, -1, offset, entry + " points outside the segment's offsets [" + scan.baseOffset() + ", " +
                    scan.nextOffset() + ")");
            }
            else
            {
                final BatchInfo target = batchEndingAt.get(offset);
                if (target == null)
                {
                    fault(file, -1, offset, entry + ": no batch of " + scan.file().getFileName() + " ends at offset " + offset);
                }
                else if (target.maxTimestamp() != timestamp)
                {
                    fault(file, target.position(), offset, entry + ": the batch ending there has max timestamp " +
                        target.maxTimestamp());
                }
            }
            previousTimestamp = timestamp;
            previousOffset = offset;
        }
        if (entries < bytes.length / entrySize)
        {
            out.println("  (" + (bytes.length / entrySize - entries) + " unused preallocated entries)");
        }
    }

    private byte[] readIndex(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            out.println("Dumping " + file + ": missing (rebuilt when the log is next opened)");
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE)
            {
                verifyFault(file, -1, -1, "index larger than 2 GiB");
                return null;
            }
            out.println("Dumping " + file + " (" + size + " bytes)");
            final ByteBuffer bytes = ByteBuffer.allocate((int)size);
            readFully(channel, bytes, 0);
            return bytes.array();
        }
    }

    /**
     * The active segment's index is preallocated: trailing all-zero entries are unused. A sealed
     * segment's index is trimmed: every entry counts.
     */
    private static int usedEntries(final ByteBuffer index, final int entries, final int entrySize, final boolean last)
    {
        if (!last)
        {
            return entries;
        }
        int used = entries;
        while (used > 0 && isZero(index, (used - 1) * entrySize, entrySize))
        {
            used--;
        }
        return used;
    }

    // ==============================================================================================
    // Leader epoch checkpoint
    // ==============================================================================================

    private void dumpEpochCheckpoint(final Path dir, final List<SegmentScan> scans, final long logStart, final long logEnd)
        throws IOException
    {
        final Path file = dir.resolve(LogLoader.EPOCH_CHECKPOINT);
        final List<String> lines;
        try
        {
            lines = readCheckpoint(file);
        }
        catch (final IllegalArgumentException ex)
        {
            out.println("  " + LogLoader.EPOCH_CHECKPOINT + ": unreadable");
            verifyFault(file, -1, -1, ex.getMessage());
            return;
        }
        if (lines == null)
        {
            out.println("  " + LogLoader.EPOCH_CHECKPOINT + ": missing (rebuilt from the log when it is next opened)");
            return;
        }
        final List<Integer> epochs = new ArrayList<>();
        final List<Long> starts = new ArrayList<>();
        for (final String line : lines)
        {
            final String[] parts = line.trim().split("\\s+");
            try
            {
                if (parts.length != 2)
                {
                    throw new NumberFormatException();
                }
                epochs.add(Integer.parseInt(parts[0]));
                starts.add(Long.parseLong(parts[1]));
            }
            catch (final NumberFormatException ex)
            {
                out.println("  " + LogLoader.EPOCH_CHECKPOINT + ": unreadable");
                verifyFault(file, -1, -1, "bad entry '" + line + "'");
                return;
            }
        }
        final StringBuilder text = new StringBuilder("  " + LogLoader.EPOCH_CHECKPOINT + ":");
        for (int i = 0; i < epochs.size(); i++)
        {
            text.append(" [epoch ").append(epochs.get(i)).append(" from offset ").append(starts.get(i)).append(']');
        }
        out.println(epochs.isEmpty() ? text.append(" no entries") : text);
        if (verify)
        {
            verifyEpochCheckpoint(file, epochs, starts, scans, logStart, logEnd);
        }
    }

    private void verifyEpochCheckpoint(
        final Path file,
        final List<Integer> epochs,
        final List<Long> starts,
        final List<SegmentScan> scans,
        final long logStart,
        final long logEnd)
    {
        for (int i = 1; i < epochs.size(); i++)
        {
            if (epochs.get(i) <= epochs.get(i - 1) || starts.get(i) < starts.get(i - 1))
            {
                fault(file, -1, starts.get(i), "entry " + i + " (epoch " + epochs.get(i) + " from offset " + starts.get(i) +
                    ") does not increase on the one before");
            }
        }
        for (int i = 0; i < epochs.size(); i++)
        {
            // an entry may start at the log end offset: deleting records up to it moves the last entry there
            if (logEnd >= 0 && starts.get(i) > logEnd)
            {
                fault(file, -1, starts.get(i), "entry " + i + " (epoch " + epochs.get(i) + ") starts after the log end offset " +
                    logEnd);
            }
        }
        for (final SegmentScan scan : scans)
        {
            for (final BatchInfo b : scan.batches())
            {
                // batches below the log start (still in the first segment) are no longer the cache's business
                if (b.epoch() < 0 || b.lastOffset() < logStart || (!starts.isEmpty() && b.lastOffset() < starts.get(0)))
                {
                    continue;
                }
                int covering = epochs.isEmpty() ? -1 : 0;
                for (int i = 1; i < starts.size(); i++)
                {
                    if (starts.get(i) <= b.baseOffset())
                    {
                        covering = i;
                    }
                }
                if (covering < 0)
                {
                    fault(file, -1, b.baseOffset(), "the batch at offset " + b.baseOffset() + " of " + scan.file().getFileName() +
                        " has leader epoch " + b.epoch() + " but the checkpoint has no entry for it");
                }
                else if (epochs.get(covering) != b.epoch())
                {
                    fault(file, -1, b.baseOffset(), "the batch at offset " + b.baseOffset() + " of " + scan.file().getFileName() +
                        " has leader epoch " + b.epoch() + " but the checkpoint gives epoch " + epochs.get(covering) +
                        " from offset " + starts.get(covering));
                }
            }
        }
    }

    // ==============================================================================================
    // Reading
    // ==============================================================================================

    private static ByteBuffer read(final FileChannel channel, final long position, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(BIG_ENDIAN);
        readFully(channel, buffer, position);
        return buffer;
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long p = position;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, p);
            if (n < 0)
            {
                throw new IOException("unexpected end of " + channel + " at position " + p + " (the file shrank while read)");
            }
            p += n;
        }
    }

    private static boolean isZero(final ByteBuffer buffer)
    {
        return isZero(buffer, 0, buffer.limit());
    }

    private static boolean isZero(final ByteBuffer buffer, final int from, final int length)
    {
        for (int i = from; i < from + length; i++)
        {
            if (buffer.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
