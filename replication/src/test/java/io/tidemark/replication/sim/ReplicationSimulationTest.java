package io.tidemark.replication.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.ReplicationError;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Deterministic, seeded simulations of a 3-broker cluster (see {@link SimCluster}) with the invariants
 * of {@link Invariants} checked after every event.
 */
@Tag(Tags.FAULT)
class ReplicationSimulationTest
{
    private static final TopicPartition TP = new TopicPartition("sim", 0);

    private static SimCluster cluster(final long seed, final FlushPolicy policy, final Map<String, String> topicConfigs)
    {
        final SimCluster c = new SimCluster(seed, 3, policy);
        c.sim.runFor(500);
        final Map<String, String> configs = new java.util.HashMap<>(Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
        configs.putAll(topicConfigs);
        c.controller.createTopic(TP.topic(), 1, (short)3, null, configs, false).join();
        assertTrue(c.awaitConverged(TP, 5_000), "topic ready");
        return c;
    }

    @Test
    void shouldReplicateAndCommitEveryAcknowledgedRecord()
    {
        final SimCluster c = cluster(1, FlushPolicy.BATCH, Map.of());
        final Invariants inv = new Invariants(c, TP);
        c.sim.afterEvent(inv::check);
        for (int i = 0; i < 100; i++)
        {
            c.produce(TP, "v" + i, (short)-1);
            c.sim.runFor(2);
        }
        assertTrue(c.sim.runUntil(() -> c.produced.stream().allMatch(o -> o.done), 10_000));
        assertTrue(c.produced.stream().allMatch(SimCluster.ProduceOutcome::acked),
            () -> "all acked: " + c.produced.stream().filter(o -> !o.acked()).map(o -> o.value + ":" + o.error).toList());
        assertTrue(c.awaitConverged(TP, 5_000));
        inv.checkFinal(true);
        assertEquals(100, inv.committed.size());
        assertEquals(Map.of(1, 100L, 2, 100L, 3, 100L), c.leos(TP));
    }

    @Test
    void shouldRefuseAcksAllWhenTwoReplicasAreDown()
    {
        final SimCluster c = cluster(2, FlushPolicy.NONE, Map.of());
        final Invariants inv = new Invariants(c, TP);
        c.sim.afterEvent(inv::check);
        final int leader = c.info(TP).leader();
        for (final SimCluster.SimBroker b : c.brokers.values())
        {
            if (b.id != leader)
            {
                b.crash();
            }
        }
        assertTrue(c.sim.runUntil(() -> c.info(TP).isr().size() == 1, 10_000), "followers fenced and out of the ISR");
        final SimCluster.ProduceOutcome refused = c.produce(TP, "refused", (short)-1);
        c.sim.runUntil(() -> refused.done, 5_000);
        assertEquals(ReplicationError.NOT_ENOUGH_REPLICAS, refused.error);
        final SimCluster.ProduceOutcome one = c.produce(TP, "acks1", (short)1);
        c.sim.runUntil(() -> one.done, 5_000);
        assertEquals(ReplicationError.NONE, one.error, "acks=1 still appends");
        c.sim.runFor(1_000);
        assertEquals(0, c.partitionOn(leader, TP).highWatermark(), "KIP-966: no HW advance below min.insync.replicas");
        assertTrue(inv.committed.isEmpty());
    }

    @Test
    void shouldElectTheFirstLiveIsrMemberWhenTheLeaderDies()
    {
        final SimCluster c = cluster(3, FlushPolicy.BATCH, Map.of());
        final Invariants inv = new Invariants(c, TP);
        c.sim.afterEvent(inv::check);
        for (int i = 0; i < 20; i++)
        {
            c.produce(TP, "a" + i, (short)-1);
        }
        c.sim.runUntil(() -> c.produced.stream().allMatch(o -> o.done), 5_000);
        final int oldLeader = c.info(TP).leader();
        final int oldEpoch = c.info(TP).leaderEpoch();
        c.brokers.get(oldLeader).crash();
        assertTrue(c.sim.runUntil(() -> c.info(TP).leader() != oldLeader && c.info(TP).leader() >= 0, 10_000));
        assertTrue(c.info(TP).leaderEpoch() > oldEpoch);
        final List<Integer> replicas = c.info(TP).replicas();
        int expected = -1;
        for (final int r : replicas)
        {
            if (r != oldLeader)
            {
                expected = r;
                break;
            }
        }
        assertEquals(expected, c.info(TP).leader(), "first live ISR member in replica order");
        for (int i = 0; i < 20; i++)
        {
            c.produce(TP, "b" + i, (short)-1);
        }
        c.sim.runUntil(() -> c.produced.stream().allMatch(o -> o.done), 10_000);
        c.brokers.get(oldLeader).restart();
        assertTrue(c.awaitConverged(TP, 20_000), "the old leader rejoins the ISR");
        inv.checkFinal(true);
    }
}
