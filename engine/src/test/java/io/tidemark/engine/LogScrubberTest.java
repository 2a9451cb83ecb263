package io.tidemark.engine;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrubber of sealed segments (issue 12, finding 8): a flipped byte in a sealed segment is found
 * within one pass, counted once, refused by the read path and forgotten when truncated away; a clean log
 * has no finding; the rate holds over an injected clock; a segment deleted by retention mid-pass is
 * skipped. Each log is written, closed cleanly (so opening it validates nothing) and damaged on disk.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class LogScrubberTest
{
    private static final TopicPartition TP = new TopicPartition("scrub", 0);
    private static final int BATCHES_PER_SEGMENT = 10;
    private static final int SEGMENTS = 3;
    private static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(64 * 1024)
        .preallocateBytes(4096)
        .indexIntervalBytes(128)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<CorruptBatch> heard = new ArrayList<>();

    private LogManager open(final long bytesPerSecond)
    {
        return LogManager.open(LogManagerConfig.builder(tmp)
            .defaultLogConfig(CONFIG)
            .nanoClock(clock)
            .scrubEnable(false) // the test drives the scrubber
            .scrubBytesPerSecond(bytesPerSecond)
            .scrubIntervalMs(60_000)
            .scrubListener(heard::add)
            .build());
    }

    /**
     * Writes {@value #SEGMENTS} sealed segments of {@value #BATCHES_PER_SEGMENT} three-record batches and an
     * active one, and closes cleanly.
     */
    private void writeLog()
    {
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.getOrCreate(TP);
            for (int s = 0; s < SEGMENTS; s++)
            {
                for (int b = 0; b < BATCHES_PER_SEGMENT; b++)
                {
                    Batches.append(log, 1_000, "value-" + s + "-" + b + "-a", "value-" + s + "-" + b + "-b", "value-" + s + "-" + b + "-c");
                }
                log.roll();
            }
            Batches.append(log, 1_000, "active");
        }
    }

    private Path segmentFile(final long baseOffset)
    {
        return tmp.resolve(TP.dirName()).resolve(Segment.fileName(baseOffset, Segment.LOG_SUFFIX));
    }

    /**
     * @return the byte position of batch {@code index} in a segment file.
     */
    private static long batchPosition(final Path file, final int index) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            long position = 0;
            for (int i = 0; i < index; i++)
            {
                final ByteBuffer length = ByteBuffer.allocate(4).order(BIG_ENDIAN);
                ch.read(length, position + RecordBatchDescriptor.LENGTH_OFFSET);
                position += RecordBatchDescriptor.LOG_OVERHEAD + length.getInt(0);
            }
            return position;
        }
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte)(b.get(0) ^ 0x10));
            b.flip();
            ch.write(b, position);
        }
    }

    /**
     * Drives the scrubber one simulated second at a time until {@code passes} passes are done.
     */
    private void scrubUntil(final LogScrubber scrubber, final long passes)
    {
        for (int i = 0; i < 10_000 && scrubber.passesCompleted() < passes; i++)
        {
            clock.advance(1_000_000_000L);
            scrubber.doWork();
        }
        assertEquals(passes, scrubber.passesCompleted(), "passes completed within 10,000 simulated seconds");
    }

    @Test
    void shouldFindAFlippedByteInTheFirstBatchOfTheOldestSegmentWithinOnePassAndCountItOnce() throws IOException
    {
        writeLog();
        flipByte(segmentFile(0), RecordBatchDescriptor.HEADER_LENGTH + 3); // inside the first record
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.log(TP);
            scrubUntil(manager.scrubber(), 1);

            assertEquals(1, manager.scrubber().corruptBatchesFound());
            assertEquals(1, heard.size());
            final CorruptBatch bad = heard.get(0);
            assertEquals(List.of(bad), log.corruptBatches());
            assertEquals(0, bad.firstOffset());
            assertEquals(2, bad.lastOffset(), "the first batch holds offsets 0..2");
            assertEquals(0, bad.position());
            assertEquals(segmentFile(0), bad.segmentFile());
            assertTrue(bad.reason().contains("CRC32C mismatch"), bad.reason());

            assertThrows(CorruptRecordException.class, () -> log.slice(0, Long.MAX_VALUE, 1 << 20));
            assertThrows(CorruptRecordException.class, () -> log.slice(2, Long.MAX_VALUE, 1 << 20));
            try (FileSlice after = log.slice(3, Long.MAX_VALUE, 1 << 20))
            {
                assertEquals(3, after.firstOffset(), "the batches after the bad one are served");
            }

            clock.advance(60_000_000_000L);
            scrubUntil(manager.scrubber(), 2);
            assertEquals(1, manager.scrubber().corruptBatchesFound(), "found again in the next pass: not a new finding");
            assertEquals(1, heard.size());
        }
    }

    @Test
    void shouldServeOnlyTheBatchesBeforeABadRangeToAReadStartingBelowIt() throws IOException
    {
        writeLog();
        final Path file = segmentFile(0);
        flipByte(file, batchPosition(file, 4) + RecordBatchDescriptor.HEADER_LENGTH + 3);
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.log(TP);
            scrubUntil(manager.scrubber(), 1);
            final CorruptBatch bad = log.corruptBatches().get(0);
            assertEquals(12, bad.firstOffset());
            assertEquals(14, bad.lastOffset());
            try (FileSlice before = log.slice(0, Long.MAX_VALUE, 1 << 20))
            {
                assertEquals(0, before.firstOffset());
                assertEquals(12, before.nextOffset(), "the slice ends before the bad batch");
            }
        }
    }

    @Test
    void shouldRefuseAndRecordACorruptBatchOnReadBeforeTheScrubberReachesIt() throws IOException
    {
        writeLog();
        final Path file = segmentFile(0);
        flipByte(file, batchPosition(file, 4) + RecordBatchDescriptor.HEADER_LENGTH + 3);
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.log(TP);
            try (FileSlice before = log.slice(0, Long.MAX_VALUE, 1 << 20))
            {
                assertEquals(12, before.nextOffset(), "the read stops before the bad batch");
            }
            assertEquals(1, manager.scrubber().corruptBatchesFound());
            assertEquals(1, heard.size());
            assertEquals(12, heard.get(0).firstOffset());
            assertEquals(14, heard.get(0).lastOffset());
            assertTrue(heard.get(0).reason().startsWith("found on read"), heard.get(0).reason());
            assertThrows(CorruptRecordException.class, () -> log.slice(12, Long.MAX_VALUE, 1 << 20));

            scrubUntil(manager.scrubber(), 1);
            assertEquals(1, manager.scrubber().corruptBatchesFound(), "the scrubber finds the same batch: not a new finding");
        }
    }

    @Test
    void shouldRefuseACorruptFirstBatchOnReadBeforeTheScrubberReachesIt() throws IOException
    {
        writeLog();
        flipByte(segmentFile(0), RecordBatchDescriptor.HEADER_LENGTH + 3);
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.log(TP);
            assertThrows(CorruptRecordException.class, () -> log.slice(0, Long.MAX_VALUE, 1 << 20));
            assertEquals(List.of(0L), log.corruptBatches().stream().map(CorruptBatch::firstOffset).toList());
            try (FileSlice after = log.slice(3, Long.MAX_VALUE, 1 << 20))
            {
                assertEquals(3, after.firstOffset());
            }
        }
    }

    @Test
    void shouldFindABatchWhoseLengthFieldIsDamagedAndRefuseTheRestOfItsSegment() throws IOException
    {
        writeLog();
        final Path file = segmentFile(0);
        flipByte(file, batchPosition(file, 2) + RecordBatchDescriptor.LENGTH_OFFSET); // a huge length
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.log(TP);
            scrubUntil(manager.scrubber(), 1);
            assertEquals(1, manager.scrubber().corruptBatchesFound());
            final CorruptBatch bad = log.corruptBatches().get(0);
            assertEquals(6, bad.firstOffset());
            assertEquals(3L * BATCHES_PER_SEGMENT - 1, bad.lastOffset(), "the rest of the segment cannot be walked");
            try (FileSlice next = log.slice(3L * BATCHES_PER_SEGMENT, Long.MAX_VALUE, 1 << 20))
            {
                assertEquals(3L * BATCHES_PER_SEGMENT, next.firstOffset(), "the next segment is served");
            }
        }
    }

    @Test
    void shouldForgetTheBadRangeWhenTruncatedAwayAndServeWhatIsAppendedAgain() throws IOException
    {
        writeLog();
        final Path file = segmentFile(0);
        flipByte(file, batchPosition(file, 1) + RecordBatchDescriptor.HEADER_LENGTH + 3);
        try (LogManager manager = open(1 << 20))
        {
            final Log log = manager.log(TP);
            scrubUntil(manager.scrubber(), 1);
            final CorruptBatch bad = log.corruptBatches().get(0);
            assertEquals(3, bad.firstOffset());

            assertEquals(3, log.truncateTo(bad.firstOffset()));
            assertEquals(List.of(), log.corruptBatches());
            Batches.append(log, 2_000, "again-a", "again-b", "again-c");
            assertEquals(List.of("value-0-0-a", "value-0-0-b", "value-0-0-c", "again-a", "again-b", "again-c"), Batches.values(log));
            try (FileSlice all = log.slice(0, Long.MAX_VALUE, 1 << 20))
            {
                assertEquals(0, all.firstOffset());
            }
        }
    }

    @Test
    void shouldFindNothingInACleanLogAndReadEverySealedByte() throws IOException
    {
        writeLog();
        long sealedBytes = 0;
        for (int s = 0; s < SEGMENTS; s++)
        {
            sealedBytes += Files.size(segmentFile((long)s * BATCHES_PER_SEGMENT * 3));
        }
        try (LogManager manager = open(1 << 20))
        {
            scrubUntil(manager.scrubber(), 1);
            assertEquals(0, manager.scrubber().corruptBatchesFound());
            assertEquals(List.of(), heard);
            assertEquals(List.of(), manager.log(TP).corruptBatches());
            assertEquals(sealedBytes, manager.scrubber().bytesVerified(), "every sealed segment read, the active one not");
        }
    }

    @Test
    void shouldReadNoFasterThanTheRateOverTheInjectedClock()
    {
        writeLog();
        final long rate = 500;
        try (LogManager manager = open(rate))
        {
            final LogScrubber scrubber = manager.scrubber();
            assertEquals(0, scrubber.doWork(), "no time has passed: nothing may be read");
            final int maxBatch = 200;
            long elapsedMs = 0;
            for (int i = 0; i < 50; i++)
            {
                clock.advance(100_000_000L);
                elapsedMs += 100;
                scrubber.doWork();
                assertTrue(scrubber.bytesVerified() <= rate * elapsedMs / 1000 + maxBatch,
                    scrubber.bytesVerified() + " bytes read in " + elapsedMs + " ms at " + rate + " bytes/s");
            }
            assertTrue(scrubber.bytesVerified() >= rate * elapsedMs / 1000 - maxBatch,
                "the scrubber keeps up with its rate: " + scrubber.bytesVerified() + " bytes in " + elapsedMs + " ms");
            assertEquals(0, scrubber.passesCompleted(), "5 s at 500 bytes/s cannot cover the sealed segments");
        }
    }

    @Test
    void shouldSkipASegmentDeletedByRetentionMidPass() throws IOException
    {
        writeLog();
        final Path dir = tmp.resolve(TP.dirName());
        try (LogManager manager = open(500))
        {
            final Log log = manager.log(TP);
            final LogScrubber scrubber = manager.scrubber();
            clock.advance(1_000_000_000L);
            scrubber.doWork();
            assertTrue(scrubber.bytesVerified() > 0 && scrubber.bytesVerified() < Files.size(segmentFile(0)),
                "the pass is inside the oldest segment");

            log.deleteRecordsBefore(3L * BATCHES_PER_SEGMENT + 1); // drops the oldest segment
            try (Stream<Path> files = Files.list(dir))
            {
                assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(Segment.DELETED_SUFFIX)),
                    "the scrubber holds no reference between steps: the deleted segment is gone at once");
            }
            for (int i = 0; i < 10_000 && scrubber.passesCompleted() == 0; i++)
            {
                clock.advance(1_000_000_000L);
                scrubber.doWork();
            }
            assertEquals(1, scrubber.passesCompleted());
            assertEquals(0, scrubber.corruptBatchesFound());
        }
    }
}
