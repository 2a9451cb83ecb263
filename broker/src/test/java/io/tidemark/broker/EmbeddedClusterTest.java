package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in one JVM with the Raft controller quorum, replication over the REPLICATION listener, and
 * the official clients: placement, acks=all, the source notes' walkthrough (kill a broker, leaders move,
 * ISR shrinks, restart, ISR restored) and no acknowledged record lost across a leader crash.
 */
@Tag(Tags.INTEGRATION)
class EmbeddedClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static EmbeddedCluster start(final Path dir)
    {
        return start(dir, Map.of());
    }

    private static EmbeddedCluster start(final Path dir, final Map<String, Object> extra)
    {
        final EmbeddedCluster.Builder builder = EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 3000)
            .set("broker.heartbeat.interval.ms", 300)
            .set("replica.lag.time.max.ms", 3000)
            .set("replica.fetch.wait.max.ms", 100)
            .set("log.segment.bytes", 4 * 1024 * 1024)
            .set("log.segment.preallocate.bytes", 1024 * 1024);
        extra.forEach(builder::set);
        return builder.start();
    }

    private static Admin admin(final EmbeddedCluster cluster)
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(final EmbeddedCluster cluster)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        return new KafkaProducer<>(p);
    }

    private static Map<Integer, TopicPartitionInfo> describe(final Admin admin, final String topic) throws Exception
    {
        final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        final Map<Integer, TopicPartitionInfo> result = new HashMap<>();
        for (final TopicPartitionInfo p : d.partitions())
        {
            result.put(p.partition(), p);
        }
        return result;
    }

    private static boolean allIsr(final EmbeddedCluster cluster, final String topic, final int partitions, final int isr)
    {
        for (int p = 0; p < partitions; p++)
        {
            final PartitionInfo info = cluster.partition(topic, p);
            if (info == null || info.isr().size() != isr || info.leader() < 0)
            {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldRunTheSourceNotesWalkthroughAndLoseNoAcknowledgedRecord() throws Exception
    {
        try (EmbeddedCluster cluster = start(dir); Admin admin = admin(cluster))
        {
            admin.createTopics(List.of(new NewTopic("walk", 3, (short)3).configs(Map.of("min.insync.replicas", "2")))).all().get();
            Await.await("ISR of 3 everywhere", WAIT, () -> allIsr(cluster, "walk", 3, 3));

            // placement: three distinct replicas per partition, leaders spread over the brokers
            final Map<Integer, TopicPartitionInfo> before = describe(admin, "walk");
            final Set<Integer> leaders = new HashSet<>();
            for (final TopicPartitionInfo p : before.values())
            {
                assertEquals(3, p.replicas().size());
                assertEquals(3, new HashSet<>(p.replicas()).size());
                leaders.add(p.leader().id());
            }
            assertEquals(3, leaders.size(), "preferred leaders spread over the three brokers: " + before);

            final List<Future<RecordMetadata>> acked = new ArrayList<>();
            try (KafkaProducer<String, String> producer = producer(cluster))
            {
                for (int i = 0; i < 300; i++)
                {
                    acked.add(producer.send(new ProducerRecord<>("walk", i % 3, "k" + i, "v" + i)));
                }
                producer.flush();
                for (final Future<RecordMetadata> f : acked)
                {
                    f.get();
                }

                // kill -9 the leader of partition 0: leadership moves within the ISR, the ISR shrinks
                final int victim = cluster.leaderOf("walk", 0);
                cluster.crash(victim);
                Await.await("new leaders and shrunk ISRs without broker " + victim, WAIT, () ->
                {
                    for (int p = 0; p < 3; p++)
                    {
                        final PartitionInfo info = cluster.partition("walk", p);
                        if (info == null || info.leader() == victim || info.leader() < 0 || info.isr().contains(victim))
                        {
                            return false;
                        }
                    }
                    return true;
                });
                final Map<Integer, TopicPartitionInfo> during = describe(admin, "walk");
                for (final TopicPartitionInfo p : during.values())
                {
                    assertNotEquals(victim, p.leader().id());
                    assertEquals(2, p.isr().size(), "ISR shrunk: " + p);
                }

                // acks=all keeps working on the two in-sync replicas (min.insync.replicas=2)
                for (int i = 300; i < 600; i++)
                {
                    acked.add(producer.send(new ProducerRecord<>("walk", i % 3, "k" + i, "v" + i)));
                }
                producer.flush();
                for (final Future<RecordMetadata> f : acked)
                {
                    f.get();
                }

                cluster.restart(victim);
                Await.await("ISR of 3 restored", WAIT, () -> allIsr(cluster, "walk", 3, 3));
                final Map<Integer, TopicPartitionInfo> after = describe(admin, "walk");
                for (final TopicPartitionInfo p : after.values())
                {
                    assertEquals(3, p.isr().size(), "ISR restored: " + p);
                }

                // preferred-leader election gives the restarted broker its partitions back
                final int preferred = before.get(0).replicas().get(0).id();
                assertEquals(victim, preferred, "partition 0 was led by its preferred replica");
                assertNotEquals(victim, cluster.leaderOf("walk", 0), "the restarted broker does not lead at once");
                final Map<TopicPartition, java.util.Optional<Throwable>> elected =
                    admin.electLeaders(ElectionType.PREFERRED, Set.of(new TopicPartition("walk", 0))).partitions().get();
                assertTrue(elected.get(new TopicPartition("walk", 0)).isEmpty(), "elected: " + elected);
                Await.await("broker " + victim + " leads partition 0 again", WAIT, () -> cluster.leaderOf("walk", 0) == victim);
                final Map<TopicPartition, java.util.Optional<Throwable>> again =
                    admin.electLeaders(ElectionType.PREFERRED, Set.of(new TopicPartition("walk", 0))).partitions().get();
                assertTrue(again.get(new TopicPartition("walk", 0)).orElseThrow() instanceof ElectionNotNeededException, "again: " + again);

                // a clean stop moves leadership first (controlled shutdown): no partition is led by it once stop returns
                final int stopped = cluster.leaderOf("walk", 1);
                cluster.stop(stopped);
                for (int p = 0; p < 3; p++)
                {
                    assertNotEquals(stopped, cluster.leaderOf("walk", p), "partition " + p + " moved before broker " + stopped + " stopped");
                }
                for (int i = 600; i < 660; i++)
                {
                    acked.add(producer.send(new ProducerRecord<>("walk", i % 3, "k" + i, "v" + i)));
                }
                producer.flush();
                for (final Future<RecordMetadata> f : acked)
                {
                    f.get();
                }
                cluster.restart(stopped);
            }

            // every acknowledged record is there exactly once, in send order per partition
            final Map<Integer, List<String>> read = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(cluster.bootstrapServers(), Map.of()))
            {
                final List<TopicPartition> tps = List.of(new TopicPartition("walk", 0), new TopicPartition("walk", 1), new TopicPartition("walk", 2));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                Await.await("all 660 records read", WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                    {
                        read.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.value());
                    }
                    return read.values().stream().mapToInt(List::size).sum() >= 660;
                });
            }
            for (int p = 0; p < 3; p++)
            {
                final List<String> expected = new ArrayList<>();
                for (int i = p; i < 660; i += 3)
                {
                    expected.add("v" + i);
                }
                assertEquals(expected, read.get(p), "partition " + p);
            }
        }
    }

    @Test
    void shouldRefuseAReplicationFactorAboveTheLiveBrokersNamingBoth() throws Exception
    {
        try (EmbeddedCluster cluster = start(dir); Admin admin = admin(cluster))
        {
            final ExecutionException ex = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
                admin.createTopics(List.of(new NewTopic("too-wide", 1, (short)4))).all().get());
            assertTrue(ex.getCause() instanceof InvalidReplicationFactorException, ex.toString());
            assertTrue(ex.getCause().getMessage().contains("4") && ex.getCause().getMessage().contains("3"), ex.getCause().getMessage());
        }
    }

    /**
     * Kafka's automatic leader rebalance: after a broker's crash its partitions are led by the others; once it
     * is back in their ISRs the active controller moves leadership back to it (the preferred replica) without
     * anyone asking.
     */
    @Test
    void shouldMoveLeadershipBackToPreferredReplicasAutomaticallyAfterARestart() throws Exception
    {
        try (EmbeddedCluster cluster = start(dir, Map.of("leader.imbalance.check.interval.seconds", 1));
            Admin admin = admin(cluster))
        {
            admin.createTopics(List.of(new NewTopic("balanced", 6, (short)3))).all().get();
            Await.await("full ISRs", WAIT, () -> allIsr(cluster, "balanced", 6, 3));
            final int victim = cluster.leaderOf("balanced", 0);
            cluster.crash(victim);
            Await.await("leadership moved off broker " + victim, WAIT, () ->
            {
                for (int p = 0; p < 6; p++)
                {
                    final PartitionInfo info = cluster.partition("balanced", p);
                    if (info == null || info.leader() < 0 || info.leader() == victim)
                    {
                        return false;
                    }
                }
                return true;
            });
            cluster.restart(victim);
            Await.await("every partition led by its preferred replica again", WAIT, () ->
            {
                for (int p = 0; p < 6; p++)
                {
                    final PartitionInfo info = cluster.partition("balanced", p);
                    if (info == null || info.leader() != info.replicas().get(0))
                    {
                        return false;
                    }
                }
                return true;
            });
            final Map<Integer, TopicPartitionInfo> after = describe(admin, "balanced");
            assertEquals(6, after.values().stream().filter(p -> p.leader().id() == p.replicas().get(0).id()).count(),
                "the admin client sees the preferred leaders: " + after);
            assertTrue(after.values().stream().anyMatch(p -> p.leader().id() == victim), "the restarted broker leads again");
        }
    }
}
