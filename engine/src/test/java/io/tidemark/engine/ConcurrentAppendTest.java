package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Seeds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many producer threads on the lock-free ring: no offset lost, duplicated or reordered. Every producer
 * tags its values with (thread, sequence) and mixes blocking and asynchronous appends of one to three
 * records; afterwards the log must hold offsets 0..N-1 densely, every value exactly once at the
 * offset its acknowledgement named, and each producer's values in the order it appended them.
 */
@ExtendWith(NoLeakedThreads.class)
class ConcurrentAppendTest
{
    private static final int PRODUCERS = 8;
    private static final int APPENDS_PER_PRODUCER = 400;

    @TempDir
    Path tmp;

    /** A value as a producer appended it and the offset its acknowledgement gave it. */
    private record Sent(int producer, int sequence, String value, TopicPartition tp, long ackedOffset)
    {
    }

    @ParameterizedTest
    @ValueSource(strings = { "none", "batch" })
    void shouldKeepOffsetsDenseAndEveryProducersOrderUnderContention(final String policy) throws Exception
    {
        final long seed = Seeds.seed("ConcurrentAppendTest#single-" + policy);
        final TopicPartition tp = new TopicPartition("contended", 0);
        // few pending slots: producers run into back-pressure and retry
        try (Log log = Log.options(tmp.resolve(tp.dirName())).flushPolicy(FlushPolicy.parse(policy))
            .config(LogConfig.builder().segmentBytes(256 * 1024).preallocateBytes(64 * 1024).build())
            .maxPendingAppends(16).open())
        {
            final List<Sent> sent = produce(seed, ignored -> log);
            assertLogHolds(log, sent);
        }
    }

