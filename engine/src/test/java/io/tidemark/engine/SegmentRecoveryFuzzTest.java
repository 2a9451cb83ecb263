package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.storage.CrashSimulatingStorage;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Coverage-guided fuzzing of segment recovery and the index loader (RELIABILITY §6): a log directory
 * holding a segment made of whole batches followed by fuzzed bytes, and a fuzzed offset index, is opened
 * after a crash or after a clean shutdown.
 *
 * <p>The input, in order: a flags byte (bit 0 clean shutdown, bit 1 an index file is present, bits 2-3 how
 * many whole batches start the segment), then, if an index is present, a length byte and that many index
 * bytes, then the bytes appended to the segment after the whole batches.
 *
 * <p>Contract: opening either fails with {@link CorruptRecordException} or {@link StorageException}, or
 * gives a log that (after a crash) still holds the whole batches it was given and serves only batches
 * that pass their CRC; every log that opens takes the next append at its log end offset and closes.
 */
class SegmentRecoveryFuzzTest
{
    private static final TopicPartition TP = new TopicPartition("fz", 0);
    private static final Path DIR = Path.of("/sim").resolve(TP.dirName());
    private static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(64 * 1024)
        .preallocateBytes(4096)
        .indexIntervalBytes(64)
        .segmentIndexBytes(1024)
        .retentionMs(-1)
        .build();
    private static final int MAX_BATCH_BYTES = 1024 * 1024;

    @FuzzTest(maxDuration = FuzzDurations.TARGET)
    void shouldRecoverOrRejectAnySegment(final byte[] input) throws IOException
    {
        if (input.length == 0)
        {
            return;
        }
        final int flags = input[0] & 0xff;
        final boolean clean = (flags & 1) != 0;
        final boolean withIndex = (flags & 2) != 0;
        final int wholeBatches = (flags >> 2) & 3;
        int at = 1;
        byte[] index = null;
        if (withIndex && at < input.length)
        {
            final int length = Math.min(input[at++] & 0xff, input.length - at);
            index = Arrays.copyOfRange(input, at, at + length);
            at += length;
        }
        final byte[] tail = Arrays.copyOfRange(input, at, input.length);

        final byte[] prefix = wholeBatches(wholeBatches);
        final byte[] segment = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, segment, prefix.length, tail.length);

        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        CheckpointFuzzTest.writeFile(storage, DIR.resolve(Segment.fileName(0, Segment.LOG_SUFFIX)), segment);
        if (index != null)
        {
            CheckpointFuzzTest.writeFile(storage, DIR.resolve(Segment.fileName(0, Segment.INDEX_SUFFIX)), index);
        }
        if (clean)
        {
            CheckpointFuzzTest.writeFile(storage, DIR.resolve(LogManager.CLEAN_SHUTDOWN_FILE), new byte[0]);
        }
        else
        {
            CheckpointFuzzTest.writeFile(storage, DIR.resolve(LogManager.RECOVERY_POINT_CHECKPOINT),
                ("0\n1\n" + TP.topic() + " " + TP.partition() + " 0\n").getBytes(StandardCharsets.UTF_8));
        }

        final Log log;
        try
        {
            log = Log.options(DIR).config(CONFIG).storage(storage).writerMode(WriterMode.INVOKER).open();
        }
        catch (final CorruptRecordException | StorageException expected)
        {
            return;
        }
        try (log)
        {
            final long end = log.logEndOffset();
            assertTrue(log.logStartOffset() >= 0 && log.logStartOffset() <= end, "start " + log.logStartOffset() + " end " + end);
            if (!clean)
            {
                assertTrue(end >= wholeBatches * (long)VALUES.length, "whole batches survive recovery: end " + end);
            }
            long served = 0;
            try (LogCursor cursor = log.cursor().seek(log.logStartOffset()))
            {
                while (cursor.nextBatch())
                {
                    final RecordBatchFlyweight batch = cursor.batch();
                    if (!clean)
                    {
                        assertEquals(RecordBatchFlyweight.VALID, batch.validate(batch.sizeInBytes(), MAX_BATCH_BYTES, false),
                            "a recovered log serves only whole batches, at offset " + batch.baseOffset());
                    }
                    served++;
                }
            }
            if (!clean)
            {
                assertTrue(served >= wholeBatches, "served " + served + " batches of " + wholeBatches);
            }
            final AppendResult next = Batches.append(log, 1_000, "next");
            assertEquals(end, next.baseOffset(), "the next append lands at the recovered end");
        }
    }

    private static final String[] VALUES = {"alpha", "beta", "gamma"};

    private static byte[] wholeBatches(final int count)
    {
        final byte[][] batches = new byte[count][];
        int total = 0;
        for (int i = 0; i < count; i++)
        {
            final UnsafeBuffer b = Batches.batch(100 + i, VALUES);
            final RecordBatchFlyweight flyweight = new RecordBatchFlyweight().wrap(b, 0);
            flyweight.baseOffset((long)i * VALUES.length);
            flyweight.updateCrc();
            batches[i] = new byte[b.capacity()];
            b.getBytes(0, batches[i]);
            total += batches[i].length;
        }
        final byte[] out = new byte[total];
        int at = 0;
        for (final byte[] b : batches)
        {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }
}
