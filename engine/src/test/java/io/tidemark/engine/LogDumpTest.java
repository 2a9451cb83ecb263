package io.tidemark.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.tidemark.engine.record.Header;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.testkit.Seeds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dump-log tool: what it prints, that clean logs (closed, open, randomly operated, managed) verify
 * with 0, that each kind of damage gives 1 with a message naming the file and position, that unusable
 * input gives 2, and that it never changes a file.
 */
class LogDumpTest
{
    private static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(8 * 1024)
        .preallocateBytes(4096)
        .indexIntervalBytes(300)
        .segmentIndexBytes(4096)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private int dump(final Path dir, final boolean verify, final boolean records)
    {
        printed.reset();
        return LogDump.run(dir, verify, records, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String output()
    {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** Three epochs, keys, values and headers, over several segments, closed cleanly. */
    private Path buildLog(final String name)
    {
        final Path dir = tmp.resolve(name);
        try (Log log = Log.options(dir).config(CONFIG).writerMode(WriterMode.INVOKER).open())
        {
            append(log, 40);
        }
        return dir;
    }

    private static void append(final Log log, final int batches)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        for (int i = 0; i < batches; i++)
        {
            if (i % 15 == 0)
            {
                log.leaderEpoch(log.leaderEpoch() + 1 + i / 15);
            }
            builder.reset();
            for (int r = 0; r < 1 + i % 3; r++)
            {
                builder.append(10_000 + i * 10 + r, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[100 + i * 3],
                    new Header("trace", new byte[] { (byte)i }));
            }
            builder.build();
            assertTrue(log.append(builder).succeeded());
        }
    }

    // ==============================================================================================
    // Clean logs
    // ==============================================================================================

    @Test
    void shouldPrintSegmentsBatchesIndexesAndRecordsAndVerifyACleanLog()
    {
        final Path dir = buildLog("events-0");
        assertEquals(LogDump.OK, dump(dir, true, true), output());
        final String out = output();
        assertTrue(out.contains("Partition events-0 (" + dir + ")"), out);
        assertTrue(out.contains("Dumping " + dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX))), out);
        assertTrue(out.contains("  base offset: 0, size: "), out);
        assertTrue(out.contains("baseOffset: 0 lastOffset: 0 count: 1 position: 0 size: "), out);
        assertTrue(out.contains("crcValid: true magic: 2 compression: none producerId: -1 producerEpoch: -1 baseSequence: -1 " +
            "partitionLeaderEpoch: 1 maxTimestamp: 10000"), out);
        assertTrue(out.contains("  | offset: 0 CreateTime: 10000 keySize: 2 valueSize: 100 headerKeys: [trace]"), out);
        assertTrue(out.contains("Dumping " + dir.resolve(Segment.fileName(0, Segment.INDEX_SUFFIX))), out);
        assertTrue(out.matches("(?s).*\n  offset: \\d+ position: \\d+\n.*"), out);
        assertTrue(out.matches("(?s).*\n  timestamp: \\d+ offset: \\d+\n.*"), out);
        assertTrue(out.contains("leader-epoch-checkpoint: [epoch 1 from offset 0] [epoch 3 from offset "), out);
        assertTrue(out.contains("recovery point: "), out);
        assertTrue(out.contains("Verified: no faults found"), out);
        assertFalse(out.contains("FAULT"), out);
        assertTrue(Stream.of(out.split("\n")).filter(l -> l.startsWith("Dumping") && l.contains(".log")).count() > 1,
            "several segments: " + out);
    }

    @Test
    void shouldVerifyALogThatIsOpenElsewhereWithoutChangingAnyFile() throws IOException
    {
        final Path dir = tmp.resolve("open-0");
        try (Log log = Log.options(dir).config(CONFIG).open())
        {
            append(log, 30);
            final Map<String, byte[]> before = contents(dir);
            assertEquals(LogDump.OK, dump(dir, true, false), output());
            assertTrue(output().contains("unused preallocated entries"), "the active indexes are preallocated: " + output());
            assertTrue(output().contains("bytes of preallocated zeros follow"), output());
            final Map<String, byte[]> after = contents(dir);
            assertEquals(before.keySet(), after.keySet());
            for (final String name : before.keySet())
            {
                assertArrayEquals(before.get(name), after.get(name), name + " unchanged");
            }
            assertTrue(Batches.append(log, 1, "still writable").succeeded(), "the tool took no lock");
        }
    }

