package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Deterministic simulations of a 3-voter controller quorum (see {@link ControllerSim}): the Raft
 * safety invariants are checked throughout every run, and the controller's semantics are checked
 * through the {@link io.tidemark.replication.controller.Controller} API of every node. Each test
 * prints its seed; replay with {@code -Dtidemark.seed=N}.
 */
@Tag(Tags.FAULT)
class ControllerSimulationTest
{
    static final long LONG = 20_000;

    static ControllerSim started(final long seed)
    {
        final ControllerSim sim = new ControllerSim(seed);
        sim.startAll();
        sim.awaitActive(10_000);
        return sim;
    }

    static void registerAll(final ControllerSim sim)
    {
        for (int id = 1; id <= 3; id++)
        {
            sim.await(sim.broker(id).register(sim.controller(id), true), LONG, "registration of broker " + id);
        }
    }

    /**
     * Runs until the future fails and returns the refusal.
     */
    static ControllerException refused(final ControllerSim sim, final CompletableFuture<?> future, final String what)
    {
        if (!sim.runUntil(future::isDone, LONG))
        {
            throw new AssertionError(sim.context() + ": " + what + " did not complete");
        }
        try
        {
            final Object value = future.join();
            throw new AssertionError(sim.context() + ": " + what + " was expected to be refused, got " + value);
        }
        catch (final CompletionException ex)
        {
            if (ex.getCause() instanceof ControllerException ce)
            {
                return ce;
            }
            throw ex;
        }
    }

    static PartitionInfo partition(final ControllerSim.SimNode n, final String topic, final int p)
    {
        return n.controller.image().topics().get(topic).partitions().get(p);
    }

    static TopicInfo create(final ControllerSim sim, final ControllerSim.SimNode via, final String name, final List<List<Integer>> assignment,
        final Map<String, String> configs)
    {
        return sim.await(via.controller.createTopic(name, assignment == null ? 3 : -1, (short)(assignment == null ? 3 : -1), assignment,
            configs, false), LONG, "create " + name);
    }

    @Test
    void shouldElectALeaderAndServeTopicsFromEveryNode()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.basic");
        final ControllerSim sim = started(seed);
        final ControllerSim.SimNode leader = sim.leader();
        assertTrue(sim.elapsedMs() < 3_000, "the first election is quick: " + sim.elapsedMs() + " ms");
        registerAll(sim);
        final ControllerSim.SimNode follower = sim.follower();
        final TopicInfo created = create(sim, follower, "orders", null, Map.of());
        // DESIGN §6 placement over sorted live brokers: replica j of partition i on broker (i + j) mod n
        assertEquals(List.of(1, 2, 3), created.partitions().get(0).replicas(), sim.context());
        assertEquals(List.of(2, 3, 1), created.partitions().get(1).replicas());
        assertEquals(List.of(3, 1, 2), created.partitions().get(2).replicas());
        for (final PartitionInfo p : created.partitions())
        {
            assertEquals(p.replicas().get(0), p.leader());
            assertEquals(p.replicas(), p.isr());
        }
        assertTrue(sim.awaitConverged(5_000), sim.context());
        for (final ControllerSim.SimNode n : sim.nodes.values())
        {
            assertEquals(created, n.controller.image().topics().get("orders"), "node " + n.id);
            assertEquals(leader.id, n.controller.image().controllerId());
        }
        final ControllerException tooMany = refused(sim, follower.controller.createTopic("wide", 1, (short)4, null, Map.of(), false), "RF 4");
        assertEquals(ControllerException.Reason.INVALID_REPLICATION_FACTOR, tooMany.reason());
        assertTrue(tooMany.getMessage().contains("4") && tooMany.getMessage().contains("3 live brokers"), tooMany.getMessage());
        final ControllerException exists = refused(sim, leader.controller.createTopic("orders", 1, (short)1, null, Map.of(), false), "dup");
        assertEquals(ControllerException.Reason.TOPIC_ALREADY_EXISTS, exists.reason());
        // validateOnly runs against the leader's image and changes nothing
        final TopicInfo validated = sim.await(follower.controller.createTopic("dry", 2, (short)2, null, Map.of(), true), LONG, "validate");
        assertEquals(2, validated.partitions().size());
        final ControllerException badValidate = refused(sim, follower.controller.createTopic("dry", 2, (short)5, null, Map.of(), true), "v");
        assertEquals(ControllerException.Reason.INVALID_REPLICATION_FACTOR, badValidate.reason());
        sim.runFor(1_000);
        assertFalse(leader.controller.image().topics().containsKey("dry"));
        // the other topic operations through a follower
        final TopicInfo grown = sim.await(follower.controller.createPartitions("orders", 5, false), LONG, "createPartitions");
        assertEquals(5, grown.partitions().size());
        final TopicInfo altered = sim.await(follower.controller.alterConfigs("orders", Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"), false),
            LONG, "alterConfigs");
        assertEquals("2", altered.configs().get(TopicConfigs.MIN_INSYNC_REPLICAS));
        sim.await(follower.controller.deleteTopic("orders"), LONG, "deleteTopic");
        assertTrue(sim.awaitConverged(5_000));
        assertTrue(sim.controller(1).image().topics().isEmpty());
        assertEquals(ControllerException.Reason.UNKNOWN_TOPIC_OR_PARTITION,
            refused(sim, follower.controller.deleteTopic("orders"), "delete again").reason());
    }

