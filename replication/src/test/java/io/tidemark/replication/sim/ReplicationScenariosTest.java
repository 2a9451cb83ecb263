package io.tidemark.replication.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.ReplicaFetchRequest;
import io.tidemark.replication.ReplicationError;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scripted scenarios of RELIABILITY §5, each deterministic (seeded) with the invariants checked
 * after every event: KIP-101 both parts, KIP-279, KIP-966, KIP-903, the zombie leader, unclean
 * election convergence.
 */
@Tag(Tags.FAULT)
class ReplicationScenariosTest
{
    private static final TopicPartition TP = new TopicPartition("sim", 0);

    private SimCluster c;
    private Invariants inv;

    private void start(final long seed, final FlushPolicy policy, final Map<String, String> topicConfigs)
    {
        c = new SimCluster(seed, 3, policy);
        c.sim.runFor(500);
        final Map<String, String> configs = new HashMap<>(Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
        configs.putAll(topicConfigs);
        c.controller.createTopic(TP.topic(), 1, (short)3, null, configs, false).join();
        assertTrue(c.awaitConverged(TP, 5_000), "topic ready");
        inv = new Invariants(c, TP);
        c.sim.afterEvent(inv::check);
    }

    private void produceAll(final String prefix, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            c.produce(TP, prefix + i, (short)-1);
            c.sim.runFor(1);
        }
        assertTrue(c.sim.runUntil(() -> c.produced.stream().allMatch(o -> o.done), 20_000), "produces finish");
    }

    private int leader()
    {
        return c.info(TP).leader();
    }

    private List<Integer> followers()
    {
        final int l = leader();
        return c.info(TP).replicas().stream().filter(r -> r != l).toList();
    }

    private void healAndConverge()
    {
        c.heal();
        for (final SimCluster.SimBroker b : c.brokers.values())
        {
            if (b.crashed)
            {
                b.restart();
            }
            else if (b.owner.paused)
            {
                b.resume();
            }
        }
        assertTrue(c.awaitConverged(TP, 60_000), () -> "converged after heal; seed " + c.seed + "\n" + String.join("\n", c.trace));
    }

    /**
     * KIP-101 part 1: a follower that restarts before learning the high watermark must not lose an
     * acks=all record when it then becomes leader (it must not truncate to its stale HW).
     */
    @ParameterizedTest
    @ValueSource(strings = { "batch", "none" })
    void kip101FollowerRestartThenLeaderLoss(final String policy)
    {
        start(101, FlushPolicy.parse(policy), Map.of());
        produceAll("m", 5);
        final int oldLeader = leader();
        final int follower = followers().get(0);
        c.brokers.get(follower).kill();
        c.brokers.get(follower).restart();
        c.sim.runFor(50);
        c.brokers.get(oldLeader).crash();
        assertTrue(c.sim.runUntil(() -> leader() >= 0 && leader() != oldLeader, 10_000), "a new leader");
        produceAll("n", 5);
        healAndConverge();
        inv.checkFinal(true);
    }

    /**
     * KIP-101 part 2: two replicas lose unsynced tails (power cuts); their logs must converge and no
     * offset ever carries two committed values.
     */
    @ParameterizedTest
    @ValueSource(longs = { 1021, 1022, 1023 })
    void kip101TwoReplicasLoseTheirTails(final long seed)
    {
        start(seed, FlushPolicy.NONE, Map.of());
        produceAll("a", 10);
        final int oldLeader = leader();
        final int follower = followers().get(0);
        // the leader appends more (acks=1) that the follower may or may not get before both lose power
        for (int i = 0; i < 5; i++)
        {
            c.produce(TP, "b" + i, (short)1);
        }
        c.sim.runFor(3);
        c.brokers.get(oldLeader).crash();
        c.brokers.get(follower).crash();
        c.sim.runFor(3_000);
        c.brokers.get(follower).restart();
        c.brokers.get(oldLeader).restart();
        produceAll("c", 5);
        healAndConverge();
        // acks=1 records may be lost; acks=all ones were on the third replica, which never lost power
        inv.checkFinal(true);
    }

