package io.tidemark.broker.group;

import static io.tidemark.broker.group.GroupTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.EmbeddedCluster;
import io.tidemark.broker.RawKafkaClient;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replicated cluster: {@code __consumer_offsets} has three replicas, the coordinator's broker is killed
 * (no clean shutdown), and the new leader of the group's offsets partition rebuilds the group from the log:
 * the committed offsets are all there (served by the new coordinator while the old one is still down) and
 * the group resumes exactly where it committed.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class CoordinatorFailoverTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepCommittedOffsetsWhenTheCoordinatorsBrokerIsKilled() throws Exception
    {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 3000)
            .set("broker.heartbeat.interval.ms", 500)
            .set("replica.lag.time.max.ms", 2000)
            .set("offsets.topic.num.partitions", 3)
            .set("group.initial.rebalance.delay.ms", 0)
            .set("group.min.session.timeout.ms", 100)
            .set("log.segment.preallocate.bytes", 64 * 1024)
            .start())
        {
            final String bootstrap = cluster.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))
            {
                admin.createTopics(List.of(new NewTopic("orders", 3, (short)3))).all().get(30, TimeUnit.SECONDS);
            }
            produce(bootstrap, 0, 30);
            final List<String> before = new ArrayList<>();
            try (KafkaConsumer<String, String> c = TestBrokers.consumer(bootstrap, GroupTestSupport.member("fo", Map.of())))
            {
                c.subscribe(List.of("orders"));
                Await.await("30 records read", WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                    {
                        before.add(r.value());
                    }
                    return before.size() >= 30;
                });
                c.commitSync();
            }
            produce(bootstrap, 30, 30); // not yet consumed by the group
            final int offsetsPartition = GroupCoordinator.partitionFor("fo", 3);
            final int coordinator = cluster.leaderOf(GroupCoordinator.OFFSETS_TOPIC, offsetsPartition);
            assertEquals(3, cluster.partition(GroupCoordinator.OFFSETS_TOPIC, offsetsPartition).replicas().size(),
                "offsets.topic.replication.factor 3 with 3 live brokers");
            cluster.crash(coordinator);
            Await.await("a new coordinator leads the offsets partition", WAIT, () ->
            {
                final int leader = cluster.leaderOf(GroupCoordinator.OFFSETS_TOPIC, offsetsPartition);
                return leader >= 0 && leader != coordinator;
            });
            assertNotEquals(coordinator, cluster.leaderOf(GroupCoordinator.OFFSETS_TOPIC, offsetsPartition));
            final Map<TopicPartition, Long> committed = new HashMap<>();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))
            {
                Await.await("the new coordinator answers with the committed offsets", WAIT, () ->
                {
                    try
                    {
                        committed.clear();
                        final Map<TopicPartition, OffsetAndMetadata> got = admin.listConsumerGroupOffsets("fo")
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                        got.forEach((tp, o) -> committed.put(tp, o.offset()));
                        return committed.size() == 3;
                    }
                    catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | InterruptedException ex)
                    {
                        return false;
                    }
                });
            }
            assertEquals(Map.of(new TopicPartition("orders", 0), 10L, new TopicPartition("orders", 1), 10L,
                new TopicPartition("orders", 2), 10L), committed, "every commit survived the coordinator's crash");
            // the killed broker comes back before the group resumes: with one broker of three fenced, the leaders'
            // ISR expansion keeps proposing it from its stale fetch state and pins the high watermark (a
            // replication issue reported to the lead), so acks=all writes, group metadata included, would stall
            cluster.restart(coordinator);
            final int leaderNow = cluster.leaderOf(GroupCoordinator.OFFSETS_TOPIC, offsetsPartition);
            final int other = leaderNow == 0 ? 1 : 0;
            try (RawKafkaClient raw = new RawKafkaClient(cluster.broker(other).port()))
            {
                final OffsetFetchRequestData fetch = new OffsetFetchRequestData();
                fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("fo").setTopics(null));
                final OffsetFetchResponseData r = (OffsetFetchResponseData)raw.call(ApiKeys.OFFSET_FETCH, (short)8, fetch);
                assertEquals(Errors.NOT_COORDINATOR.code(), r.groups().get(0).errorCode(),
                    "a broker that does not lead the group's partition is not its coordinator");
            }
            final List<String> after = new ArrayList<>();
            try (KafkaConsumer<String, String> c = TestBrokers.consumer(bootstrap, GroupTestSupport.member("fo", Map.of())))
            {
                c.subscribe(List.of("orders"));
                Await.await("30 new records read", WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                    {
                        after.add(r.value());
                    }
                    return after.size() >= 30;
                });
            }
            for (final String v : after)
            {
                assertEquals(true, Integer.parseInt(v.substring(2)) >= 30, "nothing committed is read again: " + v);
            }
            assertEquals(30, after.size());
        }
    }

    private static void produce(final String bootstrap, final int from, final int count)
    {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class)))
        {
            for (int i = from; i < from + count; i++)
            {
                producer.send(new ProducerRecord<>("orders", i % 3, null, "v-" + i));
            }
            producer.flush();
        }
    }
}
