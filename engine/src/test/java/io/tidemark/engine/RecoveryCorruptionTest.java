package io.tidemark.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.tidemark.engine.LeaderEpochCache.Entry;
import io.tidemark.engine.record.Header;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.record.RecordFlyweight;
import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged files on disk, and what opening the log makes of them (RELIABILITY §6). A log is built
 * and closed cleanly, its files are kept as a pristine image, and each case restores the image,
 * damages it, makes it look crashed (no clean-shutdown marker, a chosen recovery point) or not, and
 * reopens it. Every record read back is compared with what was appended, byte for byte.
 */
@Tag(Tags.FAULT)
class RecoveryCorruptionTest
{
    private static final TopicPartition TP = new TopicPartition("rc", 0);
    private static final int EPOCH = 5;
    private static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(16 * 1024)
        .preallocateBytes(4096)
        .indexIntervalBytes(128)
        .segmentIndexBytes(1024)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;

    private Path dir;
    private Disk disk;
    private Random random;
    private long seed;

    /** A record as appended. */
    private record Rec(long offset, long timestamp, byte[] key, byte[] value, byte[] header)
    {
    }

    /** A batch as the pristine image holds it. */
    private record Stored(String segment, int position, long baseOffset, long lastOffset, int epoch, byte[] bytes)
    {
        int end()
        {
            return position + bytes.length;
        }
    }

    private final List<Rec> model = new ArrayList<>();
    private final List<Stored> stored = new ArrayList<>();
    private Map<String, byte[]> pristine;

    @BeforeEach
    void setUp(final org.junit.jupiter.api.TestInfo info)
    {
        dir = tmp.resolve(TP.dirName());
        disk = new FileDisk(dir);
        seed = Seeds.seed("RecoveryCorruptionTest#" + info.getDisplayName());
        random = new Random(seed);
    }

    // ==============================================================================================
    // Torn tails
    // ==============================================================================================

    enum Tail
    {
        /** The file simply ends at the cut. */
        PLAIN,
        /** Zeros from the cut to the segment size, as unsynced pages read back as zeros or preallocated space. */
        ZEROS,
        /** Random non-zero bytes from the cut on, as unsynced pages read back as garbage. */
        GARBAGE
    }

    @ParameterizedTest
    @EnumSource(Tail.class)
    void shouldRecoverToTheLastWholeBatchWhenTheSegmentIsCutAtAnyByteOfTheLastBatches(final Tail tail)
    {
        useSimulatedDisk();
        build(5, 6);
        final List<Stored> active = batchesOf(lastSegment());
        final Stored firstCut = active.get(active.size() - 3);
        final byte[] segment = pristine.get(lastSegment());
        for (int cut = firstCut.position(); cut <= segment.length; cut++)
        {
            final byte[] image = tail(segment, cut, tail);
            restoreCrashed(firstCut.baseOffset());
            write(lastSegment(), image);
            // the batches that survive whole, and where the last of them ends
            long expectedEnd = firstCut.baseOffset();
            int boundary = firstCut.position();
            for (final Stored b : active)
            {
                if (b.end() <= cut)
                {
                    expectedEnd = b.lastOffset() + 1;
                    boundary = Math.max(boundary, b.end());
                }
            }
            final String context = tail + " cut at byte " + cut + " (seed " + seed + ")";
            try (Log log = open(CONFIG))
            {
                assertEquals(expectedEnd, log.logEndOffset(), context);
                assertContentIsModelUpTo(log, expectedEnd, context);
                final RecoveryReport report = log.recoveryReport();
                if (hasNonZero(image, boundary, image.length))
                {
                    assertEquals(1, report.truncations().size(), context + "\n" + report);
                    final RecoveryReport.Truncation t = report.truncations().get(0);
                    assertEquals(dir.resolve(lastSegment()), t.segment(), context);
                    assertEquals(boundary, t.position(), context);
                    assertEquals(expectedEnd, t.expectedOffset(), context);
                    assertEquals(image.length - boundary, t.bytesDropped(), context);
                    assertFalse(t.corruption(), "past the recovery point a bad batch is a torn write: " + context);
                }
                else
                {
                    assertFalse(report.truncated(), "only zeros after the data: nothing to report: " + context + "\n" + report);
                }
                final AppendResult next = Batches.append(log, 99_000, "next");
                assertEquals(expectedEnd, next.baseOffset(), "appends continue at the recovered end: " + context);
            }
        }
    }

