package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tidemark.engine.Log;
import io.tidemark.engine.LogCursor;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.record.RecordFlyweight;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.process.Corruption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 8 on a replicated partition (RF 3): a sealed batch corrupted on one replica is repaired
 * from the in-sync others. A corrupt leader hands leadership to another ISR member, truncates before the
 * bad range and fetches it again; a corrupt follower does the same without the handoff. Each time the
 * repaired log ends identical to the others and a consumer reads every acknowledged record intact.
 */
@Tag(Tags.FAULT)
class ScrubClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "repaired";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 60;

    @TempDir
    Path dir;

    private EmbeddedCluster start()
    {
        return EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 3000)
            .set("broker.heartbeat.interval.ms", 300)
            .set("replica.lag.time.max.ms", 3000)
            .set("replica.fetch.wait.max.ms", 100)
            .set("log.segment.preallocate.bytes", 4096)
            .set("log.scrub.interval.ms", 200) // passes follow each other: a byte flipped under a running broker is found
            .start();
    }

    private static Admin admin(final EmbeddedCluster cluster)
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static String value(final int i)
    {
        return String.format("acknowledged-%04d", i);
    }

    private static void produce(final EmbeddedCluster cluster) throws Exception
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value(i))).get(); // one batch each, acknowledged
            }
        }
    }

    /**
     * @return every record of a replica's log as "offset=value".
     */
    private static List<String> records(final Log log)
    {
        final List<String> out = new ArrayList<>();
        try (LogCursor cursor = log.cursor().seek(log.logStartOffset()))
        {
            while (cursor.nextRecord())
            {
                final RecordFlyweight r = cursor.record();
                out.add(r.offset() + "=" + new String(r.valueBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Log log(final EmbeddedCluster cluster, final int node)
    {
        return cluster.broker(node).logManager().log(TP);
    }

    private static boolean identical(final EmbeddedCluster cluster)
    {
        final List<String> first = records(log(cluster, 0));
        return first.size() == RECORDS && first.equals(records(log(cluster, 1))) && first.equals(records(log(cluster, 2)));
    }

    private static List<String> consumeAll(final EmbeddedCluster cluster)
    {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c))
        {
            final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(TOPIC, 0);
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 0);
            Await.await("every acknowledged record consumed", WAIT, () ->
            {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100)))
                {
                    values.add(r.value());
                }
                return values.size() >= RECORDS;
            });
        }
        return values;
    }

    /**
     * Creates the topic (small segments, so most batches are sealed), writes the acknowledged records and
     * waits until every replica holds them.
     */
    private static void prepare(final EmbeddedCluster cluster) throws Exception
    {
        try (Admin admin = admin(cluster))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)3).configs(Map.of("min.insync.replicas", "2",
                "segment.bytes", "2048", "max.message.bytes", "1024")))).all().get();
        }
        Await.await("ISR of 3", WAIT, () ->
        {
            final PartitionInfo p = cluster.partition(TOPIC, 0);
            return p != null && p.leader() >= 0 && p.isr().size() == 3;
        });
        produce(cluster);
        Await.await("every replica holds every record", WAIT, () -> identical(cluster));
        assertTrue(log(cluster, 0).segmentCount() > 2, "several sealed segments");
    }

    private static void corruptFirstBatch(final EmbeddedCluster cluster, final int node) throws Exception
    {
        final Path oldest = cluster.nodeDir(node).resolve(TOPIC + "-0").resolve("00000000000000000000.log");
        final long position = ScrubTest.positionOf(oldest, value(0));
        final String done = Corruption.flipBit(position + 2, 1).apply(oldest);
        assertTrue(done.contains("flipped"), done);
    }

    private static void awaitRepaired(final EmbeddedCluster cluster, final int node)
    {
        Await.await(() -> "broker " + node + " repaired: " + log(cluster, node).corruptBatches() + ", " + cluster.partition(TOPIC, 0),
            WAIT, () ->
            {
                final PartitionInfo p = cluster.partition(TOPIC, 0);
                return log(cluster, node).corruptBatches().isEmpty() && identical(cluster) && p != null && p.isr().size() == 3;
            });
    }

    @Test
    void shouldMoveLeadershipAwayFromACorruptLeaderAndRepairItsLogFromTheIsr() throws Exception
    {
        try (EmbeddedCluster cluster = start())
        {
            prepare(cluster);
            final int leader = cluster.leaderOf(TOPIC, 0);
            corruptFirstBatch(cluster, leader); // under the running broker: the page cache, and so its mapping, change

            Await.await("the leader's scrubber finds the batch", WAIT,
                () -> cluster.broker(leader).logManager().scrubber().corruptBatchesFound() >= 1);
            Await.await("leadership moves away from broker " + leader, WAIT, () ->
            {
                final int now = cluster.leaderOf(TOPIC, 0);
                return now >= 0 && now != leader;
            });
            awaitRepaired(cluster, leader);
            assertNotEquals(leader, cluster.leaderOf(TOPIC, 0));

            final List<String> consumed = consumeAll(cluster);
            for (int i = 0; i < RECORDS; i++)
            {
                assertEquals(value(i), consumed.get(i));
            }
        }
    }

    @Test
    void shouldRepairACorruptFollowerFromItsLeader() throws Exception
    {
        try (EmbeddedCluster cluster = start())
        {
            prepare(cluster);
            final int leader = cluster.leaderOf(TOPIC, 0);
            final int follower = (leader + 1) % 3;
            corruptFirstBatch(cluster, follower);

            Await.await("the follower's scrubber finds the batch", WAIT,
                () -> cluster.broker(follower).logManager().scrubber().corruptBatchesFound() >= 1);
            awaitRepaired(cluster, follower);
            assertEquals(leader, cluster.leaderOf(TOPIC, 0), "a follower's repair needs no election");
            assertEquals(List.of(), log(cluster, follower).corruptBatches());

            final List<String> consumed = consumeAll(cluster);
            for (int i = 0; i < RECORDS; i++)
            {
                assertEquals(value(i), consumed.get(i));
            }
        }
    }
}