    /**
     * KIP-279: three leader changes in quick succession; followers truncate to the end of the last
     * common epoch, never to a stale HW, and logs converge.
     */
    @ParameterizedTest
    @ValueSource(longs = { 2791, 2792, 2793 })
    void kip279FastLeaderChanges(final long seed)
    {
        start(seed, FlushPolicy.BATCH, Map.of());
        produceAll("x", 5);
        for (int round = 0; round < 3; round++)
        {
            final int l = leader();
            for (int i = 0; i < 3; i++)
            {
                c.produce(TP, "r" + round + "-" + i, (short)1);
            }
            c.sim.runFor(2);
            c.brokers.get(l).kill();
            final int before = c.info(TP).leaderEpoch();
            assertTrue(c.sim.runUntil(() -> c.info(TP).leaderEpoch() > before && leader() >= 0, 10_000), "new leader " + round);
            c.brokers.get(l).restart();
            c.sim.runFor(100);
        }
        produceAll("z", 5);
        healAndConverge();
        inv.checkFinal(true);
    }

    /**
     * KIP-966: the last replica standing loses its tail. The HW must not advance while the ISR is
     * below min.insync.replicas, so nothing beyond what was committed with enough replicas is exposed.
     */
    @ParameterizedTest
    @ValueSource(longs = { 9661, 9662 })
    void kip966LastReplicaStandingLosesItsTail(final long seed)
    {
        start(seed, FlushPolicy.NONE, Map.of());
        produceAll("ok", 5);
        final long committedBefore = inv.committed.size();
        final int l = leader();
        // the followers stop (kill -9: they keep their data) and are fenced out of the ISR
        for (final int f : followers())
        {
            c.brokers.get(f).kill();
        }
        assertTrue(c.sim.runUntil(() -> c.info(TP).isr().equals(List.of(l)), 10_000), "ISR shrinks to the leader");
        for (int i = 0; i < 5; i++)
        {
            c.produce(TP, "one" + i, (short)1);
        }
        c.sim.runFor(1_000);
        final Partition p = c.partitionOn(l, TP);
        assertEquals(committedBefore, p.highWatermark(), "no HW advance with ISR below min.insync.replicas");
        assertEquals(committedBefore, inv.committed.size(), "nothing more exposed to consumers");
        // the last replica standing loses its unsynced tail: only one replica lost data, so every
        // committed record must survive (the eligible replicas hold them)
        c.brokers.get(l).crash();
        c.sim.runFor(2_000);
        healAndConverge();
        inv.checkFinal(true);
    }

    /**
     * KIP-903: a broker whose disk was wiped must not rejoin the ISR through a fetch its previous
     * incarnation sent (a stale fetch claiming a high log end offset).
     */
    @ParameterizedTest
    @ValueSource(longs = { 9031 })
    void kip903WipedBrokerCannotRejoinThroughAStaleFetch(final long seed)
    {
        start(seed, FlushPolicy.NONE, Map.of());
        produceAll("w", 10);
        final int l = leader();
        final int victim = followers().get(0);
        final SimCluster.SimBroker v = c.brokers.get(victim);
        final long oldEpoch = v.brokerEpoch;
        final long leo = c.partitionOn(victim, TP).log().logEndOffset();
        v.crash();
        v.wipe();
        c.cut(victim, l);
        v.restart();
        assertTrue(c.sim.runUntil(() -> v.brokerEpoch > oldEpoch && !c.info(TP).isr().contains(victim), 10_000),
            "the new incarnation registered and left the ISR");
        // a fetch sent by the old incarnation arrives late, claiming everything
        final ReplicaFetchRequest stale = new ReplicaFetchRequest(victim, oldEpoch, 0, 1, 1 << 16,
            List.of(new ReplicaFetchRequest.PartitionFetch(TP, c.info(TP).leaderEpoch(), leo, leo)));
        c.brokers.get(l).fetchService.handleFetch(stale, r -> r.release());
        c.sim.runFor(3_000);
        assertFalse(c.info(TP).isr().contains(victim), "a stale fetch must not bring the wiped broker back");
        assertEquals(0, c.partitionOn(victim, TP).log().logEndOffset(), "it has nothing");
        healAndConverge();
        assertTrue(c.info(TP).isr().contains(victim), "it rejoins once really caught up");
        inv.checkFinal(true);
    }

