package io.tidemark.replication.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Randomized fault schedules on a simulated 3-broker cluster with acks=all producers, the invariants
 * checked after every event, and at the end (faults healed) every acknowledged acks=all record present
 * and every replica identical below the high watermark.
 *
 * <p>Faults stay inside the contract of RELIABILITY §1: at most one broker may lose unsynced data
 * (power cut) until it is back in the ISR; kill -9 (page cache kept), pauses longer or shorter than the
 * session timeout, network cuts and message loss may happen any time; under the {@code batch} flush
 * policy every broker may lose power at once.
 */
@Tag(Tags.FAULT)
class RandomizedReplicationTest
{
    private static final TopicPartition TP = new TopicPartition("sim", 0);
    private static final String[] POLICIES = { "none", "batch", "messages:5", "interval:20" };

    @Test
    void shouldKeepTheContractUnderRandomFaults()
    {
        final int seeds = Integer.getInteger("sim.seeds", 24);
        final long base = Long.getLong("sim.base", 0);
        for (long seed = base; seed < base + seeds; seed++)
        {
            runOnce(seed);
        }
    }

    /**
     * Many more schedules (-Pslow).
     */
    @Test
    @Tag(Tags.SLOW)
    void shouldKeepTheContractUnderManyRandomFaultSchedules()
    {
        final int seeds = Integer.getInteger("sim.slowSeeds", 1000);
        for (long seed = 10_000; seed < 10_000 + seeds; seed++)
        {
            runOnce(seed);
        }
    }

    private void runOnce(final long seed)
    {
        final Random random = new Random(seed);
        final FlushPolicy policy = FlushPolicy.parse(POLICIES[(int)Math.floorMod(seed, (long)POLICIES.length)]);
        final SimCluster c = new SimCluster(seed, 3, policy);
        c.sim.runFor(500);
        c.controller.createTopic(TP.topic(), 1, (short)3, null, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"), false).join();
        assertTrue(c.awaitConverged(TP, 5_000), "seed " + seed + ": topic ready");
        final Invariants inv = new Invariants(c, TP);
        c.sim.afterEvent(inv::check);
        final Map<Integer, Long> restartAt = new HashMap<>();
        final Map<Integer, Long> resumeAt = new HashMap<>();
        final List<long[]> cutsUntil = new ArrayList<>();
        int tainted = -1;
        int produced = 0;
        final long end = c.sim.nowMs() + 25_000;
        long nextFault = c.sim.nowMs() + 500 + random.nextInt(1500);
        while (c.sim.nowMs() < end)
        {
            if (random.nextInt(3) > 0)
            {
                c.produce(TP, "s" + seed + "-" + produced++, random.nextInt(5) == 0 ? (short)1 : (short)-1);
            }
            c.sim.runFor(1 + random.nextInt(20));
            final long now = c.sim.nowMs();
            restartAt.entrySet().removeIf(e ->
            {
                if (e.getValue() <= now)
                {
                    c.brokers.get(e.getKey()).restart();
                    return true;
                }
                return false;
            });
            resumeAt.entrySet().removeIf(e ->
            {
                if (e.getValue() <= now)
                {
                    c.brokers.get(e.getKey()).resume();
                    return true;
                }
                return false;
            });
            if (!cutsUntil.isEmpty() && cutsUntil.stream().allMatch(cut -> cut[2] <= now))
            {
                cutsUntil.clear();
                c.heal();
            }
            if (tainted >= 0 && c.info(TP).isr().contains(tainted) && !restartAt.containsKey(tainted))
            {
                tainted = -1; // caught up again: another broker may now lose data
            }
            if (now < nextFault)
            {
                continue;
            }
            nextFault = now + 500 + random.nextInt(2500);
            final int victim = 1 + random.nextInt(3);
            final SimCluster.SimBroker b = c.brokers.get(victim);
            if (!b.running() || restartAt.containsKey(victim) || resumeAt.containsKey(victim))
            {
                continue;
            }
            switch (random.nextInt(6))
            {
                case 0 ->
                {
                    b.kill();
                    restartAt.put(victim, now + random.nextInt(3_000));
                }
                case 1 ->
                {
                    if (policy.kind() == FlushPolicy.Kind.BATCH && random.nextInt(3) == 0 && restartAt.isEmpty() && resumeAt.isEmpty())
                    {
                        for (final SimCluster.SimBroker all : c.brokers.values())
                        {
                            all.crash();
                            restartAt.put(all.id, now + random.nextInt(2_000));
                        }
                    }
                    else if (tainted < 0 || policy.kind() == FlushPolicy.Kind.BATCH)
                    {
                        b.crash();
                        tainted = victim;
                        restartAt.put(victim, now + random.nextInt(3_000));
                    }
                }
                case 2 ->
                {
                    b.pause();
                    resumeAt.put(victim, now + random.nextInt(2 * (int)SimCluster.SESSION_TIMEOUT_MS));
                }
                case 3 ->
                {
                    final int other = 1 + Math.floorMod(victim + random.nextInt(2), 3);
                    c.cut(victim, other == victim ? SimCluster.CONTROLLER : other);
                    cutsUntil.add(new long[] { victim, other, now + random.nextInt(3_000) });
                }
                case 4 ->
                {
                    c.dropRate = 0.05;
                    cutsUntil.add(new long[] { 0, 0, now + random.nextInt(2_000) });
                }
                default ->
                {
                    c.controller.electLeaders(true, Map.of());
                }
            }
        }
        // heal everything and let the cluster converge
        c.heal();
        for (final SimCluster.SimBroker b : c.brokers.values())
        {
            if (!b.running())
            {
                if (b.crashed)
                {
                    b.restart();
                }
                else
                {
                    b.resume();
                }
            }
        }
        assertTrue(c.sim.runUntil(() -> c.produced.stream().allMatch(o -> o.done), 30_000), "seed " + seed + ": produces finish");
        assertTrue(c.awaitConverged(TP, 60_000), () -> "seed " + seed + " (" + policy + "): converged after heal\n" +
            String.join("\n", c.trace.subList(Math.max(0, c.trace.size() - 30), c.trace.size())) + "\n" + c.info(TP) + "\n" +
            c.describe(TP));
        inv.checkFinal(true);
        final long acked = c.produced.stream().filter(o -> o.acked() && o.acks == -1).count();
        System.out.printf("[sim] seed=%d policy=%s produced=%d ackedAll=%d committed=%d events=%d%n", seed, policy,
            c.produced.size(), acked, inv.committed.size(), c.sim.executed());
        assertTrue(acked > 0, "seed " + seed + ": the workload made progress");
    }
}