    private byte[] tail(final byte[] segment, final int cut, final Tail tail)
    {
        return switch (tail)
        {
            case PLAIN -> Arrays.copyOf(segment, cut);
            case ZEROS -> Arrays.copyOf(Arrays.copyOf(segment, cut), CONFIG.segmentBytes());
            case GARBAGE ->
            {
                final byte[] image = Arrays.copyOf(segment, segment.length + random.nextInt(512));
                for (int i = cut; i < image.length; i++)
                {
                    image[i] = (byte)(1 + random.nextInt(255));
                }
                if (cut < segment.length && image[cut] == segment[cut])
                {
                    // garbage that happens to equal the byte it replaces would not tear anything
                    image[cut] = (byte)(segment[cut] == (byte)0xff ? 1 : segment[cut] + 1);
                }
                yield image;
            }
        };
    }

    @Test
    void shouldNeverReturnACorruptRecordWhenAnyBitOfTheLastBatchFlips()
    {
        useSimulatedDisk();
        build(0, 6);
        final Stored last = stored.get(stored.size() - 1);
        final Stored previous = stored.get(stored.size() - 2);
        assertEquals(previous.segment(), last.segment());
        final byte[] segment = pristine.get(last.segment());
        int undetectable = 0;
        for (int bit = 0; bit < last.bytes().length * 8; bit++)
        {
            final int byteInBatch = bit / 8;
            final byte[] image = segment.clone();
            image[last.position() + byteInBatch] ^= (byte)(1 << (bit % 8));
            restoreCrashed(last.baseOffset());
            write(last.segment(), image);
            final String context = "bit " + bit + " (byte " + byteInBatch + ") of the last batch";
            try (Log log = open(CONFIG))
            {
                final boolean inEpoch = byteInBatch >= RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET &&
                    byteInBatch < RecordBatchDescriptor.MAGIC_OFFSET;
                final int flippedEpoch = ByteBuffer.wrap(image, last.position() + RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET, 4)
                    .order(BIG_ENDIAN).getInt();
                if (inEpoch && flippedEpoch >= previous.epoch())
                {
                    // The leader epoch is outside the CRC (the broker stamps it in place), so a bit
                    // flip that raises it cannot be detected in Kafka's format: the batch is kept
                    // with the wrong epoch. What matters is that no record content is wrong.
                    undetectable++;
                    assertEquals(last.lastOffset() + 1, log.logEndOffset(), context);
                    assertRecordsEqualModel(log, last.lastOffset() + 1, context);
                    assertEquals(flippedEpoch, epochOfBatchAt(log, last.baseOffset()), context);
                    assertFalse(log.recoveryReport().truncated(), context);
                }
                else
                {
                    // base offset (continuity), length (framing), a lower epoch (epochs never go
                    // backwards), magic, CRC and everything it covers
                    assertEquals(last.baseOffset(), log.logEndOffset(), context + "\n" + log.recoveryReport());
                    assertContentIsModelUpTo(log, last.baseOffset(), context);
                    final RecoveryReport.Truncation t = log.recoveryReport().truncations().get(0);
                    assertEquals(last.position(), t.position(), context);
                    assertEquals(last.baseOffset(), t.expectedOffset(), context);
                }
            }
        }
        assertTrue(undetectable > 0 && undetectable < 32, "some epoch flips go up, some down: " + undetectable);
    }

    // ==============================================================================================
    // Corruption in data known to be durable
    // ==============================================================================================