    @Test
    void shouldKeepEveryLogDenseWhenProducersShareTwoWritersAndSeveralLogs() throws Exception
    {
        final long seed = Seeds.seed("ConcurrentAppendTest#manager");
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < 6; p++)
        {
            tps.add(new TopicPartition("spread", p));
        }
        final LogManagerConfig config = LogManagerConfig.builder(tmp.resolve("d0"), tmp.resolve("d1"))
            .writerThreads(2)
            .maxPendingAppends(64)
            .defaultLogConfig(LogConfig.builder().segmentBytes(128 * 1024).preallocateBytes(32 * 1024).build())
            .build();
        try (LogManager manager = LogManager.open(config))
        {
            for (final TopicPartition tp : tps)
            {
                manager.getOrCreate(tp);
            }
            final List<Sent> sent = produce(seed, random -> manager.log(tps.get(random.nextInt(tps.size()))));
            for (final TopicPartition tp : tps)
            {
                final Log log = manager.log(tp);
                final List<Sent> toLog = sent.stream().filter(s -> s.tp().equals(tp)).toList();
                assertFalse(toLog.isEmpty(), tp + " got appends");
                assertLogHolds(log, toLog);
            }
        }
    }

    private interface LogPicker
    {
        Log pick(Random random);
    }

    /**
     * Runs the producers and returns what each sent, with the acknowledged offsets.
     */
    private static List<Sent> produce(final long seed, final LogPicker picker) throws Exception
    {
        final CountDownLatch start = new CountDownLatch(1);
        final List<List<Sent>> perProducer = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int producer = p;
            final List<Sent> mine = new ArrayList<>();
            perProducer.add(mine);
            threads.add(new Thread(() ->
            {
                try
                {
                    start.await();
                    runProducer(producer, new Random(seed + producer), picker, mine);
                }
                catch (final Throwable t)
                {
                    synchronized (failures)
                    {
                        failures.add(t);
                    }
                }
            }, "producer-" + p));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (final Thread t : threads)
        {
            t.join(TimeUnit.MINUTES.toMillis(2));
            assertFalse(t.isAlive(), t.getName() + " finished");
        }
        if (!failures.isEmpty())
        {
            final AssertionError error = new AssertionError("producers failed (seed " + seed + ")");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        final List<Sent> all = new ArrayList<>();
        perProducer.forEach(all::addAll);
        return all;
    }

    private static void runProducer(final int producer, final Random random, final LogPicker picker, final List<Sent> out)
        throws Exception
    {
        int sequence = 0;
        final List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
        final List<List<String>> pendingValues = new ArrayList<>();
        final List<TopicPartition> pendingTps = new ArrayList<>();
        for (int i = 0; i < APPENDS_PER_PRODUCER; i++)
        {
            final Log log = picker.pick(random);
            final int records = 1 + random.nextInt(3);
            final List<String> values = new ArrayList<>();
            for (int r = 0; r < records; r++)
            {
                values.add(producer + ":" + sequence++ + ":" + "z".repeat(random.nextInt(40)));
            }
            final UnsafeBuffer batch = Batches.batch(1000 + i, values.toArray(new String[0]));
            if (random.nextBoolean())
            {
                final AppendResult r = log.append(batch, 0, batch.capacity());
                assertEquals(AppendResult.OK, r.status(), r.toString());
                record(producer, values, log.topicPartition(), r, out);
            }
            else
            {
                pending.add(log.appendAsync(batch, 0, batch.capacity()));
                pendingValues.add(values);
                pendingTps.add(log.topicPartition());
            }
        }
        for (int i = 0; i < pending.size(); i++)
        {
            final AppendResult r = pending.get(i).get(1, TimeUnit.MINUTES);
            assertEquals(AppendResult.OK, r.status(), r.toString());
            record(producer, pendingValues.get(i), pendingTps.get(i), r, out);
        }
    }

    private static void record(final int producer, final List<String> values, final TopicPartition tp, final AppendResult r,
        final List<Sent> out)
    {
        assertEquals(values.size() - 1, r.lastOffset() - r.baseOffset(), "one offset per record");
        for (int i = 0; i < values.size(); i++)
        {
            final String v = values.get(i);
            out.add(new Sent(producer, Integer.parseInt(v.split(":")[1]), v, tp, r.baseOffset() + i));
        }
    }

    private static void assertLogHolds(final Log log, final List<Sent> sent)
    {
        final List<Batches.Entry> read = Batches.readAll(log);
        assertEquals(sent.size(), read.size(), "every appended record is in " + log.topicPartition() + ", once");
        assertEquals(sent.size(), log.logEndOffset());
        final Map<String, Long> offsetOfValue = new HashMap<>();
        for (int i = 0; i < read.size(); i++)
        {
            final Batches.Entry e = read.get(i);
            assertEquals(i, e.offset(), "offsets are dense");
            assertNull(offsetOfValue.put(e.value(), e.offset()), "value " + e.value() + " appears twice");
        }
        final Map<Integer, Long> lastOffsetOfProducer = new HashMap<>();
        final Map<Integer, Integer> lastSequenceOfProducer = new HashMap<>();
        for (final Sent s : sent)
        {
            final Long at = offsetOfValue.get(s.value());
            assertNotNull(at, "value " + s.value() + " was lost");
            assertEquals(s.ackedOffset(), at, "value " + s.value() + " sits at the offset its acknowledgement named");
        }
        final List<Sent> byOffset = new ArrayList<>(sent);
        byOffset.sort((a, b) -> Long.compare(a.ackedOffset(), b.ackedOffset()));
        for (final Sent s : byOffset)
        {
            final Integer previous = lastSequenceOfProducer.put(s.producer(), s.sequence());
            assertTrue(previous == null || previous < s.sequence(),
                "producer " + s.producer() + ": sequence " + s.sequence() + " after " + previous + " in offset order");
            lastOffsetOfProducer.put(s.producer(), s.ackedOffset());
        }
        assertEquals(PRODUCERS, lastOffsetOfProducer.size(), "every producer wrote to " + log.topicPartition());
    }
}
