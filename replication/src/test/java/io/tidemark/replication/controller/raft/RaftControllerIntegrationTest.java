package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.storage.FileStorage;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import io.tidemark.transport.TransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link RaftController}s on real threads and the real transport over loopback (ephemeral
 * ports), each with its Raft store in a directory: leader failover with the API working from every
 * node, a full restart from the directories, and a broker-only {@link RemoteController}.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class RaftControllerIntegrationTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    private String placement = "fixed";

    private ControllerQuorumConfig config(final int id, final Map<Integer, InetSocketAddress> voters)
    {
        return ControllerQuorumConfig.builder(id, "it-cluster", dir.resolve("node" + id)).voters(voters).raftTimings(1, 2, 300)
            .sessionTimeoutMs(6_000).requestTimeoutMs(15_000).rpcTimeoutMs(2_000).fetchWaitMs(500).snapshotIntervalEntries(20)
            .topicDefaults(1, (short)3, Map.of()).replicaPlacement(placement).build();
    }

    /**
     * Binds three listeners on ephemeral ports, then starts the voters knowing each other's ports.
     */
    private List<RaftController> startQuorum()
    {
        final List<TransportQuorumNetwork> networks = new ArrayList<>();
        final Map<Integer, InetSocketAddress> voters = new TreeMap<>();
        for (int id = 1; id <= 3; id++)
        {
            final TransportQuorumNetwork network = new TransportQuorumNetwork(Map.of(), TransportConfig.defaults(),
                new InetSocketAddress("127.0.0.1", 0), 50);
            networks.add(network);
            voters.put(id, new InetSocketAddress("127.0.0.1", network.port()));
        }
        final List<RaftController> controllers = new ArrayList<>();
        for (int id = 1; id <= 3; id++)
        {
            final TransportQuorumNetwork network = networks.get(id - 1);
            network.voters(voters);
            final RaftController c = RaftController.startThreaded(config(id, voters), FileStorage.INSTANCE, network);
            open.add(c);
            controllers.add(c);
        }
        lastVoters = voters;
        return controllers;
    }

    private Map<Integer, InetSocketAddress> lastVoters;

    private static RaftController awaitLeader(final List<RaftController> controllers)
    {
        final RaftController[] leader = new RaftController[1];
        Await.await(() -> "a leader among " + controllers, WAIT, () ->
        {
            for (final RaftController c : controllers)
            {
                if (c.leader() == c.nodeId() && c.image().controllerId() == c.nodeId())
                {
                    leader[0] = c;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    /**
     * Closes every voter, starts three again from their directories (on new ports) and waits until they
     * agree on a leader and an image.
     *
     * @return the restarted voters.
     */
    private List<RaftController> restartQuorum(final List<RaftController> controllers) throws Exception
    {
        for (final RaftController c : controllers)
        {
            c.close();
        }
        open.clear();
        final List<RaftController> restarted = startQuorum();
        awaitLeader(restarted);
        awaitSameImage(restarted);
        return restarted;
    }

    private static <T> T get(final CompletableFuture<T> future) throws Exception
    {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void awaitSameImage(final List<? extends io.tidemark.replication.controller.Controller> controllers)
    {
        Await.await(() -> "images to converge: " + controllers, WAIT, () ->
        {
            final MetadataImage first = controllers.get(0).image();
            return controllers.stream().allMatch(c -> c.image().equals(first));
        });
    }

    @Test
    void shouldPlaceNewTopicsAtRandomStartsWithReplicaPlacementRandomAndApplyTheSamePlacementOnEveryVoter() throws Exception
    {
        placement = "random";
        final List<RaftController> controllers = startQuorum();
        awaitLeader(controllers);
        for (final RaftController c : controllers)
        {
            final BrokerInfo broker = new BrokerInfo(c.nodeId(), 0, new UUID(0, c.nodeId()), "127.0.0.1", 9092, null, false, Map.of());
            assertTrue(get(c.registerBroker(broker, broker.incarnation(), true, Map.of())) > 0);
        }
        final java.util.Set<Integer> firstLeaders = new java.util.TreeSet<>();
        for (int t = 0; t < 30; t++)
        {
            final RaftController via = controllers.get(t % controllers.size());
            final TopicInfo topic = get(via.createTopic("single-" + t, 1, (short)2, null, Map.of(), false));
            final List<Integer> replicas = topic.partitions().get(0).replicas();
            assertEquals(2, replicas.size(), topic.toString());
            assertEquals(2, new java.util.HashSet<>(replicas).size(), "distinct replicas: " + topic);
            assertTrue(List.of(1, 2, 3).containsAll(replicas), topic.toString());
            firstLeaders.add(replicas.get(0));
        }
        // fixed placement puts every single-partition topic's leader on broker 1; random start spreads them
        // (all 30 on one broker has probability 3 * 3^-30)
        assertTrue(firstLeaders.size() > 1, "preferred leaders of 30 single-partition topics: " + firstLeaders);

        final TopicInfo wide = get(controllers.get(0).createTopic("wide", 6, (short)3, null, Map.of(), false));
        final Map<Integer, Integer> leads = new TreeMap<>();
        for (final PartitionInfo p : wide.partitions())
        {
            assertEquals(3, new java.util.HashSet<>(p.replicas()).size(), wide.toString());
            leads.merge(p.replicas().get(0), 1, Integer::sum);
        }
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leads, "a random start still spreads one topic's leaders evenly: " + wide);
        awaitSameImage(controllers);
    }

    @Test
    void shouldFailOverServeFromEveryNodeAndSurviveAFullRestart() throws Exception
    {
        final List<RaftController> controllers = startQuorum();
        final RaftController leader = awaitLeader(controllers);
        for (final RaftController c : controllers)
        {
            final BrokerInfo broker = new BrokerInfo(c.nodeId(), 0, new UUID(0, c.nodeId()), "127.0.0.1", 9092, null, false, Map.of());
            assertTrue(get(c.registerBroker(broker, broker.incarnation(), true, Map.of())) > 0);
        }
        final RaftController follower = controllers.stream().filter(c -> c != leader).findFirst().orElseThrow();
        final TopicInfo created = get(follower.createTopic("events", 3, (short)3, null, Map.of(), false));
        assertEquals(List.of(2, 3, 1), created.partitions().get(1).replicas());
        final List<MetadataImage> published = new CopyOnWriteArrayList<>();
        follower.addListener(published::add);
        awaitSameImage(controllers);

        // kill the leader abruptly: the others elect a new one and keep serving
        final long killedAt = System.nanoTime();
        leader.close();
        final List<RaftController> survivors = new ArrayList<>(controllers);
        survivors.remove(leader);
        final RaftController next = awaitLeader(survivors);
        final long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.println("[failover] a new active controller " + next.nodeId() + " after " + failoverMs + " ms");
        assertNotEquals(leader.nodeId(), next.nodeId());
        assertTrue(failoverMs < 10_000, "failover took " + failoverMs + " ms");
        for (final RaftController c : survivors)
        {
            final TopicInfo t = get(c.createTopic("after-" + c.nodeId(), 1, (short)2, null, Map.of(), false));
            assertEquals(1, t.partitions().size());
            get(c.heartbeat(c.nodeId(), c.image().brokers().get(c.nodeId()).epoch()));
        }
        final ControllerException stale = (ControllerException)org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class, () -> get(follower.heartbeat(1, 1))).getCause();
        assertEquals(ControllerException.Reason.STALE, stale.reason());
        awaitSameImage(survivors);
        for (int i = 1; i < published.size(); i++)
        {
            assertTrue(published.get(i).version() > published.get(i - 1).version(), "listener order");
        }
        Await.await("the listener sees the failover", WAIT, () -> published.get(published.size() - 1).controllerId() == next.nodeId());

        // a broker-only node follows the metadata and writes through the quorum
        final ControllerQuorumConfig brokerOnly = ControllerQuorumConfig.builder(7, "it-cluster", dir.resolve("broker7")).voters(lastVoters)
            .requestTimeoutMs(15_000).rpcTimeoutMs(2_000).fetchWaitMs(500).build();
        try (RemoteController remote = RemoteController.start(brokerOnly))
        {
            Await.await("the remote node catches up", WAIT, () -> remote.image().equals(next.image()));
            final TopicInfo viaRemote = get(remote.createTopic("from-broker", 2, (short)2, null, Map.of(), false));
            Await.await("the remote node sees its topic", WAIT, () -> viaRemote.equals(remote.image().topics().get("from-broker")));
        }
        final MetadataImage before = next.image();

        // stop everything, start all three again from their directories (on new ports)
        final List<RaftController> restarted = restartQuorum(controllers);
        final RaftController leaderAfter = awaitLeader(restarted);
        final MetadataImage after = leaderAfter.image();
        assertEquals(before.topics(), after.topics(), "every topic survives the restart");
        assertEquals(before.brokers().keySet(), after.brokers().keySet());
        assertTrue(after.version() > before.version());
        assertFalse(after.topics().isEmpty());
    }

    @Test
    void shouldNeverGiveAProducerIdBlockTwiceAcrossFailoverAndRestart() throws Exception
    {
        final List<RaftController> controllers = startQuorum();
        final RaftController leader = awaitLeader(controllers);
        final Map<Integer, Long> epochs = new TreeMap<>();
        for (final RaftController c : controllers)
        {
            final BrokerInfo broker = new BrokerInfo(c.nodeId(), 0, new UUID(0, c.nodeId()), "127.0.0.1", 9092, null, false, Map.of());
            epochs.put(c.nodeId(), get(c.registerBroker(broker, broker.incarnation(), true, Map.of())));
        }
        final TreeMap<Long, ProducerIdBlock> blocks = new TreeMap<>();
        for (int round = 0; round < 10; round++)
        {
            for (final RaftController c : controllers)
            {
                addDisjoint(blocks, get(c.allocateProducerIds(c.nodeId(), epochs.get(c.nodeId()))));
            }
        }
        final ControllerException stale = (ControllerException)org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class, () -> get(leader.allocateProducerIds(1, epochs.get(1) - 1))).getCause();
        assertEquals(ControllerException.Reason.STALE, stale.reason());

        // the leader dies: the new one continues after the last block
        leader.close();
        final List<RaftController> survivors = new ArrayList<>(controllers);
        survivors.remove(leader);
        final RaftController next = awaitLeader(survivors);
        for (final RaftController c : survivors)
        {
            addDisjoint(blocks, get(c.allocateProducerIds(c.nodeId(), epochs.get(c.nodeId()))));
        }
        awaitSameImage(survivors);
        final long nextBefore = next.image().nextProducerId();
        assertEquals(blocks.lastEntry().getValue().nextBlockFirstId(), nextBefore);

        // every voter restarts from its directory (snapshots every 20 entries, so from a snapshot too)
        final List<RaftController> restarted = restartQuorum(controllers);
        final RaftController leaderAfter = awaitLeader(restarted);
        assertEquals(nextBefore, leaderAfter.image().nextProducerId());
        for (final RaftController c : restarted)
        {
            final long epoch = c.image().brokers().get(c.nodeId()).epoch();
            addDisjoint(blocks, get(c.allocateProducerIds(c.nodeId(), epoch)));
        }
        assertEquals(10 * 3 + 2 + 3, blocks.size());
    }

    private static void addDisjoint(final TreeMap<Long, ProducerIdBlock> blocks, final ProducerIdBlock block)
    {
        final Map.Entry<Long, ProducerIdBlock> below = blocks.floorEntry(block.lastProducerId());
        assertTrue(below == null || below.getValue().lastProducerId() < block.firstProducerId(), block + " overlaps " + below);
        blocks.put(block.firstProducerId(), block);
    }

    @Test
    void shouldHandLeadershipOverOnAGracefulClose() throws Exception
    {
        final List<RaftController> controllers = startQuorum();
        final RaftController leader = awaitLeader(controllers);
        final long closingAt = System.nanoTime();
        leader.closeGracefully(5_000);
        final List<RaftController> survivors = new ArrayList<>(controllers);
        survivors.remove(leader);
        final RaftController next = awaitLeader(survivors);
        final long handoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closingAt);
        System.out.println("[handover] controller " + leader.nodeId() + " -> " + next.nodeId() + " in " + handoverMs + " ms");
        assertTrue(handoverMs < 2_000, "a transfer needs no heartbeat timeout: " + handoverMs + " ms");
        // the quorum takes writes at once (from either survivor)
        assertEquals(List.of(), get(survivors.get(0).electLeaders(true, Map.of())));
        assertEquals(List.of(), get(survivors.get(1).electLeaders(true, Map.of())));
    }

    @Test
    void shouldRejectAVoterConfigurationThatDoesNotMatchItsDirectory() throws Exception
    {
        final List<RaftController> controllers = startQuorum();
        awaitLeader(controllers);
        for (final RaftController c : controllers)
        {
            c.close();
        }
        open.clear();
        final Map<Integer, InetSocketAddress> fewer = new TreeMap<>(lastVoters);
        fewer.remove(3);
        final IllegalStateException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> RaftController.start(config(1, fewer), FileStorage.INSTANCE));
        assertTrue(ex.getMessage().contains("voters"), ex.getMessage());
    }
}