    @Test
    void shouldFailPreciselyWhenACorruptBatchIsFollowedByValidOnesBelowTheRecoveryPoint()
    {
        build(0, 6);
        final Stored bad = stored.get(2);
        final long recoveryPoint = stored.get(stored.size() - 1).lastOffset() + 1;
        restoreCrashed(recoveryPoint);
        final byte[] image = corruptPayload(bad);
        final CorruptRecordException ex = assertThrows(CorruptRecordException.class, () -> open(CONFIG));
        assertEquals(dir.resolve(bad.segment()), ex.path());
        assertEquals(bad.position(), ex.position());
        assertEquals(bad.baseOffset(), ex.expectedOffset());
        assertTrue(ex.getMessage().contains(bad.segment()), ex.getMessage());
        assertTrue(ex.getMessage().contains("position " + bad.position()), ex.getMessage());
        assertTrue(ex.getMessage().contains("expected offset " + bad.baseOffset()), ex.getMessage());
        assertTrue(ex.getMessage().contains("intact batches follow"), ex.getMessage());
        assertArrayEquals(image, readFile(bad.segment()), "a refused open leaves the segment as it was");
        // and the log can still be opened after the failed attempt (nothing held, no lock left)
        try (Log log = open(CONFIG.toBuilder().truncateOnCorruption(true).build()))
        {
            assertEquals(bad.baseOffset(), log.logEndOffset());
        }
    }

    @Test
    void shouldTruncateAndReportCorruptionWhenConfiguredTo()
    {
        build(0, 6);
        final Stored bad = stored.get(2);
        restoreCrashed(stored.get(stored.size() - 1).lastOffset() + 1);
        corruptPayload(bad);
        try (Log log = open(CONFIG.toBuilder().truncateOnCorruption(true).build()))
        {
            assertEquals(bad.baseOffset(), log.logEndOffset());
            assertContentIsModelUpTo(log, bad.baseOffset(), "truncated at the corrupt batch");
            final RecoveryReport.Truncation t = log.recoveryReport().truncations().get(0);
            assertTrue(t.corruption(), log.recoveryReport().toString());
            assertTrue(t.intactBatchesAfter());
            assertEquals(bad.position(), t.position());
            assertEquals(bad.baseOffset(), t.expectedOffset());
            assertTrue(log.recoveryReport().toString().contains("CORRUPTION"));
        }
    }

    @Test
    void shouldTreatABadBatchFollowedByValidOnesAsTornPastTheRecoveryPoint()
    {
        build(0, 6);
        final Stored bad = stored.get(2);
        restoreCrashed(stored.get(1).baseOffset());
        corruptPayload(bad);
        try (Log log = open(CONFIG))
        {
            assertEquals(bad.baseOffset(), log.logEndOffset());
            assertContentIsModelUpTo(log, bad.baseOffset(), "torn");
            final RecoveryReport.Truncation t = log.recoveryReport().truncations().get(0);
            assertFalse(t.corruption());
            assertTrue(t.intactBatchesAfter(), "reported, though dropped: never known durable");
        }
    }

    @Test
    void shouldFailWhenASealedSegmentBelowTheRecoveryPointIsCut()
    {
        build(6, 3);
        final String first = firstSegment();
        final List<Stored> sealed = batchesOf(first);
        assertTrue(sealed.size() >= 2, "the fixture holds several batches in the first segment");
        final Stored bad = sealed.get(sealed.size() / 2);
        restoreCrashed(stored.get(stored.size() - 1).lastOffset() + 1);
        write(first, Arrays.copyOf(pristine.get(first), bad.position() + 20));
        final CorruptRecordException ex = assertThrows(CorruptRecordException.class, () -> open(CONFIG));
        assertEquals(dir.resolve(first), ex.path());
        assertEquals(bad.position(), ex.position());
        assertEquals(bad.baseOffset(), ex.expectedOffset());
    }

    // ==============================================================================================
    // Indexes
    // ==============================================================================================

    enum IndexDamage
    {
        DELETE_OFFSET_INDEX, DELETE_TIME_INDEX, EMPTY_OFFSET_INDEX, EMPTY_TIME_INDEX, TRUNCATE_OFFSET_INDEX,
        TRUNCATE_TIME_INDEX, GARBAGE_OFFSET_INDEX, GARBAGE_TIME_INDEX, SWAPPED_OFFSET_ENTRIES, LAST_OFFSET_ENTRY_MISPLACED,
        TIME_ENTRY_BEYOND_SEGMENT
    }