    @Test
    void shouldFenceASilentBrokerAndElectTheFirstLiveIsrMember()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.fence");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode leader = sim.leader();
        create(sim, leader, "t", null, Map.of());
        sim.runFor(1_000);
        final long silentFrom = sim.nowMs();
        sim.broker(2).heartbeating = false;
        assertTrue(sim.runUntil(() -> leader.controller.image().brokers().get(2).fenced(), ControllerSim.SESSION_TIMEOUT_MS + 3_000),
            sim.context());
        final long fencedAfter = sim.nowMs() - silentFrom;
        assertTrue(fencedAfter >= ControllerSim.SESSION_TIMEOUT_MS && fencedAfter <= ControllerSim.SESSION_TIMEOUT_MS + 1_500,
            "fenced " + fencedAfter + " ms after the last heartbeat");
        // p1 = [2, 3, 1] was led by 2: the first live ISR member in replica order takes over, epoch bumped
        final PartitionInfo p1 = partition(leader, "t", 1);
        assertEquals(3, p1.leader());
        assertTrue(p1.leaderEpoch() > 0, "leader epoch bumped: " + p1);
        assertEquals(List.of(3, 1), p1.isr());
        final PartitionInfo p0 = partition(leader, "t", 0);
        assertEquals(1, p0.leader());
        assertEquals(0, p0.leaderEpoch());
        assertEquals(List.of(1, 3), p0.isr());
        assertTrue(p0.partitionEpoch() > 0);
        // a fenced broker that heartbeats again is unfenced (it rejoins ISRs through its leaders' AlterPartition)
        sim.broker(2).heartbeating = true;
        assertTrue(sim.runUntil(() -> !leader.controller.image().brokers().get(2).fenced(), 3_000), sim.context());
        assertEquals(3, partition(leader, "t", 1).leader());
        assertTrue(sim.awaitConverged(5_000));
        // a stale epoch is refused
        assertEquals(ControllerException.Reason.STALE, refused(sim, sim.controller(3).heartbeat(2, 12345), "stale heartbeat").reason());
    }

    @Test
    void shouldElectUncleanOnlyWhenTheTopicAllowsIt()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.unclean");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode leader = sim.leader();
        create(sim, leader, "careful", List.of(List.of(2, 3)), Map.of());
        create(sim, leader, "reckless", List.of(List.of(2, 3)), Map.of(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE, "true"));
        for (final String topic : List.of("careful", "reckless"))
        {
            // the leader shrinks the ISR to itself
            final PartitionInfo shrunk = sim.await(leader.controller.alterPartition(topic, 0, 2, 0, 0, List.of(2), Map.of()), LONG, "shrink");
            assertEquals(List.of(2), shrunk.isr());
        }
        sim.broker(2).heartbeating = false;
        assertTrue(sim.runUntil(() -> leader.controller.image().brokers().get(2).fenced(), ControllerSim.SESSION_TIMEOUT_MS + 3_000));
        final PartitionInfo careful = partition(leader, "careful", 0);
        assertEquals(-1, careful.leader(), "no clean leader: offline");
        assertEquals(List.of(), careful.isr());
        assertEquals(List.of(2), careful.elr(), "the last ISR member is an eligible leader replica (KIP-966)");
        final PartitionInfo reckless = partition(leader, "reckless", 0);
        assertEquals(3, reckless.leader(), "unclean election allowed by the topic");
        assertEquals(List.of(3), reckless.isr());
        assertTrue(reckless.leaderEpoch() > 0, reckless.toString());
        // an explicit unclean election moves the careful topic too, and says which partitions changed
        final List<TopicPartition> elected = sim.await(sim.follower().controller.electLeaders(false, Map.of("careful", List.of(0))), LONG,
            "unclean election");
        assertEquals(List.of(new TopicPartition("careful", 0)), elected);
        assertEquals(3, partition(leader, "careful", 0).leader());
        // preferred election: broker 2 is back, rejoins the ISR, then leads again
        sim.broker(2).heartbeating = true;
        assertTrue(sim.runUntil(() -> !leader.controller.image().brokers().get(2).fenced(), 3_000));
        final PartitionInfo p = partition(leader, "careful", 0);
        sim.await(leader.controller.alterPartition("careful", 0, 3, p.leaderEpoch(), p.partitionEpoch(), List.of(2, 3),
            Map.of(2, sim.broker(2).epoch)), LONG, "expand");
        final List<TopicPartition> preferred = sim.await(leader.controller.electLeaders(true, Map.of()), LONG, "preferred");
        assertEquals(List.of(new TopicPartition("careful", 0)), preferred);
        assertEquals(2, partition(leader, "careful", 0).leader());
        assertTrue(sim.awaitConverged(5_000));
    }

    @Test
    void shouldRefuseStaleAlterPartitionAndWipedBrokersUntilTheyRegister()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.alterPartition");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode via = sim.follower();
        create(sim, via, "t", List.of(List.of(1, 2, 3)), Map.of());
        final PartitionInfo shrunk = sim.await(via.controller.alterPartition("t", 0, 1, 0, 0, List.of(1, 2), Map.of()), LONG, "shrink");
        assertEquals(List.of(1, 2), shrunk.isr());
        assertEquals(1, shrunk.partitionEpoch());
        assertEquals(ControllerException.Reason.STALE,
            refused(sim, via.controller.alterPartition("t", 0, 1, 0, 0, List.of(1), Map.of()), "old partition epoch").reason());
        assertEquals(ControllerException.Reason.STALE,
            refused(sim, via.controller.alterPartition("t", 0, 1, 3, 1, List.of(1), Map.of()), "wrong leader epoch").reason());
        assertEquals(ControllerException.Reason.STALE,
            refused(sim, via.controller.alterPartition("t", 0, 2, 0, 1, List.of(2), Map.of()), "not the leader").reason());
        // KIP-903: broker 3's disk is wiped; it registers with a new incarnation and a new epoch
        final long oldEpoch = sim.broker(3).epoch;
        sim.broker(3).incarnation = new UUID(seed, 99);
        sim.await(sim.broker(3).register(sim.controller(3), false), LONG, "re-registration");
        final long newEpoch = sim.broker(3).epoch;
        assertTrue(newEpoch > oldEpoch);
        // a fetch from the previous incarnation (old epoch) cannot bring it into the ISR
        final ControllerException stale = refused(sim, via.controller.alterPartition("t", 0, 1, 0, 1, List.of(1, 2, 3), Map.of(3, oldEpoch)),
            "old incarnation");
        assertEquals(ControllerException.Reason.STALE, stale.reason());
        assertTrue(stale.getMessage().contains("epoch " + oldEpoch), stale.getMessage());
        final PartitionInfo expanded = sim.await(via.controller.alterPartition("t", 0, 1, 0, 1, List.of(1, 2, 3), Map.of(3, newEpoch)), LONG,
            "new incarnation caught up");
        assertEquals(List.of(1, 2, 3), expanded.isr());
    }

    @Test
    void shouldRemoveANewIncarnationFromEveryIsr()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.kip903");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode leader = sim.leader();
        create(sim, leader, "t", null, Map.of());
        sim.broker(3).incarnation = new UUID(seed, 7);
        sim.await(sim.broker(3).register(sim.controller(3), true), LONG, "re-registration with a wiped disk");
        for (final PartitionInfo p : leader.controller.image().topics().get("t").partitions())
        {
            assertFalse(p.isr().contains(3), "partition " + p);
            assertNotEquals(3, p.leader(), "partition " + p);
        }
        // p2 = [3, 1, 2] was led by 3: the first live ISR member in replica order
        assertEquals(1, partition(leader, "t", 2).leader());
        assertTrue(partition(leader, "t", 2).leaderEpoch() > 0);
        assertFalse(leader.controller.image().brokers().get(3).fenced());
    }

    @Test
    void shouldControlledShutdownAndRefuseUnknownEpochs()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.controlledShutdown");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode leader = sim.leader();
        create(sim, leader, "t", null, Map.of());
        sim.broker(1).heartbeating = false;
        sim.await(sim.controller(1).controlledShutdown(1, sim.broker(1).epoch), LONG, "controlled shutdown");
        assertTrue(sim.awaitConverged(5_000), sim.context());
        final MetadataImage image = sim.controller(1).image();
        assertTrue(image.brokers().get(1).fenced());
        for (final PartitionInfo p : image.topics().get("t").partitions())
        {
            assertNotEquals(1, p.leader(), p.toString());
            assertFalse(p.isr().contains(1), p.toString());
        }
        assertEquals(ControllerException.Reason.STALE, refused(sim, sim.controller(2).controlledShutdown(2, 999_999), "bad epoch").reason());
    }

    @Test
    void shouldGiveBrokersAFreshSessionWhenANewControllerBecomesActive()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.grace");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode old = sim.leader();
        create(sim, old, "t", null, Map.of());
        sim.runFor(1_000);
        old.crash();
        final ControllerSim.SimNode next = sim.awaitActive(LONG);
        final long activeAt = sim.nowMs();
        // the killed node's broker is silent: fenced one session after the new controller became active, not earlier
        assertTrue(sim.runUntil(() -> next.controller.image().brokers().get(old.id).fenced(), ControllerSim.SESSION_TIMEOUT_MS + 3_000),
            sim.context());
        assertTrue(sim.nowMs() - activeAt >= ControllerSim.SESSION_TIMEOUT_MS, "grace: " + (sim.nowMs() - activeAt));
        for (final BrokerInfo b : next.controller.image().brokers().values())
        {
            assertEquals(b.id() == old.id, b.fenced(), "broker " + b.id() + " (others heartbeat through the failover)");
        }
        for (final PartitionInfo p : next.controller.image().topics().get("t").partitions())
        {
            assertNotEquals(old.id, p.leader());
        }
        // the node comes back; its broker registers again and is live
        old.start();
        sim.await(sim.broker(old.id).register(old.controller, true), LONG, "re-registration");
        assertFalse(next.controller.image().brokers().get(old.id).fenced());
        assertTrue(sim.awaitConverged(10_000), sim.context());
    }

    @Test
    void shouldApplyATopicCreationExactlyOnceWhenTheLeaderDiesDuringIt()
    {
        final long base = Seeds.seed("ControllerSimulationTest.leaderKillDuringCreate");
        for (long s = 0; s < 4; s++)
        {
            leaderKillDuringCreate(base + s);
        }
    }

    @Test
    @Tag(Tags.SLOW)
    void shouldApplyATopicCreationExactlyOnceWhenTheLeaderDiesDuringItManySeeds()
    {
        final long base = Seeds.seed("ControllerSimulationTest.leaderKillDuringCreateMany");
        long deduplicated = 0;
        for (long s = 0; s < 300; s++)
        {
            deduplicated += leaderKillDuringCreate(base + s);
        }
        assertTrue(deduplicated > 0, "some runs retried a create that had committed: the dedupe answered");
    }

    static long leaderKillDuringCreate(final long seed)
    {
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode leader = sim.leader();
        final List<CompletableFuture<TopicInfo>> creates = new ArrayList<>();
        final List<ControllerSim.SimNode> followers = new ArrayList<>();
        for (final ControllerSim.SimNode n : sim.nodes.values())
        {
            if (n != leader)
            {
                followers.add(n);
            }
        }
        for (int i = 0; i < 6; i++)
        {
            creates.add(followers.get(i % 2).controller.createTopic("topic-" + i, 2, (short)2, null, Map.of(), false));
            sim.runFor(sim.random.nextInt(4));
        }
        sim.runFor(sim.random.nextInt(15));
        if (sim.random.nextBoolean())
        {
            leader.powerLoss();
        }
        else
        {
            leader.crash();
        }
        for (int i = 0; i < creates.size(); i++)
        {
            final TopicInfo t = sim.await(creates.get(i), LONG, "seed " + seed + " create topic-" + i);
            assertEquals("topic-" + i, t.name());
        }
        leader.start();
        assertTrue(sim.awaitConverged(LONG), sim.context());
        final MetadataImage image = sim.controller(1).image();
        for (int i = 0; i < creates.size(); i++)
        {
            assertEquals(creates.get(i).join(), image.topics().get("topic-" + i), "seed " + seed + ": topic-" + i + " as answered");
        }
        return sim.deduplicated();
    }

    @Test
    void shouldKeepEveryAcknowledgedChangeThroughAFullPowerLoss()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.fullPowerLoss");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final List<TopicInfo> acked = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            acked.add(create(sim, sim.node(1 + i % 3), "t" + i, List.of(List.of(1 + i % 3)), Map.of()));
        }
        final MetadataImage before = sim.leader().controller.image();
        for (final ControllerSim.SimNode n : sim.nodes.values())
        {
            n.powerLoss();
        }
        sim.runFor(100);
        sim.startAll();
        final ControllerSim.SimNode leader = sim.awaitActive(LONG);
        assertTrue(sim.awaitConverged(LONG), sim.context());
        final MetadataImage after = leader.controller.image();
        for (final TopicInfo t : acked)
        {
            assertEquals(t, after.topics().get(t.name()), "acknowledged topic " + t.name() + " survives");
        }
        assertEquals(before.brokers().keySet(), after.brokers().keySet());
        assertTrue(after.version() > before.version(), "the new term's entry follows");
    }

    @Test
    void shouldElectANewLeaderOnTheMajoritySideOfAPartition()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.partition");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode old = sim.leader();
        final int oldTerm = old.controller.term();
        sim.isolate(old.id);
        final long cutAt = sim.nowMs();
        assertTrue(sim.runUntil(() -> sim.leader() != null && sim.leader() != old && sim.leader().controller.term() > oldTerm, LONG),
            sim.context());
        final long failover = sim.nowMs() - cutAt;
        assertTrue(failover < 6_000, "failover took " + failover + " ms");
        final ControllerSim.SimNode next = sim.leader();
        // the majority side serves; a call made on the isolated node waits for the partition to heal
        create(sim, next, "majority", null, Map.of());
        final CompletableFuture<TopicInfo> stranded = old.controller.createTopic("stranded", 1, (short)1, null, Map.of(), false);
        sim.runFor(3_000);
        assertFalse(stranded.isDone(), "no answer without a quorum");
        assertFalse(old.isLeader(), "the isolated leader stepped down");
        sim.heal();
        assertNotNull(sim.await(stranded, LONG, "create after the heal"));
        assertTrue(sim.awaitConverged(LONG), sim.context());
        assertTrue(sim.controller(old.id).image().topics().containsKey("majority"));
    }

    @Test
    void shouldCatchUpARestartedNodeThroughAChunkedSnapshot()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.snapshot");
        final ControllerSim sim = started(seed);
        registerAll(sim);
        final ControllerSim.SimNode leader = sim.leader();
        final ControllerSim.SimNode lagging = sim.follower();
        lagging.crash();
        for (int i = 0; i < 80; i++)
        {
            create(sim, leader, "t" + i, List.of(List.of(1, 2)), Map.of("retention.ms", Long.toString(1000L * i)));
        }
        final long installsBefore = sim.snapshotInstalls;
        lagging.start();
        assertTrue(sim.awaitConverged(LONG), sim.context());
        assertTrue(sim.snapshotInstalls > installsBefore, "caught up through InstallSnapshot");
        assertEquals(80, lagging.controller.image().topics().size());
        final byte[] snapshot = leader.controller.stateMachine().snapshotBytes(1);
        assertTrue(snapshot.length > 4 * 512, "several chunks: " + snapshot.length + " bytes");
    }

    /**
     * MicroRaft 0.7 liveness bug: a follower holding a snapshot at S and an uncommitted entry S+1 of
     * an old term rejects every AppendEntries of a new leader whose entry S+1 differs (it looks up
     * entry S in its log, where it no longer is), and cannot take the leader's snapshot at S either
     * (its commit index is already S): on its own it never catches up. {@link AppendEntriesGuard}
     * drops the conflicting entry and re-anchors the request at S.
     */
    @Test
    void shouldUnstickAFollowerWhoseSnapshotEndsBeforeAConflictingEntry()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.stuckFollower");
        // the construction needs the doomed entry to leave the old leader before its fsync fails, which
        // a request in flight to that follower at that instant can prevent: then build it again
        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (stuckFollowerCase(seed + attempt))
            {
                return;
            }
        }
        throw new AssertionError("seed " + seed + ": the case could not be built in 5 attempts");
    }

    private static boolean stuckFollowerCase(final long seed)
    {
        final ControllerSim sim = new ControllerSim(seed);
        for (int id = 1; id <= 3; id++)
        {
            sim.faultyStorage(id);
        }
        sim.startAll();
        final ControllerSim.SimNode old = sim.awaitActive(LONG);
        registerAll(sim);
        // commit exactly up to the snapshot interval (25): every node snapshots at 25
        int n = 0;
        while (sim.maxCommitted < 25)
        {
            sim.await(old.controller.createTopic("t" + n++, 1, (short)1, null, Map.of(), false), LONG, "create");
        }
        assertEquals(25, sim.maxCommitted, sim.context());
        assertTrue(sim.awaitConverged(5_000));
        sim.runFor(500);
        final List<ControllerSim.SimNode> followers = new ArrayList<>();
        for (final ControllerSim.SimNode x : sim.nodes.values())
        {
            if (x != old)
            {
                followers.add(x);
            }
        }
        final ControllerSim.SimNode stuck = followers.get(0);
        final ControllerSim.SimNode other = followers.get(1);
        // entry 26 reaches only `stuck`; the old leader cannot make it durable and stops
        sim.cutOneWay(old.id, other.id);
        old.failFsyncs();
        old.controller.createTopic("doomed", 1, (short)1, null, Map.of(), false);
        assertTrue(sim.runUntil(() -> old.controller.failure() != null, 1_000), sim.context());
        sim.runFor(20);
        sim.heal();
        sim.isolate(stuck.id);
        // the follower restarts: its log is now its snapshot at 25 plus entry 26, entry 25 is gone from it
        stuck.crash();
        stuck.start();
        final var report = stuck.controller.raftNode().getReport();
        sim.runUntil(report::isDone, 1_000);
        final var log = report.join().getResult().getLog();
        if (log.getLastSnapshotIndex() != 25 || log.getLastLogOrSnapshotIndex() != 26)
        {
            return false;
        }
        old.powerLoss(io.tidemark.engine.storage.CrashSimulatingStorage.TearMode.OLD);
        old.start();
        // the old leader (without entry 26) and the other follower elect a leader whose entry 26 differs
        final ControllerSim.SimNode next = sim.awaitActive(LONG);
        assertNotEquals(stuck.id, next.id);
        sim.heal();
        assertTrue(sim.awaitConverged(30_000), sim.context());
        assertTrue(stuck.controller.appendEntriesFixes() > 0, "the follower's guard re-anchored the leader's requests");
        assertFalse(stuck.controller.image().topics().containsKey("doomed"));
        return true;
    }

    @Test
    void shouldStopANodeWhoseFsyncFailsWhileTheOthersCarryOn()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.fsyncFailure");
        final ControllerSim sim = new ControllerSim(seed);
        for (int id = 1; id <= 3; id++)
        {
            sim.faultyStorage(id);
        }
        sim.startAll();
        final ControllerSim.SimNode failing = sim.awaitActive(LONG);
        registerAll(sim);
        failing.failFsyncs();
        final ControllerSim.SimNetwork network = failing.network;
        // its next write cannot be made durable: the store latches, the node stops sending and terminates
        final CompletableFuture<TopicInfo> create = sim.follower().controller.createTopic("after-eio", 1, (short)1, null, Map.of(), false);
        assertTrue(sim.runUntil(() -> failing.controller.failure() != null, LONG), sim.context());
        final long sentAtFailure = network.sent;
        assertNotNull(sim.await(create, LONG, "the create completes on the new leader"));
        final ControllerSim.SimNode next = sim.awaitActive(LONG);
        assertNotEquals(failing.id, next.id);
        assertEquals(sentAtFailure, network.sent, "a failed node sends nothing");
        // the failed node's API still works: it forwards to the others
        assertEquals("via-failed", sim.await(failing.controller.createTopic("via-failed", 1, (short)1, null, Map.of(), false), LONG,
            "create via the failed node").name());
        sim.runFor(2_000);
        assertTrue(next.controller.image().topics().containsKey("via-failed"));
    }

    @Test
    void shouldLetABrokerOnlyNodeFollowImagesAndWrite()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.remote");
        final ControllerSim sim = started(seed);
        final ControllerSim.SimClient client = sim.client(100);
        registerAll(sim);
        final List<MetadataImage> seen = new ArrayList<>();
        client.controller.addListener(seen::add);
        final TopicInfo t = sim.await(client.controller.createTopic("remote", 2, (short)3, null, Map.of(), false), LONG, "create via client");
        assertTrue(sim.awaitConverged(5_000), sim.context());
        assertEquals(t, client.controller.image().topics().get("remote"));
        sim.await(client.controller.heartbeat(1, sim.broker(1).epoch), LONG, "heartbeat via client");
        for (int i = 1; i < seen.size(); i++)
        {
            assertTrue(seen.get(i).version() > seen.get(i - 1).version(), "listener images in version order");
        }
        // it follows through a leader change
        sim.leader().crash();
        sim.awaitActive(LONG);
        sim.await(client.controller.createTopic("after-failover", 1, (short)2, null, Map.of(), false), LONG, "create after failover");
        assertTrue(sim.runUntil(() -> client.controller.image().topics().containsKey("after-failover"), 5_000), sim.context());
    }

    @Test
    void shouldPublishImagesToListenersInOrderWithTheCurrentOneFirst()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.listeners");
        final ControllerSim sim = started(seed);
        final List<MetadataImage> published = sim.recordPublished(2);
        assertEquals(1, published.size(), "the current image at once");
        registerAll(sim);
        create(sim, sim.node(1), "a", null, Map.of());
        create(sim, sim.node(3), "b", null, Map.of());
        sim.runFor(500);
        for (int i = 1; i < published.size(); i++)
        {
            assertTrue(published.get(i).version() > published.get(i - 1).version());
        }
        assertEquals(sim.controller(2).image(), published.get(published.size() - 1));
    }

    @Test
    void shouldReplayTheSameRunFromTheSameSeed()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.determinism");
        final ControllerSim a = scripted(seed);
        final ControllerSim b = scripted(seed);
        assertEquals(a.trace.size(), b.trace.size());
        assertEquals(a.traceHash(), b.traceHash(), "same seed, same run");
        final ControllerSim c = scripted(seed + 1);
        assertNotEquals(a.traceHash(), c.traceHash(), "another seed, another run");
    }

    private static ControllerSim scripted(final long seed)
    {
        final ControllerSim sim = started(seed);
        registerAll(sim);
        create(sim, sim.follower(), "x", null, Map.of());
        sim.leader().powerLoss();
        sim.awaitActive(LONG);
        create(sim, sim.leader(), "y", null, Map.of());
        sim.runFor(5_000);
        return sim;
    }

    @Test
    void shouldRefuseOperationsOfTheControllerItselfFromClients()
    {
        final long seed = Seeds.seed("ControllerSimulationTest.ownOps");
        final ControllerSim sim = started(seed);
        final CompletableFuture<byte[]> answer = sim.node(1).network.request(sim.leader().id, ControllerApi.WRITE,
            ControllerCodec.encodeOp(new ControllerOp.FenceBroker(1, 1)), 1_000);
        sim.runUntil(answer::isDone, 2_000);
        assertTrue(answer.isCompletedExceptionally(), "a client cannot fence brokers directly");
        assertNull(sim.leader().controller.failure());
    }
}
