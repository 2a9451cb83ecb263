package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.tidemark.engine.PowerCut;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented durable setting survives a power cut of the whole cluster: acks=all, replication factor
 * 3, min.insync.replicas 2 and flush policy {@code batch}. Under load, every node loses power (each
 * unsynced page torn at random), the cluster restarts, and every acknowledged record is read back.
 */
@Tag(Tags.INTEGRATION)
@Tag(Tags.FAULT)
class ClusterPowerCutTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** @return settings of a string producer with acks=all and linger 1 ms, to add to. */
    private static Map<String, Object> acksAllProducer(final EmbeddedCluster cluster)
    {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return props;
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordAcrossAPowerCutOfEveryNode() throws Exception
    {
        final long seed = Seeds.seed("ClusterPowerCutTest");
        System.out.println("ClusterPowerCutTest seed " + seed);
        final Random random = new Random(seed);
        final EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 3000)
            .set("broker.heartbeat.interval.ms", 300)
            .set("replica.fetch.wait.max.ms", 50)
            .set("log.segment.bytes", 4 * 1024 * 1024)
            .set("log.segment.preallocate.bytes", 256 * 1024)
            .start();
        try
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
            {
                admin.createTopics(List.of(new NewTopic("durable", 2, (short)3)
                    .configs(Map.of("min.insync.replicas", "2", "flush.policy", "batch")))).all().get();
            }
            Await.await("ISR of 3", WAIT, () ->
            {
                for (int p = 0; p < 2; p++)
                {
                    final var info = cluster.partition("durable", p);
                    if (info == null || info.isr().size() != 3)
                    {
                        return false;
                    }
                }
                return true;
            });

            final Set<String> acked = ConcurrentHashMap.newKeySet();
            final AtomicInteger failed = new AtomicInteger();
            final Map<String, Object> props = acksAllProducer(cluster);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
            final int toCutAfter = 500 + random.nextInt(1500);
            final List<PowerCut.Cut> cuts = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props))
            {
                int sent = 0;
                // produce until enough is acknowledged, then cut the power of every node while sends are in flight
                while (acked.size() < toCutAfter)
                {
                    final String value = "r" + sent++;
                    producer.send(new ProducerRecord<>("durable", value), (md, error) ->
                    {
                        if (error == null)
                        {
                            acked.add(value);
                        }
                        else
                        {
                            failed.incrementAndGet();
                        }
                    });
                    if (sent % 200 == 0)
                    {
                        producer.flush();
                    }
                }
                for (int i = 0; i < 50; i++)
                {
                    final String value = "r" + sent++;
                    producer.send(new ProducerRecord<>("durable", value), (md, error) ->
                    {
                        if (error == null)
                        {
                            acked.add(value);
                        }
                    });
                }
                for (int node = 0; node < 3; node++)
                {
                    cuts.addAll(cluster.powerCut(node, random));
                }
                producer.close(Duration.ofSeconds(10));
            }
            final Set<String> ackedAtCut = new HashSet<>(acked);
            assertTrue(cuts.size() >= 6, "every node's replicas were cut: " + cuts);

            cluster.restart(List.of(0, 1, 2));
            // after every node restarted uncleanly the high watermark advances again once the ISR holds
            // min.insync.replicas members: read once the replicas are back in sync
            Await.await("leaders and full ISRs after the restart", WAIT, () ->
            {
                for (int p = 0; p < 2; p++)
                {
                    final var info = cluster.partition("durable", p);
                    if (info == null || info.leader() < 0 || info.isr().size() != 3)
                    {
                        return false;
                    }
                }
                return true;
            });

            // the leaders' high watermarks start from their checkpoints and advance as the followers fetch:
            // read once each has caught up with its log end
            Await.await("high watermarks caught up with the log ends", WAIT, () ->
            {
                for (int p = 0; p < 2; p++)
                {
                    final int leader = cluster.leaderOf("durable", p);
                    final Broker b = leader < 0 ? null : cluster.broker(leader);
                    final io.tidemark.replication.Partition partition = b == null ? null :
                        b.replicaManager().partition(new io.tidemark.engine.TopicPartition("durable", p));
                    if (partition == null || partition.highWatermark() < b.logManager().log(new io.tidemark.engine.TopicPartition("durable", p)).logEndOffset())
                    {
                        return false;
                    }
                }
                return true;
            });
            final Set<String> read = new HashSet<>();
            final Map<TopicPartition, Long> ends;
            try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(cluster.bootstrapServers(), Map.of()))
            {
                final List<TopicPartition> tps = List.of(new TopicPartition("durable", 0), new TopicPartition("durable", 1));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
                Await.await("read to the end offsets " + ends, WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                    {
                        assertTrue(read.add(r.value()), "duplicate " + r.value());
                    }
                    for (final TopicPartition tp : tps)
                    {
                        if (consumer.position(tp) < ends.get(tp))
                        {
                            return false;
                        }
                    }
                    return true;
                });
            }
            final Set<String> lost = new HashSet<>(ackedAtCut);
            lost.removeAll(read);
            System.out.println("ClusterPowerCutTest: " + ackedAtCut.size() + " acknowledged, " + read.size() + " read back, " + lost.size() +
                " lost; cuts " + cuts);
            assertEquals(Set.of(), lost, "acknowledged records lost with acks=all + batch (seed " + seed + ")");
        }
        finally
        {
            cluster.close();
        }
    }

    /**
     * Regression (found by {@link ClusterFaultTest}): the leader alone loses power under flush policy
     * {@code none}, so its log goes back to what was synced (here: nothing), and restarts at once, before its
     * session expires. Its replayed metadata still names it leader; acting on that before the controller
     * processed its unclean registration, it answered its followers' OffsetForLeaderEpoch with its empty log
     * and they truncated every acknowledged record away. The followers must keep them and one of them must
     * lead.
     */
    @Test
    void shouldKeepEveryAcknowledgedRecordWhenTheLeaderAloneLosesPowerAndRestartsAtOnce() throws Exception
    {
        final long seed = Seeds.seed("ClusterPowerCutTest.leader");
        System.out.println("ClusterPowerCutTest leader seed " + seed);
        final Random random = new Random(seed);
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 10_000)
            .set("broker.heartbeat.interval.ms", 300)
            .set("replica.fetch.wait.max.ms", 50)
            .set("replica.fetch.backoff.ms", 20)
            .set("log.segment.bytes", 4 * 1024 * 1024)
            .set("log.segment.preallocate.bytes", 256 * 1024)
            .start())
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
            {
                admin.createTopics(List.of(new NewTopic("volatile", 1, (short)3)
                    .configs(Map.of("min.insync.replicas", "2", "flush.policy", "none")))).all().get();
            }
            Await.await("ISR of 3", WAIT, () ->
            {
                final var info = cluster.partition("volatile", 0);
                return info != null && info.leader() >= 0 && info.isr().size() == 3;
            });
            final Set<String> acked = ConcurrentHashMap.newKeySet();
            final Map<String, Object> props = acksAllProducer(cluster);
            final int records = 1_000 + random.nextInt(1_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props))
            {
                for (int i = 0; i < records; i++)
                {
                    final String value = "v" + i;
                    producer.send(new ProducerRecord<>("volatile", value), (md, error) ->
                    {
                        if (error == null)
                        {
                            acked.add(value);
                        }
                    });
                }
                producer.flush();
            }
            assertEquals(records, acked.size(), "every record acknowledged before the cut");
            final int leader = cluster.leaderOf("volatile", 0);
            final List<PowerCut.Cut> cuts = cluster.powerCut(leader, random);
            assertFalse(cluster.isRunning(leader), "the leader is down");
            cluster.restart(leader);
            Await.await("a leader and a full ISR after the restart", WAIT, () ->
            {
                final var info = cluster.partition("volatile", 0);
                return info != null && info.leader() >= 0 && info.isr().size() == 3;
            });
            final Set<String> read = new HashSet<>();
            try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(cluster.bootstrapServers(), Map.of()))
            {
                final List<TopicPartition> tps = List.of(new TopicPartition("volatile", 0));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                Await.await("read every acknowledged record or the end offset", WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                    {
                        assertTrue(read.add(r.value()), "duplicate " + r.value());
                    }
                    return read.containsAll(acked) || consumer.position(tps.get(0)) >= consumer.endOffsets(tps).get(tps.get(0));
                });
            }
            final Set<String> lost = new HashSet<>(acked);
            lost.removeAll(read);
            System.out.println("ClusterPowerCutTest leader: " + acked.size() + " acknowledged, " + read.size() + " read back, " +
                lost.size() + " lost; cuts " + cuts);
            assertEquals(0, lost.size(), () -> "acknowledged records lost when the leader alone lost power (seed " + seed + "), for example " +
                lost.stream().sorted().limit(10).toList());
        }
    }
}