    @ParameterizedTest
    @EnumSource(IndexDamage.class)
    void shouldRebuildADamagedIndexAndStillFindEveryOffsetAndTimestamp(final IndexDamage damage)
    {
        build(24, 4);
        final String segment = firstSegment();
        final long base = Long.parseLong(segment.substring(0, 20));
        final String offsetIndex = Segment.fileName(base, Segment.INDEX_SUFFIX);
        final String timeIndex = Segment.fileName(base, Segment.TIME_INDEX_SUFFIX);
        assertTrue(pristine.get(offsetIndex).length >= 3 * OffsetIndex.ENTRY_SIZE, "the fixture indexes the segment");
        assertTrue(pristine.get(timeIndex).length >= 3 * TimeIndex.ENTRY_SIZE, "the fixture indexes the segment");
        for (final boolean clean : new boolean[] { true, false })
        {
            if (clean)
            {
                restore();
            }
            else
            {
                restoreCrashed(stored.get(stored.size() - 1).lastOffset() + 1);
            }
            damage(damage, offsetIndex, timeIndex);
            final String context = damage + (clean ? " after a clean shutdown" : " below the recovery point");
            try (Log log = open(CONFIG))
            {
                final RecoveryReport report = log.recoveryReport();
                assertEquals(clean, report.cleanShutdown());
                assertEquals(1, report.rebuiltIndexes().size(), context + "\n" + report);
                assertTrue(report.rebuiltIndexes().get(0).contains(offsetIndex), context + "\n" + report);
                assertTrue(report.rebuiltIndexes().get(0).contains(timeIndex), context + "\n" + report);
                assertLookupsMatchModel(log, context);
            }
            try (Log log = open(CONFIG))
            {
                assertEquals(List.of(), log.recoveryReport().rebuiltIndexes(), "the rebuilt index is sane: " + context);
                assertLookupsMatchModel(log, context + ", reopened");
            }
            assertArrayEquals(pristine.get(offsetIndex), readFile(offsetIndex), "rebuilt exactly as written: " + context);
            assertArrayEquals(pristine.get(timeIndex), readFile(timeIndex), "rebuilt exactly as written: " + context);
        }
    }

    private void damage(final IndexDamage damage, final String offsetIndex, final String timeIndex)
    {
        final byte[] index = pristine.get(offsetIndex);
        final byte[] time = pristine.get(timeIndex);
        switch (damage)
        {
            case DELETE_OFFSET_INDEX -> delete(offsetIndex);
            case DELETE_TIME_INDEX -> delete(timeIndex);
            case EMPTY_OFFSET_INDEX -> write(offsetIndex, new byte[0]);
            case EMPTY_TIME_INDEX -> write(timeIndex, new byte[0]);
            case TRUNCATE_OFFSET_INDEX -> write(offsetIndex, Arrays.copyOf(index, index.length - 3));
            case TRUNCATE_TIME_INDEX -> write(timeIndex, Arrays.copyOf(time, time.length - 5));
            case GARBAGE_OFFSET_INDEX ->
            {
                final byte[] bad = index.clone();
                Arrays.fill(bad, 0, 8, (byte)0xff);
                write(offsetIndex, bad);
            }
            case GARBAGE_TIME_INDEX ->
            {
                final byte[] bad = time.clone();
                Arrays.fill(bad, 0, 8, (byte)0x7f);
                write(timeIndex, bad);
            }
            case SWAPPED_OFFSET_ENTRIES ->
            {
                final byte[] bad = index.clone();
                System.arraycopy(index, 0, bad, 8, 8);
                System.arraycopy(index, 8, bad, 0, 8);
                write(offsetIndex, bad);
            }
            case LAST_OFFSET_ENTRY_MISPLACED ->
            {
                final byte[] bad = index.clone();
                final ByteBuffer b = ByteBuffer.wrap(bad).order(BIG_ENDIAN);
                b.putInt(bad.length - 4, b.getInt(bad.length - 4) + 1);
                write(offsetIndex, bad);
            }
            case TIME_ENTRY_BEYOND_SEGMENT ->
            {
                final byte[] bad = time.clone();
                final ByteBuffer b = ByteBuffer.wrap(bad).order(BIG_ENDIAN);
                b.putInt(bad.length - 4, 1_000_000);
                write(timeIndex, bad);
            }
            default -> throw new IllegalArgumentException(damage.name());
        }
    }

