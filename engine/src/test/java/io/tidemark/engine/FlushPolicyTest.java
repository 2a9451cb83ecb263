package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.Await;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each flush policy: the durability an append is acknowledged with, when the durable offset moves,
 * and the unsynced window at every step. Caller-driven writer and a manual monotonic clock, so every
 * step is deterministic; the last test runs {@code batch} on the writer thread.
 */
class FlushPolicyTest
{
    private static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(1 << 20)
        .preallocateBytes(64 * 1024)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;

    private final CachedNanoClock clock = new CachedNanoClock();

    @BeforeEach
    void setUp()
    {
        clock.update(TimeUnit.SECONDS.toNanos(1000));
    }

    private Log open(final FlushPolicy policy)
    {
        return Log.options(tmp.resolve("flush-0")).config(CONFIG).flushPolicy(policy)
            .writerMode(WriterMode.INVOKER).nanoClock(clock).open();
    }

    private void advanceMs(final long ms)
    {
        clock.advance(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** Appends and returns the batch size, checking the offsets assigned and the durability reached. */
    private static int append(final Log log, final Durability expected, final String... values)
    {
        final long base = log.logEndOffset();
        final UnsafeBuffer batch = Batches.batch(1000, values);
        final AppendResult r = log.append(batch, 0, batch.capacity());
        assertEquals(AppendResult.OK, r.status(), r.toString());
        assertEquals(base, r.baseOffset());
        assertEquals(base + values.length - 1, r.lastOffset());
        assertEquals(expected, r.durability(), "durability of the append at offset " + base);
        return batch.capacity();
    }

    private static void assertWindow(final Log log, final long records, final long bytes, final long ageMs)
    {
        assertEquals(new UnsyncedWindow(records, bytes, ageMs), log.unsyncedWindow());
    }

    @Test
    void shouldAcknowledgeSyncedAfterEveryAppendUnderBatch()
    {
        try (Log log = open(FlushPolicy.BATCH))
        {
            assertWindow(log, 0, 0, 0);
            append(log, Durability.SYNCED, "a", "b");
            assertEquals(2, log.durableOffset());
            assertWindow(log, 0, 0, 0);
            advanceMs(5);
            append(log, Durability.SYNCED, "c");
            assertEquals(3, log.durableOffset());
            assertEquals(log.logEndOffset(), log.durableOffset());
            assertWindow(log, 0, 0, 0);
        }
    }

    @Test
    void shouldAcknowledgeWrittenUnderNoneAndSyncOnlyOnRollFlushAndClose()
    {
        final Path dir = tmp.resolve("flush-0");
        try (Log log = open(FlushPolicy.NONE))
        {
            final int a = append(log, Durability.WRITTEN, "a", "b");
            assertEquals(0, log.durableOffset());
            assertWindow(log, 2, a, 0);
            advanceMs(7);
            assertWindow(log, 2, a, 7);
            final int b = append(log, Durability.WRITTEN, "c");
            assertWindow(log, 3, a + b, 7);
            advanceMs(10_000);
            log.writer().doWork();
            assertEquals(0, log.durableOffset(), "time alone never syncs under none");
            assertWindow(log, 3, a + b, 10_007);

            log.roll();
            assertEquals(3, log.durableOffset(), "a roll syncs the rolled segment");
            assertWindow(log, 0, 0, 0);

            final int c = append(log, Durability.WRITTEN, "d");
            assertEquals(3, log.durableOffset());
            assertWindow(log, 1, c, 0);
            assertEquals(4, log.flush());
            assertEquals(4, log.durableOffset());
            assertWindow(log, 0, 0, 0);

            append(log, Durability.WRITTEN, "e");
            assertEquals(4, log.durableOffset());
        }
        try (Log log = Log.options(dir).config(CONFIG).writerMode(WriterMode.INVOKER).nanoClock(clock).open())
        {
            assertTrue(log.recoveryReport().cleanShutdown());
            assertEquals(5, log.logEndOffset());
            assertEquals(5, log.durableOffset(), "close synced everything");
        }
    }

    @Test
    void shouldSyncOnceNRecordsAreUnsyncedUnderMessages()
    {
        try (Log log = open(FlushPolicy.messages(5)))
        {
            long bytes = 0;
            for (int i = 0; i < 4; i++)
            {
                bytes += append(log, Durability.WRITTEN, "m" + i);
                assertEquals(0, log.durableOffset());
                assertWindow(log, i + 1, bytes, 0);
            }
            append(log, Durability.SYNCED, "m4");
            assertEquals(5, log.durableOffset(), "the fifth unsynced record triggers the sync");
            assertWindow(log, 0, 0, 0);

            final int three = append(log, Durability.WRITTEN, "x", "y", "z");
            assertWindow(log, 3, three, 0);
            append(log, Durability.SYNCED, "p", "q", "r");
            assertEquals(11, log.durableOffset(), "six unsynced records >= 5");
            assertWindow(log, 0, 0, 0);
        }
    }

    @Test
    void shouldSyncOnceTheOldestUnsyncedRecordIsTMillisecondsOldUnderInterval()
    {
        try (Log log = open(FlushPolicy.interval(100)))
        {
            final int a = append(log, Durability.WRITTEN, "a");
            advanceMs(60);
            final int b = append(log, Durability.WRITTEN, "b");
            assertWindow(log, 2, a + b, 60);
            advanceMs(39);
            assertEquals(0, log.writer().doWork(), "99 ms: not yet");
            assertEquals(0, log.durableOffset());
            assertWindow(log, 2, a + b, 99);

            advanceMs(1);
            assertEquals(1, log.writer().doWork(), "100 ms: the writer's timer syncs without any new append");
            assertEquals(2, log.durableOffset());
            assertWindow(log, 0, 0, 0);
            assertEquals(0, log.writer().doWork(), "nothing left to sync");

            append(log, Durability.WRITTEN, "c");
            advanceMs(100);
            append(log, Durability.SYNCED, "d");
            assertEquals(4, log.durableOffset(), "an append after the interval syncs everything before it is acknowledged");
            assertWindow(log, 0, 0, 0);
        }
    }

    @Test
    void shouldApplyAPolicySwitchedAtRuntime()
    {
        try (Log log = open(FlushPolicy.NONE))
        {
            append(log, Durability.WRITTEN, "a", "b");
            log.flushPolicy(FlushPolicy.BATCH);
            assertEquals(FlushPolicy.BATCH, log.config().flushPolicy());
            append(log, Durability.SYNCED, "c");
            assertEquals(3, log.durableOffset(), "the sync covers what was written under the old policy");

            log.flushPolicy(FlushPolicy.NONE);
            final int d = append(log, Durability.WRITTEN, "d");
            advanceMs(80);
            log.writer().doWork();
            assertEquals(3, log.durableOffset());

            log.flushPolicy(FlushPolicy.interval(50));
            assertWindow(log, 1, d, 80);
            assertEquals(1, log.writer().doWork(), "the record is already older than the new interval");
            assertEquals(4, log.durableOffset());

            log.flushPolicy(FlushPolicy.messages(2));
            append(log, Durability.WRITTEN, "e");
            append(log, Durability.SYNCED, "f");
            assertEquals(6, log.durableOffset());
            assertWindow(log, 0, 0, 0);
        }
    }

    @Test
    void shouldCoverEveryAppendOfAGroupCommitWithOneSyncUnderBatch()
    {
        try (Log log = open(FlushPolicy.BATCH))
        {
            final List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                final UnsafeBuffer batch = Batches.batch(1000, "g" + i);
                futures.add(log.appendAsync(batch, 0, batch.capacity()));
            }
            assertFalse(futures.get(0).isDone(), "caller-driven: nothing happens before the writer runs");
            log.writer().doWork();
            for (int i = 0; i < futures.size(); i++)
            {
                final AppendResult r = futures.get(i).getNow(null);
                assertNotNull(r, "append " + i + " completed in one drain");
                assertEquals(i, r.baseOffset());
                assertEquals(Durability.SYNCED, r.durability());
            }
            assertEquals(5, log.durableOffset());
        }
    }

    @Test
    void shouldReportNothingUnsyncedAsSoonAsARollReturnsOnTheWriterThread()
    {
        try (Log log = Log.options(tmp.resolve("threaded-0")).config(CONFIG).open())
        {
            for (int i = 0; i < 100; i++)
            {
                append(log, Durability.WRITTEN, "r" + i);
                log.roll();
                assertEquals(log.logEndOffset(), log.durableOffset());
                assertEquals(0, log.unsyncedWindow().records(), "roll " + i + " synced everything");
                assertEquals(0, log.unsyncedWindow().bytes(), "roll " + i + " synced everything");
            }
        }
    }

    @Test
    void shouldSyncFromTheWriterThreadsTimerUnderInterval()
    {
        try (Log log = Log.options(tmp.resolve("threaded-0")).config(CONFIG).flushPolicy(FlushPolicy.interval(50)).open())
        {
            final long startNs = System.nanoTime();
            append(log, Durability.WRITTEN, "a", "b");
            // the idle writer parks until the flush deadline, not its usual 100 ms, and syncs without another append
            Await.await(() -> "durable offset " + log.durableOffset() + ", window " + log.unsyncedWindow(), Duration.ofSeconds(5),
                () -> log.durableOffset() == 2);
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(50), "not before the interval");
            assertWindow(log, 0, 0, 0);
        }
    }

