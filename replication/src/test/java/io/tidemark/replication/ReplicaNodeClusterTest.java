package io.tidemark.replication;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.Log;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.LogCursor;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.replication.controller.InMemoryController;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import io.tidemark.transport.TransportConfig;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replica nodes in one JVM over the real transport on loopback, with real threads: replication
 * with acks=all, leader failover when a node stops, catch-up and ISR rejoin after it restarts.
 */
@Tag(Tags.INTEGRATION)
class ReplicaNodeClusterTest
{
    private static final TopicPartition TP = new TopicPartition("events", 0);

    @TempDir
    Path dir;

    private ExecutorScheduler controllerScheduler;
    private InMemoryController controller;
    private final ReplicaNode[] nodes = new ReplicaNode[4];

    private ReplicaNode startNode(final int id)
    {
        final LogManagerConfig logs = LogManagerConfig.builder(dir.resolve("node-" + id))
            .defaultLogConfig(LogConfig.builder().segmentBytes(1 << 20).build()).build();
        final ReplicaNode node = ReplicaNode.start(new ReplicaNode.Config(id, "127.0.0.1", 0, logs, controller,
            new ReplicationConfig(id, 2_000, 1 << 20, 200, 100, 10), TransportConfig.defaults(), controller.brokerDefaults(), 200, null));
        nodes[id] = node;
        return node;
    }

    @AfterEach
    void stop()
    {
        for (final ReplicaNode n : nodes)
        {
            if (n != null)
            {
                n.stop(true);
            }
        }
        if (controller != null)
        {
            controller.close();
        }
        if (controllerScheduler != null)
        {
            controllerScheduler.close();
        }
    }

    private static UnsafeBuffer batch(final String value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final RecordBatchBuilder b = new RecordBatchBuilder(buffer);
        b.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
        return new UnsafeBuffer(buffer, 0, b.build());
    }

    private CompletableFuture<Long> produce(final String value)
    {
        final CompletableFuture<Long> f = new CompletableFuture<>();
        final int leader = controller.image().topics().get(TP.topic()).partitions().get(0).leader();
        final UnsafeBuffer b = batch(value);
        nodes[leader].replicaManager().append(TP, b, 0, b.capacity(), (short)-1, 10_000, 0,
            (error, base, time, start, code, message) ->
            {
                if (error == ReplicationError.NONE)
                {
                    f.complete(base);
                }
                else
                {
                    f.completeExceptionally(new IllegalStateException(error + " " + message));
                }
            });
        return f;
    }

    private static List<String> values(final Log log)
    {
        final List<String> out = new ArrayList<>();
        try (LogCursor c = log.cursor().seek(log.logStartOffset()))
        {
            while (c.nextRecord())
            {
                out.add(new String(c.record().valueBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private PartitionInfo info()
    {
        return controller.image().topics().get(TP.topic()).partitions().get(0);
    }

    @Test
    void shouldReplicateFailOverAndCatchUp() throws Exception
    {
        controllerScheduler = new ExecutorScheduler("test-controller", SystemEpochClock.INSTANCE);
        controller = new InMemoryController(controllerScheduler, "it-cluster", Map.of(), 1, (short)3, 1_500,
            UUID::randomUUID);
        for (int id = 1; id <= 3; id++)
        {
            startNode(id).registered().get(10, TimeUnit.SECONDS);
        }
        controller.createTopic(TP.topic(), 1, (short)3, null, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"), false).join();
        Await.await("partition hosted everywhere", Duration.ofSeconds(10), () ->
        {
            for (int id = 1; id <= 3; id++)
            {
                if (nodes[id].replicaManager().partition(TP) == null)
                {
                    return false;
                }
            }
            return true;
        });

        final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        final List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            final String v = "first-" + i;
            pending.add(produce(v).thenApply(o ->
            {
                acked.add(v);
                return o;
            }));
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        assertEquals(500, acked.size());
        Await.await("followers have everything", Duration.ofSeconds(10), () ->
        {
            for (int id = 1; id <= 3; id++)
            {
                if (nodes[id].replicaManager().partition(TP).log().logEndOffset() != 500)
                {
                    return false;
                }
            }
            return true;
        });
        final List<String> reference = values(nodes[1].replicaManager().partition(TP).log());
        for (int id = 2; id <= 3; id++)
        {
            assertEquals(reference, values(nodes[id].replicaManager().partition(TP).log()), "replica " + id + " identical");
        }

        // the leader stops without telling anyone: its session expires, a new leader is elected
        final int oldLeader = info().leader();
        final int oldEpoch = info().leaderEpoch();
        nodes[oldLeader].stop(false);
        nodes[oldLeader] = null;
        Await.await("a new leader", Duration.ofSeconds(15), () -> info().leader() >= 0 && info().leader() != oldLeader);
        assertTrue(info().leaderEpoch() > oldEpoch);
        Await.await("new leader knows", Duration.ofSeconds(10),
            () -> nodes[info().leader()].replicaManager().partition(TP).isLeader());
        for (int i = 0; i < 100; i++)
        {
            produce("second-" + i).get(15, TimeUnit.SECONDS);
        }

        // the old leader restarts from its (unclean) logs, catches up and rejoins the ISR
        startNode(oldLeader).registered().get(10, TimeUnit.SECONDS);
        Await.await(() -> "old leader back in the ISR: " + info(), Duration.ofSeconds(20), () -> info().isr().size() == 3);
        Await.await("caught up", Duration.ofSeconds(10),
            () -> nodes[oldLeader].replicaManager().partition(TP).log().logEndOffset() == 600);
        final List<String> after = values(nodes[info().leader()].replicaManager().partition(TP).log());
        assertEquals(600, after.size());
        assertEquals(after, values(nodes[oldLeader].replicaManager().partition(TP).log()));
        assertTrue(after.containsAll(acked), "every acknowledged record survived the failover");
    }
}