    private void assertLookupsMatchModel(final Log log, final String context)
    {
        try (LogCursor cursor = log.cursor())
        {
            for (final Rec rec : model)
            {
                cursor.seek(rec.offset());
                assertTrue(cursor.nextRecord(), "offset " + rec.offset() + ": " + context);
                assertRecordEquals(rec, cursor.record(), context);
            }
        }
        for (final Rec rec : model)
        {
            for (final long target : new long[] { rec.timestamp(), rec.timestamp() - 1 })
            {
                final TimestampOffset found = log.offsetForTimestamp(target);
                assertNotNull(found, "timestamp " + target + ": " + context);
                assertEquals(rec.offset(), found.offset(), "timestamp " + target + ": " + context);
                assertEquals(rec.timestamp(), found.timestamp(), context);
            }
        }
        assertNull(log.offsetForTimestamp(model.get(model.size() - 1).timestamp() + 1), context);
    }

    // ==============================================================================================
    // Checkpoints and leftovers
    // ==============================================================================================

    @Test
    void shouldValidateEverySegmentWhenTheRecoveryPointCheckpointIsCorrupt()
    {
        build(24, 4);
        final long end = stored.get(stored.size() - 1).lastOffset() + 1;
        final int segments = (int)pristine.keySet().stream().filter(n -> n.endsWith(Segment.LOG_SUFFIX)).count();
        assertTrue(segments >= 3, "the fixture has several segments: " + segments);
        restoreCrashed(end);
        try (Log log = open(CONFIG))
        {
            assertEquals(1, log.recoveryReport().segmentsValidated(), "a good checkpoint: only the active segment is validated");
        }
        restoreCrashed(end);
        writeString(LogManager.RECOVERY_POINT_CHECKPOINT, "0\n1\nrc 0 1x7\n");
        try (Log log = open(CONFIG))
        {
            final RecoveryReport report = log.recoveryReport();
            assertEquals(0, report.recoveryPoint(), report.toString());
            assertEquals(segments, report.segmentsValidated(), report.toString());
            assertEquals(stored.size(), report.batchesValidated());
            assertEquals(end, log.logEndOffset());
            assertContentIsModelUpTo(log, end, "full validation");
        }
    }

    @ParameterizedTest
    @EnumSource(value = EpochCheckpointDamage.class)
    void shouldRebuildTheLeaderEpochCacheFromTheLogWhenItsCheckpointIsDamaged(final EpochCheckpointDamage damage)
    {
        buildWithEpochs();
        final List<Entry> expected = List.of(new Entry(1, 0), new Entry(2, 6), new Entry(4, 12));
        for (final boolean clean : new boolean[] { true, false })
        {
            if (clean)
            {
                restore();
            }
            else
            {
                restoreCrashed(stored.get(stored.size() - 1).lastOffset() + 1);
            }
            switch (damage)
            {
                case MISSING -> delete(LogLoader.EPOCH_CHECKPOINT);
                case CORRUPT_HALFWAY -> writeString(LogLoader.EPOCH_CHECKPOINT, "0\n3\n1 0\n9 2\n4 1z\n");
                case OUT_OF_ORDER -> writeString(LogLoader.EPOCH_CHECKPOINT, "0\n3\n1 0\n4 12\n2 6\n");
                case TRUNCATED -> writeString(LogLoader.EPOCH_CHECKPOINT, "0\n3\n1 0\n2 6\n4 1");
                default -> throw new IllegalArgumentException(damage.name());
            }
            try (Log log = open(CONFIG))
            {
                final String context = damage + (clean ? " clean" : " crashed") + "\n" + log.recoveryReport();
                assertEquals(expected, log.epochCache().entries(), context);
                assertEquals(4, log.epochCache().latestEpoch(), context);
                assertTrue(log.recoveryReport().notes().stream().anyMatch(n -> n.contains("rebuilt " + LogLoader.EPOCH_CHECKPOINT)),
                    context);
            }
            assertEquals("0\n3\n1 0\n2 6\n4 12\n", readString(LogLoader.EPOCH_CHECKPOINT), "rewritten");
        }
    }

    enum EpochCheckpointDamage
    {
        MISSING, CORRUPT_HALFWAY, OUT_OF_ORDER, TRUNCATED
    }

