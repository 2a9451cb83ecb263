package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.testkit.Seeds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operations on a log checked against a list model: append, read (cursor and file slice),
 * time lookup, truncation, deletion, retention, roll and reopen.
 */
class LogModelTest
{
    @TempDir
    Path tmp;

    private record Rec(long offset, long timestamp, String value)
    {
    }

    private final List<Rec> model = new ArrayList<>();
    private final List<long[]> batches = new ArrayList<>();
    private long start;
    private long end;

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 4, 5, 6 })
    void shouldMatchTheModelUnderRandomOperations(final int run)
    {
        final long seed = Seeds.seed("LogModelTest#" + run);
        final Random random = new Random(seed);
        final LogConfig config = LogConfig.builder()
            .segmentBytes(2048 + random.nextInt(8192))
            .indexIntervalBytes(random.nextInt(300))
            .segmentIndexBytes(24 + random.nextInt(400))
            .retentionMs(-1)
            .build();
        final WriterMode mode = random.nextBoolean() ? WriterMode.INVOKER : WriterMode.THREAD;
        final Path dir = tmp.resolve("model-0");
        Log log = Log.options(dir).config(config).writerMode(mode).open();
        try
        {
            long timestamp = 1_000_000;
            for (int step = 0; step < 600; step++)
            {
                final int op = random.nextInt(100);
                if (op < 55)
                {
                    final int n = 1 + random.nextInt(5);
                    final String[] values = new String[n];
                    for (int i = 0; i < n; i++)
                    {
                        values[i] = "v" + step + "-" + i + "-" + "x".repeat(random.nextInt(200));
                    }
                    timestamp += random.nextInt(50) - 10;
                    final AppendResult r = Batches.append(log, timestamp, values);
                    assertEquals(AppendResult.OK, r.status(), r.toString());
                    assertEquals(end, r.baseOffset(), "seed " + seed);
                    for (int i = 0; i < n; i++)
                    {
                        model.add(new Rec(end + i, timestamp + i, values[i]));
                    }
                    batches.add(new long[] { end, end + n - 1 });
                    end += n;
                }
                else if (op < 70)
                {
                    checkRead(log, start + (end == start ? 0 : random.nextLong(end - start + 1)), seed);
                }
                else if (op < 78)
                {
                    checkSlice(log, random, seed);
                }
                else if (op < 84)
                {
                    checkTimeLookup(log, random, seed);
                }
                else if (op < 88)
                {
                    final long target = start + (end == start ? 0 : random.nextLong(end - start + 1));
                    final long newEnd = log.truncateTo(target);
                    truncateModel(target);
                    assertEquals(end, newEnd, "seed " + seed);
                    assertEquals(end, log.logEndOffset());
                }
                else if (op < 91)
                {
                    final long target = start + (end == start ? 0 : random.nextLong(end - start + 1));
                    assertEquals(target, log.deleteRecordsBefore(target));
                    start = target;
                    model.removeIf(rec -> rec.offset() < start);
                }
                else if (op < 93)
                {
                    log.updateConfig(log.config().toBuilder().retentionBytes(random.nextInt(20_000)).build());
                    final long sizeBefore = log.sizeInBytes();
                    log.applyRetention();
                    assertTrue(log.logStartOffset() >= start);
                    start = log.logStartOffset();
                    model.removeIf(rec -> rec.offset() < start);
                    assertTrue(log.sizeInBytes() <= sizeBefore);
                    log.updateConfig(log.config().toBuilder().retentionBytes(-1).build());
                }
                else if (op < 96)
                {
                    log.roll();
                }
                else
                {
                    log.close();
                    log = Log.options(dir).config(config).writerMode(mode).open();
                    assertTrue(log.recoveryReport().cleanShutdown());
                }
                assertEquals(end, log.logEndOffset(), "seed " + seed);
                assertEquals(start, log.logStartOffset(), "seed " + seed);
            }
            checkRead(log, start, seed);
        }
        finally
        {
            log.close();
        }
        // and once more after a clean reopen
        try (Log reopened = Log.options(dir).config(config).writerMode(mode).open())
        {
            checkRead(reopened, start, seed);
        }
    }

    /**
     * truncateTo semantics: keep whole batches below the batch holding the target; if that batch
     * starts below the log start, the log empties at the log start; a target at or below the log
     * start restarts the log there.
     */
    private void truncateModel(final long target)
    {
        if (target >= end)
        {
            return;
        }
        long newEnd = end;
        for (final long[] b : batches)
        {
            if (b[1] >= target && b[0] < newEnd)
            {
                newEnd = Math.min(newEnd, b[0]);
            }
        }
        if (target <= start)
        {
            newEnd = target;
            start = target;
        }
        else if (newEnd < start)
        {
            newEnd = start;
        }
        final long cut = newEnd;
        model.removeIf(r -> r.offset() >= cut);
        // a batch reaching the cut is gone: normally the cut is at its start, but when the log
        // restarts empty at the log start a batch straddling that offset goes too
        batches.removeIf(b -> b[1] >= cut);
        end = cut;
    }

    private void checkRead(final Log log, final long from, final long seed)
    {
        final List<Batches.Entry> read = Batches.readFrom(log, from);
        final List<Rec> expected = model.stream().filter(r -> r.offset() >= from).toList();
        assertEquals(expected.size(), read.size(), "records read from " + from + ", seed " + seed);
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i).offset(), read.get(i).offset(), "seed " + seed);
            assertEquals(expected.get(i).value(), read.get(i).value(), "seed " + seed);
            assertEquals(expected.get(i).timestamp(), read.get(i).timestamp(), "seed " + seed);
        }
    }

    private void checkSlice(final Log log, final Random random, final long seed)
    {
        if (end == start)
        {
            assertNull(log.slice(start, Long.MAX_VALUE, 1000));
            return;
        }
        final long from = start + random.nextLong(end - start);
        final long max = from + 1 + random.nextLong(end - from + 5);
        final int maxBytes = 1 + random.nextInt(3000);
        try (FileSlice slice = log.slice(from, max, maxBytes))
        {
            final long limit = Math.min(max, end);
            boolean anyBatchFits = false;
            for (final long[] b : batches)
            {
                if (b[1] >= from && b[0] < limit && b[1] < limit)
                {
                    anyBatchFits = true;
                    break;
                }
            }
            if (!anyBatchFits)
            {
                assertNull(slice, "seed " + seed);
                return;
            }
            assertNotNull(slice, "seed " + seed);
            final ByteBuffer bytes = ByteBuffer.allocate(slice.length());
            try
            {
                long p = slice.position();
                while (bytes.hasRemaining())
                {
                    final int n = slice.channel().read(bytes, p);
                    assertTrue(n > 0);
                    p += n;
                }
            }
            catch (final IOException ex)
            {
                throw new AssertionError(ex);
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes.array());
            final RecordBatchFlyweight batch = new RecordBatchFlyweight();
            int position = 0;
            int count = 0;
            long next = -1;
            while (position < slice.length())
            {
                batch.wrap(buffer, position);
                assertEquals(RecordBatchFlyweight.VALID, batch.validate(slice.length() - position, Integer.MAX_VALUE, false));
                if (count == 0)
                {
                    assertTrue(batch.baseOffset() <= from && batch.lastOffset() >= from, "first batch holds the start, seed " + seed);
                }
                else
                {
                    assertEquals(next, batch.baseOffset());
                }
                assertTrue(batch.lastOffset() < limit, "never past the bound, seed " + seed);
                next = batch.lastOffset() + 1;
                position += batch.sizeInBytes();
                count++;
            }
            assertEquals(slice.length(), position, "whole batches only");
            assertTrue(count == 1 || slice.length() <= maxBytes, "within maxBytes unless one batch, seed " + seed);
            assertEquals(next, slice.nextOffset());
        }
    }

    private void checkTimeLookup(final Log log, final Random random, final long seed)
    {
        if (model.isEmpty())
        {
            assertNull(log.offsetForTimestamp(0));
            return;
        }
        final long lo = model.get(0).timestamp() - 20;
        final long target = lo + random.nextInt((int)(model.get(model.size() - 1).timestamp() - lo + 40));
        final Rec expected = model.stream().filter(r -> r.timestamp() >= target).findFirst().orElse(null);
        final TimestampOffset found = log.offsetForTimestamp(target);
        if (expected == null)
        {
            assertNull(found, "seed " + seed);
        }
        else
        {
            assertNotNull(found, "target " + target + " seed " + seed);
            assertEquals(expected.offset(), found.offset(), "target " + target + " seed " + seed);
            assertEquals(expected.timestamp(), found.timestamp());
        }
        final TimestampOffset max = log.maxTimestamp();
        final long maxTs = model.stream().mapToLong(Rec::timestamp).max().orElse(-1);
        if (max != null)
        {
            assertTrue(max.timestamp() >= maxTs, "segments may keep the max of deleted records");
        }
        assertEquals(StandardCharsets.UTF_8, StandardCharsets.UTF_8);
    }
}