    @Test
    void shouldVerifyEveryPartitionOfALogDirectory()
    {
        final Path logDir = tmp.resolve("logs");
        try (LogManager manager = LogManager.open(LogManagerConfig.builder(logDir).defaultLogConfig(CONFIG)
            .metaProperties(Map.of("node.id", "3")).build()))
        {
            for (int p = 0; p < 3; p++)
            {
                append(manager.getOrCreate(new TopicPartition("orders", p)), 10 + p);
            }
            manager.log(new TopicPartition("orders", 1)).highWatermark(5);
        }
        assertEquals(LogDump.OK, dump(logDir, true, false), output());
        final String out = output();
        assertTrue(out.contains("Log directory " + logDir + ": 3 partition(s), clean shutdown marker present"), out);
        assertTrue(out.contains("meta.properties: node.id=3"), out);
        for (int p = 0; p < 3; p++)
        {
            assertTrue(out.contains("Partition orders-" + p + " (" + logDir.resolve("orders-" + p) + ")"), out);
        }
        assertTrue(out.contains("high watermark: 5"), "checkpoints of the log dir: " + out);
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 4 })
    void shouldVerifyLogsLeftByRandomOperations(final int run)
    {
        final long seed = Seeds.seed("LogDumpTest#random-" + run);
        final Random random = new Random(seed);
        final Path dir = tmp.resolve("random-0");
        Log log = Log.options(dir).config(CONFIG).writerMode(WriterMode.INVOKER).open();
        try
        {
            long timestamp = 1_000;
            for (int step = 0; step < 300; step++)
            {
                final int op = random.nextInt(100);
                if (op < 70)
                {
                    final String[] values = new String[1 + random.nextInt(4)];
                    for (int i = 0; i < values.length; i++)
                    {
                        values[i] = "v" + step + "-" + "x".repeat(random.nextInt(300));
                    }
                    timestamp += random.nextInt(30) - 5;
                    assertTrue(Batches.append(log, timestamp, values).succeeded());
                }
                else if (op < 76)
                {
                    log.truncateTo(log.logStartOffset() + random.nextLong(log.logEndOffset() - log.logStartOffset() + 1));
                }
                else if (op < 80)
                {
                    log.deleteRecordsBefore(log.logStartOffset() + random.nextLong(log.logEndOffset() - log.logStartOffset() + 1));
                }
                else if (op < 85)
                {
                    log.leaderEpoch(log.leaderEpoch() + 1 + random.nextInt(3));
                }
                else if (op < 90)
                {
                    log.roll();
                }
                else if (op < 95)
                {
                    log.updateConfig(log.config().toBuilder().retentionBytes(random.nextInt(20_000)).build());
                    log.applyRetention();
                    log.updateConfig(log.config().toBuilder().retentionBytes(-1).build());
                }
                else
                {
                    log.close();
                    log = Log.options(dir).config(CONFIG).writerMode(WriterMode.INVOKER).open();
                }
                if (step % 50 == 0)
                {
                    assertEquals(LogDump.OK, dump(dir, true, false), "open log, step " + step + ", seed " + seed + "\n" + output());
                }
            }
        }
        finally
        {
            log.close();
        }
        assertEquals(LogDump.OK, dump(dir, true, true), "seed " + seed + "\n" + output());
    }

    @Test
    void shouldKeepEveryIndexEntryWhenALogGrowsAgainAfterAReopenAndATruncation()
    {
        final Path dir = tmp.resolve("regrow-0");
        final LogConfig config = CONFIG.toBuilder().segmentBytes(64 * 1024).indexIntervalBytes(100).build();
        long timestamp = 1000;
        try (Log log = Log.options(dir).config(config).writerMode(WriterMode.INVOKER).open())
        {
            for (int i = 0; i < 20; i++)
            {
                // about 280 bytes: one entry per batch
                assertTrue(Batches.append(log, timestamp++, "w" + i + "-" + "x".repeat(200)).succeeded());
            }
        }
        try (Log log = Log.options(dir).config(config).writerMode(WriterMode.INVOKER).open())
        {
            final long end = log.logEndOffset();
            log.truncateTo(end - 10);
            // batches of about 110 bytes: more entries per byte, so the entries pass the count the index had
            // when it was reopened before the data passes the blocks reserved then
            for (int i = 0; i < 80; i++)
            {
                assertTrue(Batches.append(log, timestamp++, "n" + i + "-" + "y".repeat(30)).succeeded());
            }
            assertEquals(LogDump.OK, dump(dir, true, false), output());
        }
        try (Log log = Log.options(dir).config(config).writerMode(WriterMode.INVOKER).open())
        {
            assertEquals(java.util.List.of(), log.recoveryReport().rebuiltIndexes(), "the indexes written are sane");
            for (long t = 1000; t < timestamp; t++)
            {
                // 1010..1019 were truncated away: the first record at or after them is 1020's
                final TimestampOffset found = log.offsetForTimestamp(t);
                assertNotNull(found, "timestamp " + t);
                assertEquals(t >= 1010 && t < 1020 ? 1020 : t, found.timestamp(), "timestamp " + t);
            }
        }
        assertEquals(LogDump.OK, dump(dir, true, false), output());
    }

    @Test
    void shouldVerifyALogWhoseBatchesCarryNoTimestamps()
    {
        final Path dir = tmp.resolve("untimed-0");
        final LogConfig config = CONFIG.toBuilder().indexIntervalBytes(100).build();
        try (Log log = Log.options(dir).config(config).writerMode(WriterMode.INVOKER).open())
        {
            for (int i = 0; i < 60; i++)
            {
                assertTrue(Batches.append(log, RecordBatchDescriptor.NO_TIMESTAMP, "u" + i + "-" + "x".repeat(150)).succeeded());
            }
            assertTrue(log.segmentCount() > 1);
        }
        assertEquals(LogDump.OK, dump(dir, true, false), output());
        assertFalse(output().contains("timestamp: -1"), "no time index entry for batches without a timestamp: " + output());
        try (Log log = Log.options(dir).config(config).writerMode(WriterMode.INVOKER).open())
        {
            assertEquals(java.util.List.of(), log.recoveryReport().rebuiltIndexes(), "nothing to rebuild");
            assertNull(log.offsetForTimestamp(0));
            assertEquals(60, Batches.values(log).size());
        }
    }

    // ==============================================================================================
    // Damage
    // ==============================================================================================

    @Test
    void shouldReportAFlippedCrcBitWithTheFileAndPosition() throws IOException
    {
        final Path dir = buildLog("crc-0");
        final Path segment = dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX));
        final byte[] bytes = Files.readAllBytes(segment);
        final int second = batchPositions(bytes)[1];
        final long offset = ByteBuffer.wrap(bytes).order(BIG_ENDIAN).getLong(second);
        bytes[second + RecordBatchDescriptor.CRC_OFFSET + 2] ^= 0x04;
        Files.write(segment, bytes);
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + segment + ": position " + second + ", offset " + offset + ": CRC mismatch: stored "),
            output());
        assertTrue(output().contains("Verified: 1 fault(s) found"), output());
        assertEquals(LogDump.OK, dump(dir, false, false), "without verify it only prints");
        assertTrue(output().contains("position: " + second + " size: "), output());
        assertTrue(output().contains("crcValid: false"), output());
    }

    @Test
    void shouldReportAFlippedPayloadBitAsACrcMismatch() throws IOException
    {
        final Path dir = buildLog("payload-0");
        final Path segment = dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX));
        final byte[] bytes = Files.readAllBytes(segment);
        final int third = batchPositions(bytes)[2];
        bytes[third + RecordBatchDescriptor.RECORDS_OFFSET + 10] ^= 0x01;
        Files.write(segment, bytes);
        assertEquals(LogDump.FAULTS, dump(dir, true, true), output());
        assertTrue(output().contains("FAULT " + segment + ": position " + third + ","), output());
        assertTrue(output().contains("records not shown: invalid batch"), output());
    }

    @Test
    void shouldReportAnIndexEntryThatDoesNotPointAtItsBatch() throws IOException
    {
        final Path dir = buildLog("index-0");
        final Path index = dir.resolve(Segment.fileName(0, Segment.INDEX_SUFFIX));
        final byte[] bytes = Files.readAllBytes(index);
        assertTrue(bytes.length >= 16, "the fixture indexes the segment");
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(BIG_ENDIAN);
        final int position = b.getInt(12);
        b.putInt(12, position + 7);
        Files.write(index, bytes);
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + index + ": position " + (position + 7) + ", offset "), output());
        assertTrue(output().contains("no batch of " + Segment.fileName(0, Segment.LOG_SUFFIX) + " starts at position " +
            (position + 7)), output());
    }

    @Test
    void shouldReportAnIndexEntryNamingTheWrongOffset() throws IOException
    {
        final Path dir = buildLog("index-1");
        final Path index = dir.resolve(Segment.fileName(0, Segment.INDEX_SUFFIX));
        final byte[] bytes = Files.readAllBytes(index);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(BIG_ENDIAN);
        final int relative = b.getInt(8);
        final int position = b.getInt(12);
        b.putInt(8, relative - 1);
        Files.write(index, bytes);
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + index + ": position " + position + ", offset " + (relative - 1) +
            ": offset index entry 1 (offset " + (relative - 1) + ", position " + position + "): the batch at position " +
            position + " ends at offset " + relative + ", not " + (relative - 1)), output());
    }

    @Test
    void shouldReportATimeIndexEntryThatDoesNotMatchItsBatch() throws IOException
    {
        final Path dir = buildLog("time-0");
        final Path index = dir.resolve(Segment.fileName(0, Segment.TIME_INDEX_SUFFIX));
        final byte[] bytes = Files.readAllBytes(index);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(BIG_ENDIAN);
        b.putLong(0, b.getLong(0) - 1);
        Files.write(index, bytes);
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + index + ": position "), output());
        assertTrue(output().contains("time index entry 0"), output());
        assertTrue(output().contains("the batch ending there has max timestamp"), output());
    }

    @Test
    void shouldReportATruncatedSegment() throws IOException
    {
        final Path dir = buildLog("cut-0");
        final Path segment = dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX));
        final byte[] bytes = Files.readAllBytes(segment);
        final int[] positions = batchPositions(bytes);
        final int last = positions[positions.length - 1];
        Files.write(segment, Arrays.copyOf(bytes, last + 100));
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + segment + ": position " + last + ", offset "), output());
        assertTrue(output().contains("(truncated)"), output());
        // and what comes after the cut no longer continues the offsets
        assertTrue(output().contains("where") && output().contains("was expected"), output());
    }

    @Test
    void shouldReportGarbageAfterTheData() throws IOException
    {
        final Path dir = buildLog("tail-0");
        final Path segment = dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX));
        final byte[] bytes = Files.readAllBytes(segment);
        final byte[] longer = Arrays.copyOf(bytes, bytes.length + 500);
        longer[bytes.length + 200] = 7;
        Files.write(segment, longer);
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + segment + ": position " + bytes.length + ", offset "), output());
        assertTrue(output().contains("non-zero bytes follow at position " + (bytes.length + 200)), output());
    }

    @Test
    void shouldReportALeaderEpochCheckpointThatDisagreesWithTheBatches() throws IOException
    {
        final Path dir = buildLog("epochs-0");
        final Path checkpoint = dir.resolve(LogLoader.EPOCH_CHECKPOINT);
        final String text = Files.readString(checkpoint);
        assertTrue(text.startsWith("0\n3\n1 0\n3 30\n"), text);
        Files.writeString(checkpoint, text.replace("3 30\n", "3 31\n"));
        assertEquals(LogDump.FAULTS, dump(dir, true, false), output());
        assertTrue(output().contains("FAULT " + checkpoint + ": offset 30: the batch at offset 30 of "), output());
        assertTrue(output().contains("has leader epoch 3 but the checkpoint gives epoch 1 from offset 0"), output());
    }

    // ==============================================================================================
    // Unusable input
    // ==============================================================================================

    @Test
    void shouldRefuseInputThatIsNotALog() throws IOException
    {
        assertEquals(LogDump.UNUSABLE, dump(tmp.resolve("missing"), true, false));
        assertTrue(output().contains("is not a directory"), output());
        final Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(LogDump.UNUSABLE, dump(empty, false, false));
        assertTrue(output().contains("holds no log segments and no partition directories"), output());
        final Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        assertEquals(LogDump.UNUSABLE, dump(file, true, false));
    }

    // ==============================================================================================
    // Helpers
    // ==============================================================================================

    private static int[] batchPositions(final byte[] segment)
    {
        final UnsafeBuffer data = new UnsafeBuffer(segment);
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        int[] positions = new int[0];
        int position = 0;
        while (position < segment.length)
        {
            positions = Arrays.copyOf(positions, positions.length + 1);
            positions[positions.length - 1] = position;
            position += batch.wrap(data, position).sizeInBytes();
        }
        return positions;
    }

    private static Map<String, byte[]> contents(final Path dir) throws IOException
    {
        final Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir))
        {
            for (final Path p : list.toList())
            {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