    @Test
    void shouldRemoveLeftoversOfInterruptedOperations()
    {
        build(6, 3);
        final String first = firstSegment();
        final List<String> leftovers = List.of(
            first + Segment.DELETED_SUFFIX,
            first.replace(Segment.LOG_SUFFIX, Segment.INDEX_SUFFIX) + Segment.DELETED_SUFFIX,
            LogManager.RECOVERY_POINT_CHECKPOINT + CheckpointFile.TMP_SUFFIX,
            LogLoader.EPOCH_CHECKPOINT + CheckpointFile.TMP_SUFFIX,
            Segment.fileName(99_999, Segment.INDEX_SUFFIX),
            Segment.fileName(99_999, Segment.TIME_INDEX_SUFFIX));
        for (final boolean clean : new boolean[] { true, false })
        {
            if (clean)
            {
                restore();
            }
            else
            {
                restoreCrashed(0);
            }
            for (final String name : leftovers)
            {
                write(name, "left over".getBytes(StandardCharsets.UTF_8));
            }
            try (Log log = open(CONFIG))
            {
                for (final String name : leftovers)
                {
                    assertFalse(disk.exists(name), name + " removed");
                    assertTrue(log.recoveryReport().notes().stream().anyMatch(n -> n.contains(name)),
                        name + " reported: " + log.recoveryReport());
                }
                final long end = stored.get(stored.size() - 1).lastOffset() + 1;
                assertEquals(end, log.logEndOffset());
                assertContentIsModelUpTo(log, end, "leftovers");
            }
        }
    }

    // ==============================================================================================
    // Fixture
    // ==============================================================================================

    private Log open(final LogConfig config)
    {
        return Log.options(disk.dir()).config(config).storage(disk.storage()).writerMode(WriterMode.INVOKER).open();
    }

    /**
     * Cases that reopen the log hundreds of times run on the in-memory crash-simulating storage: the
     * same storage seam, without a real fsync per checkpoint.
     */
    private void useSimulatedDisk()
    {
        disk = new SimulatedDisk(new CrashSimulatingStorage());
        dir = disk.dir();
    }

    /** Where the log's files live: a real directory or the simulated storage. */
    private interface Disk
    {
        Storage storage();

        Path dir();

        List<String> list() throws IOException;

        byte[] read(String name) throws IOException;

        void write(String name, byte[] bytes) throws IOException;

        void delete(String name) throws IOException;

        boolean exists(String name);

        /** @return an empty disk of the same kind. */
        Disk fresh() throws IOException;
    }

    private static final class FileDisk implements Disk
    {
        private final Path dir;

        FileDisk(final Path dir)
        {
            this.dir = dir;
        }

        @Override
        public Storage storage()
        {
            return FileStorage.INSTANCE;
        }

        @Override
        public Path dir()
        {
            return dir;
        }

        @Override
        public List<String> list() throws IOException
        {
            try (Stream<Path> list = Files.list(dir))
            {
                return list.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }

        @Override
        public byte[] read(final String name) throws IOException
        {
            return Files.readAllBytes(dir.resolve(name));
        }

        @Override
        public void write(final String name, final byte[] bytes) throws IOException
        {
            Files.write(dir.resolve(name), bytes);
        }

        @Override
        public void delete(final String name) throws IOException
        {
            Files.deleteIfExists(dir.resolve(name));
        }

        @Override
        public boolean exists(final String name)
        {
            return Files.exists(dir.resolve(name));
        }

        @Override
        public Disk fresh() throws IOException
        {
            for (final String name : list())
            {
                delete(name);
            }
            return this;
        }
    }

    private static final class SimulatedDisk implements Disk
    {
        private static final Path DIR = Path.of("/sim").resolve(TP.dirName());
        private final CrashSimulatingStorage storage;

        SimulatedDisk(final CrashSimulatingStorage storage)
        {
            this.storage = storage;
        }

        @Override
        public Storage storage()
        {
            return storage;
        }

        @Override
        public Path dir()
        {
            return DIR;
        }

        @Override
        public List<String> list() throws IOException
        {
            return storage.list(DIR).stream().map(p -> p.getFileName().toString()).toList();
        }

        @Override
        public byte[] read(final String name) throws IOException
        {
            return storage.readAllBytes(DIR.resolve(name));
        }

        @Override
        public void write(final String name, final byte[] bytes) throws IOException
        {
            try (StorageFile file = storage.open(DIR.resolve(name), true))
            {
                file.setLength(0);
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long position = 0;
                while (buffer.hasRemaining())
                {
                    position += file.write(buffer, position);
                }
            }
        }