    /**
     * Zombie leader: the leader is paused past the session timeout; a new leader takes over; the
     * produces queued on the zombie must never be acknowledged as committed, and when it resumes it
     * truncates what it appended in its stale epoch.
     */
    @ParameterizedTest
    @ValueSource(longs = { 7001, 7002 })
    void zombieLeaderCannotAcknowledge(final long seed)
    {
        start(seed, FlushPolicy.NONE, Map.of());
        produceAll("pre", 5);
        final int zombie = leader();
        c.brokers.get(zombie).pause();
        final List<SimCluster.ProduceOutcome> toZombie = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            toZombie.add(c.produce(TP, "zombie" + i, (short)-1));
        }
        assertTrue(c.sim.runUntil(() -> leader() >= 0 && leader() != zombie, 10_000), "a new leader");
        produceAll("post", 5);
        c.brokers.get(zombie).resume();
        c.sim.runFor(5_000);
        healAndConverge();
        for (final SimCluster.ProduceOutcome o : toZombie)
        {
            assertTrue(o.done);
            assertNotEquals(ReplicationError.NONE, o.error, "the zombie acknowledged " + o.value);
        }
        inv.checkFinal(true);
    }

    /**
     * Unclean election: with the flag on, an out-of-ISR replica may lead when no ISR member is live;
     * it is reported as unclean; logs converge afterwards (acknowledged records may be lost: counted).
     */
    @ParameterizedTest
    @ValueSource(longs = { 8001, 8002 })
    void uncleanElectionConverges(final long seed)
    {
        start(seed, FlushPolicy.NONE, Map.of(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE, "true",
            TopicConfigs.MIN_INSYNC_REPLICAS, "1"));
        produceAll("a", 5);
        final int l = leader();
        final int lagging = followers().get(0);
        final int other = followers().get(1);
        c.cut(lagging, l);
        c.cut(lagging, other);
        assertTrue(c.sim.runUntil(() -> !c.info(TP).isr().contains(lagging), 10_000), "the cut follower leaves the ISR");
        produceAll("b", 5);
        final java.util.Set<Long> committedBefore = new java.util.TreeSet<>(inv.committed.keySet());
        inv.committedMayChange = true;
        c.brokers.get(l).crash();
        c.brokers.get(other).crash();
        c.heal();
        assertTrue(c.sim.runUntil(() -> leader() == lagging, 10_000), "the out-of-ISR replica is elected: unclean");
        assertTrue(c.controller.electionLog().stream().anyMatch(e -> e.endsWith("unclean")), "and it says so");
        produceAll("c", 5);
        c.brokers.get(l).restart();
        c.brokers.get(other).restart();
        assertTrue(c.awaitConverged(TP, 60_000), "logs converge on the unclean leader's history");
        inv.checkFinal(false);
        final Partition finalLeader = c.partitionOn(leader(), TP);
        long lost = 0;
        for (final SimCluster.ProduceOutcome o : c.produced)
        {
            if (o.acked() && !o.value.equals(SimRecords.valueAt(finalLeader.log(), o.offset)))
            {
                lost++;
            }
        }
        assertTrue(lost > 0, "records acknowledged before the unclean election were lost (and are counted): " + lost);
        assertFalse(committedBefore.isEmpty());
    }
}