    @Test
    void shouldAcknowledgeSyncedFromTheWriterThreadUnderBatch() throws Exception
    {
        final int threads = 4;
        final int perThread = 50;
        try (Log log = Log.options(tmp.resolve("threaded-0")).config(CONFIG).flushPolicy(FlushPolicy.BATCH).open())
        {
            final List<Thread> producers = new ArrayList<>();
            final List<AssertionError> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int id = t;
                producers.add(new Thread(() ->
                {
                    try
                    {
                        for (int i = 0; i < perThread; i++)
                        {
                            final AppendResult r = Batches.append(log, 1000, "t" + id + "-" + i);
                            assertEquals(AppendResult.OK, r.status(), r.toString());
                            assertEquals(Durability.SYNCED, r.durability());
                            assertTrue(log.durableOffset() > r.lastOffset(), "the durable offset covers an acknowledged append");
                        }
                    }
                    catch (final AssertionError e)
                    {
                        synchronized (failures)
                        {
                            failures.add(e);
                        }
                    }
                }, "producer-" + t));
            }
            producers.forEach(Thread::start);
            for (final Thread p : producers)
            {
                p.join();
            }
            assertEquals(List.of(), failures);
            assertEquals(threads * perThread, log.logEndOffset());
            assertEquals(log.logEndOffset(), log.durableOffset());
            assertWindow(log, 0, 0, 0);
        }
    }
}