        @Override
        public void delete(final String name) throws IOException
        {
            storage.delete(DIR.resolve(name));
        }

        @Override
        public boolean exists(final String name)
        {
            return storage.exists(DIR.resolve(name));
        }

        @Override
        public Disk fresh() throws IOException
        {
            final CrashSimulatingStorage empty = new CrashSimulatingStorage();
            empty.createDirectories(DIR);
            return new SimulatedDisk(empty);
        }
    }

    /**
     * Appends {@code sealedBatches} then rolls and appends {@code activeBatches}, closes cleanly and
     * keeps the files as the pristine image. Sealed batches average about 1.7 KiB, so 24 of them
     * span three segments of 16 KiB.
     */
    private void build(final int sealedBatches, final int activeBatches)
    {
        try (Log log = open(CONFIG))
        {
            log.leaderEpoch(EPOCH);
            for (int i = 0; i < sealedBatches; i++)
            {
                appendBatch(log, 1 + random.nextInt(4), 400 + random.nextInt(500));
            }
            if (sealedBatches > 0)
            {
                log.roll();
            }
            for (int i = 0; i < activeBatches; i++)
            {
                appendBatch(log, 1 + random.nextInt(3), random.nextInt(60));
            }
        }
        keepPristine();
    }

    /** Three epochs: 1 at offsets 0-5, 2 at 6-11, 4 at 12-17, in two segments. */
    private void buildWithEpochs()
    {
        try (Log log = open(CONFIG))
        {
            final int[] epochs = { 1, 2, 4 };
            for (final int epoch : epochs)
            {
                log.leaderEpoch(epoch);
                for (int i = 0; i < 3; i++)
                {
                    appendBatch(log, 2, 100);
                }
                if (epoch == 2)
                {
                    log.roll();
                }
            }
        }
        keepPristine();
    }

