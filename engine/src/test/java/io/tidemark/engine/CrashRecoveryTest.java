package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.testkit.Tags;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power cuts at seeded operation counts (in the middle of appends, forces, rolls, index writes,
 * checkpoint replacements) under every flush policy. After each cut the log is reopened from what
 * the crash-simulating storage kept and checked:
 * The default build runs {@code crash.seeds} (60) seeds per policy; the {@code slow} variant runs
 * 3000 more per policy ({@code -Pslow}; {@code -Dcrash.seeds=N} sets both counts, {@code -Dcrash.seed=S}
 * replays one seed in the default test).
 * <ul>
 *   <li>the recovered records are a prefix of what was appended (no holes, no garbage, no reordering);</li>
 *   <li>every offset below the highest durable offset observed before the cut survives;</li>
 *   <li>every append acknowledged as {@link Durability#SYNCED} survives;</li>
 *   <li>the loss of acknowledged records stays within the policy's bound.</li>
 * </ul>
 */
@Tag(Tags.FAULT)
class CrashRecoveryTest
{
    private static final Path LOG_DIR = Path.of("/sim/logs");
    private static final TopicPartition TP = new TopicPartition("crash", 0);
    private static final int SEEDS_PER_POLICY = Integer.getInteger("crash.seeds", 60);
    private static final int MAX_RECORDS_PER_BATCH = 4;

    private record Appended(long offset, long batchBase, String value, boolean acked, Durability durability, long ackNs)
    {
    }

    @ParameterizedTest
    @ValueSource(strings = { "none", "messages:5", "interval:20", "batch" })
    void shouldRecoverAPrefixAndKeepWhatThePolicyPromised(final String policyText)
    {
        final FlushPolicy policy = FlushPolicy.parse(policyText);
        final String only = System.getProperty("crash.seed");
        if (only != null)
        {
            runOnce(policy, Long.parseLong(only));
            return;
        }
        final long base = Long.getLong("crash.base", 0);
        for (int seed = 0; seed < SEEDS_PER_POLICY; seed++)
        {
            runOnce(policy, (base + seed) * 7919L + policyText.hashCode());
        }
    }

    /**
     * The long matrix: 3000 seeds per policy (or {@code -Dcrash.seeds}), none of them the default run's.
     */
    @ParameterizedTest
    @ValueSource(strings = { "none", "messages:5", "interval:20", "batch" })
    @Tag(Tags.SLOW)
    void shouldRecoverAPrefixAndKeepWhatThePolicyPromisedUnderThousandsOfSeeds(final String policyText)
    {
        final FlushPolicy policy = FlushPolicy.parse(policyText);
        final int seeds = Integer.getInteger("crash.seeds", 3000);
        final long base = Long.getLong("crash.base", 0) + 1_000_000;
        for (int seed = 0; seed < seeds; seed++)
        {
            runOnce(policy, (base + seed) * 7919L + policyText.hashCode());
        }
    }

    private static final boolean TRACE = Boolean.getBoolean("crash.trace");

    private static void trace(final String s)
    {
        if (TRACE)
        {
            System.out.println(s);
        }
    }

    private static LogManagerConfig config(final CrashSimulatingStorage storage, final FlushPolicy policy,
        final CachedNanoClock nanoClock, final CachedEpochClock epochClock)
    {
        return LogManagerConfig.builder(LOG_DIR)
            .storage(storage)
            .writerMode(WriterMode.INVOKER)
            .nanoClock(nanoClock)
            .epochClock(epochClock)
            .writerRingBytes(1 << 20)
            .defaultLogConfig(LogConfig.builder()
                .segmentBytes(4096)
                .indexIntervalBytes(200)
                .segmentIndexBytes(240)
                .preallocateBytes(4096)
                .flushPolicy(policy)
                .build())
            .build();
    }

    private void runOnce(final FlushPolicy policy, final long seed)
    {
        final Random random = new Random(seed);
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        if (TRACE)
        {
            storage.trace(System.out::println);
        }
        final CachedNanoClock nanoClock = new CachedNanoClock();
        nanoClock.update(1_000_000_000L);
        final CachedEpochClock epochClock = new CachedEpochClock();
        epochClock.update(1_700_000_000_000L);
        final List<Appended> appended = new ArrayList<>();
        long maxDurableSeen = 0;
        long uncertainFrom = Long.MAX_VALUE;
        long cutNs;
        final LogManager manager = LogManager.open(config(storage, policy, nanoClock, epochClock));
        try
        {
            final Log log = manager.getOrCreate(TP);
            storage.armCrash(1 + random.nextInt(400), seed);
            int step = 0;
            while (!storage.isCut() && step++ < 2000)
            {
                final int op = random.nextInt(100);
                if (op < 70)
                {
                    final int n = 1 + random.nextInt(MAX_RECORDS_PER_BATCH);
                    final String[] values = new String[n];
                    for (int i = 0; i < n; i++)
                    {
                        values[i] = "s" + seed + "-" + step + "-" + i + "-" + "p".repeat(random.nextInt(300));
                    }
                    final long base = log.logEndOffset();
                    final AppendResult r = Batches.append(log, epochClock.time(), values);
                    trace("append " + n + " at " + base + " -> " + r + " ops=" + storage.operationCount() + " segs=" +
                        java.util.Arrays.toString(log.segmentBaseOffsets()));
                    for (int i = 0; i < n; i++)
                    {
                        appended.add(new Appended(base + i, base, values[i], r.succeeded(), r.durability(), nanoClock.nanoTime()));
                    }
                    if (!r.succeeded())
                    {
                        assertTrue(storage.isCut(), "only the power cut fails an append here: " + r);
                        break;
                    }
                    assertEquals(base, r.baseOffset());
                }
                else if (op < 85)
                {
                    nanoClock.advance(TimeUnit.MILLISECONDS.toNanos(random.nextInt(15)));
                    epochClock.advance(5);
                    manager.doWork();
                }
                else if (op < 90)
                {
                    manager.checkpoint();
                    trace("checkpoint durable=" + log.durableOffset());
                }
                else if (op < 93)
                {
                    log.roll();
                    trace("roll -> durable=" + log.durableOffset());
                }
                else if (op < 95 && log.logEndOffset() > 0)
                {
                    final long target = random.nextLong(log.logEndOffset() + 1);
                    long expectedEnd = target;
                    for (final Appended a : appended)
                    {
                        if (a.offset() == target)
                        {
                            expectedEnd = a.batchBase();
                        }
                    }
                    // if the cut interrupts the truncation, offsets from expectedEnd on may or may not be gone
                    maxDurableSeen = Math.min(maxDurableSeen, expectedEnd);
                    uncertainFrom = expectedEnd;
                    final long newEnd = log.truncateTo(target);
                    trace("truncateTo " + target + " -> " + newEnd);
                    assertEquals(expectedEnd, newEnd, "seed " + seed);
                    appended.removeIf(a -> a.offset() >= newEnd);
                    uncertainFrom = Long.MAX_VALUE;
                }
                else
                {
                    log.flush();
                    trace("flush -> durable=" + log.durableOffset());
                }
                if (!storage.isCut())
                {
                    maxDurableSeen = Math.max(maxDurableSeen, log.durableOffset());
                }
            }
        }
        catch (final RuntimeException ex)
        {
            assertTrue(storage.isCut(), "seed " + seed + ": failure without a power cut: " + ex);
        }
        cutNs = nanoClock.nanoTime();
        trace("before cut (ops " + storage.operationCount() + "):\n" + storage.describe());
        final CrashSimulatingStorage after = storage.isCut() ? storage.afterCut() : storage.powerCut(seed);
        trace("after cut:\n" + after.describe());
        final LogManager reopenedManager;
        try
        {
            reopenedManager = LogManager.open(config(after, policy, nanoClock, epochClock));
        }
        catch (final CorruptRecordException ex)
        {
            throw new AssertionError("seed " + seed + " policy " + policy + ": recovery refused a crash image: " + ex, ex);
        }
        try (LogManager reopened = reopenedManager)
        {
            final Log log = reopened.log(TP);
            if (log == null)
            {
                assertEquals(0, maxDurableSeen, "seed " + seed + ": the log directory vanished with durable data");
                return;
            }
            final List<Batches.Entry> recovered = Batches.readAll(log);
            final String context = "seed " + seed + " policy " + policy + "\n" + log.recoveryReport();
            assertEquals(0, log.logStartOffset(), context);
            for (int i = 0; i < recovered.size(); i++)
            {
                assertTrue(i < appended.size(), "recovered more than appended: " + context);
                assertEquals(appended.get(i).offset(), recovered.get(i).offset(), context);
                assertEquals(appended.get(i).value(), recovered.get(i).value(), "offset " + i + ": " + context);
            }
            final long recoveredEnd = recovered.size();
            assertEquals(recoveredEnd, log.logEndOffset(), context);
            assertTrue(recoveredEnd >= maxDurableSeen,
                "lost durable offsets: recovered up to " + recoveredEnd + ", durable was " + maxDurableSeen + ": " + context);
            long lostAcked = 0;
            for (final Appended a : appended)
            {
                if (a.offset() >= recoveredEnd && a.acked() && a.offset() < uncertainFrom)
                {
                    lostAcked++;
                    assertNotEquals(Durability.SYNCED, a.durability(), "a synced append was lost: " + context);
                    if (policy.kind() == FlushPolicy.Kind.INTERVAL)
                    {
                        final long ageMs = TimeUnit.NANOSECONDS.toMillis(cutNs - a.ackNs());
                        assertTrue(ageMs <= policy.value() + 15,
                            "interval policy lost a record acknowledged " + ageMs + " ms before the cut: " + context);
                    }
                }
            }
            if (policy.kind() == FlushPolicy.Kind.MESSAGES)
            {
                assertTrue(lostAcked <= policy.value() - 1 + MAX_RECORDS_PER_BATCH,
                    "messages policy lost " + lostAcked + " acknowledged records: " + context);
            }
            if (policy.kind() == FlushPolicy.Kind.BATCH)
            {
                assertEquals(0, lostAcked, "batch policy lost acknowledged records: " + context);
            }
            // the recovered log takes appends again
            assertTrue(Batches.append(log, epochClock.time(), "after").succeeded(), context);
        }
    }
}