    private void appendBatch(final Log log, final int records, final int valueBytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256 + records * (valueBytes + 64)]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        final long base = log.logEndOffset();
        final List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < records; i++)
        {
            final long offset = base + i;
            final byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            final byte[] key = ("k" + offset).getBytes(StandardCharsets.UTF_8);
            final byte[] header = ("h" + offset).getBytes(StandardCharsets.UTF_8);
            final long timestamp = 1_000_000 + offset * 10;
            assertTrue(builder.append(timestamp, key, value, new Header("h", header)));
            recs.add(new Rec(offset, timestamp, key, value, header));
        }
        final int length = builder.build();
        final AppendResult r = log.append(buffer, 0, length);
        assertEquals(AppendResult.OK, r.status(), r.toString());
        assertEquals(base, r.baseOffset());
        model.addAll(recs);
    }

    private void keepPristine()
    {
        pristine = snapshot();
        stored.clear();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        for (final Map.Entry<String, byte[]> e : pristine.entrySet())
        {
            if (!e.getKey().endsWith(Segment.LOG_SUFFIX))
            {
                continue;
            }
            final UnsafeBuffer data = new UnsafeBuffer(e.getValue());
            int position = 0;
            while (position < data.capacity())
            {
                batch.wrap(data, position);
                assertEquals(RecordBatchFlyweight.VALID, batch.validate(data.capacity() - position, Integer.MAX_VALUE, false));
                stored.add(new Stored(e.getKey(), position, batch.baseOffset(), batch.lastOffset(), batch.partitionLeaderEpoch(),
                    Arrays.copyOfRange(e.getValue(), position, position + batch.sizeInBytes())));
                position += batch.sizeInBytes();
            }
        }
        stored.sort((a, b) -> Long.compare(a.baseOffset(), b.baseOffset()));
        assertEquals(model.get(model.size() - 1).offset(), stored.get(stored.size() - 1).lastOffset());
        assertTrue(disk.exists(LogManager.CLEAN_SHUTDOWN_FILE));
    }

    private List<Stored> batchesOf(final String segment)
    {
        return stored.stream().filter(s -> s.segment().equals(segment)).toList();
    }

    private String firstSegment()
    {
        return pristine.keySet().stream().filter(n -> n.endsWith(Segment.LOG_SUFFIX)).findFirst().orElseThrow();
    }

    private String lastSegment()
    {
        return pristine.keySet().stream().filter(n -> n.endsWith(Segment.LOG_SUFFIX)).reduce((a, b) -> b).orElseThrow();
    }

    private Map<String, byte[]> snapshot()
    {
        try
        {
            final Map<String, byte[]> files = new TreeMap<>();
            for (final String name : disk.list())
            {
                files.put(name, disk.read(name));
            }
            return files;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Puts the pristine image back, clean-shutdown marker included. */
    private void restore()
    {
        try
        {
            disk = disk.fresh();
            for (final Map.Entry<String, byte[]> e : pristine.entrySet())
            {
                disk.write(e.getKey(), e.getValue());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Puts the pristine image back as a crash would leave it: no marker, the given recovery point. */
    private void restoreCrashed(final long recoveryPoint)
    {
        restore();
        delete(LogManager.CLEAN_SHUTDOWN_FILE);
        writeString(LogManager.RECOVERY_POINT_CHECKPOINT, "0\n1\n" + TP.topic() + " " + TP.partition() + " " + recoveryPoint + "\n");
    }

    /** Flips a bit in the middle of a batch's records: only the CRC can tell. */
    private byte[] corruptPayload(final Stored batch)
    {
        final byte[] image = pristine.get(batch.segment()).clone();
        image[batch.position() + RecordBatchDescriptor.RECORDS_OFFSET + 5] ^= 0x10;
        write(batch.segment(), image);
        return image;
    }

    private void write(final String name, final byte[] bytes)
    {
        try
        {
            disk.write(name, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void writeString(final String name, final String text)
    {
        write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] readFile(final String name)
    {
        try
        {
            return disk.read(name);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private String readString(final String name)
    {
        return new String(readFile(name), StandardCharsets.UTF_8);
    }

    private void delete(final String name)
    {
        try
        {
            disk.delete(name);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static boolean hasNonZero(final byte[] bytes, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (bytes[i] != 0)
            {
                return true;
            }
        }
        return false;
    }

    // ==============================================================================================
    // Oracles
    // ==============================================================================================

    /** Every batch below {@code end} equals the pristine bytes and every record equals the model. */
    private void assertContentIsModelUpTo(final Log log, final long end, final String context)
    {
        try (LogCursor cursor = log.cursor().seek(0))
        {
            int index = 0;
            while (cursor.nextBatch())
            {
                final RecordBatchFlyweight batch = cursor.batch();
                final Stored expected = stored.get(index++);
                final byte[] actual = new byte[batch.sizeInBytes()];
                batch.buffer().getBytes(batch.offset(), actual);
                assertArrayEquals(expected.bytes(), actual, "batch at offset " + expected.baseOffset() + ": " + context);
            }
            final long expectedBatches = stored.stream().filter(s -> s.lastOffset() < end).count();
            assertEquals(expectedBatches, index, "batches read: " + context);
        }
        assertRecordsEqualModel(log, end, context);
    }

    private void assertRecordsEqualModel(final Log log, final long end, final String context)
    {
        try (LogCursor cursor = log.cursor().seek(0))
        {
            int index = 0;
            while (cursor.nextRecord())
            {
                assertTrue(index < model.size(), "more records than appended: " + context);
                assertRecordEquals(model.get(index++), cursor.record(), context);
            }
            assertEquals(end, index, "records read: " + context);
        }
    }

    private static void assertRecordEquals(final Rec expected, final RecordFlyweight actual, final String context)
    {
        final String at = "offset " + expected.offset() + ": " + context;
        assertEquals(expected.offset(), actual.offset(), at);
        assertEquals(expected.timestamp(), actual.timestamp(), at);
        assertArrayEquals(expected.key(), actual.keyBytes(), at);
        assertArrayEquals(expected.value(), actual.valueBytes(), at);
        assertEquals(1, actual.headerCount(), at);
        assertTrue(actual.nextHeader(), at);
        assertEquals("h", actual.headerKey(), at);
        assertArrayEquals(expected.header(), actual.headerValue(), at);
    }

    private static int epochOfBatchAt(final Log log, final long offset)
    {
        try (LogCursor cursor = log.cursor().seek(offset))
        {
            assertTrue(cursor.nextBatch());
            return cursor.batch().partitionLeaderEpoch();
        }
    }
}
