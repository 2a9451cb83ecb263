package io.tidemark.broker.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Helpers for group tests: a broker with fast group settings, producing, and consumers that record what
 * they own.
 */
final class GroupTestSupport
{
    static final Duration WAIT = Duration.ofSeconds(60);

    private GroupTestSupport()
    {
    }

    /**
     * Broker settings for tests: few offsets partitions, no initial rebalance delay, short sessions allowed.
     */
    static Map<String, String> brokerSettings()
    {
        final Map<String, String> m = new HashMap<>();
        m.put("offsets.topic.num.partitions", "3");
        m.put("group.initial.rebalance.delay.ms", "0");
        m.put("group.min.session.timeout.ms", "100");
        m.put("log.segment.preallocate.bytes", String.valueOf(64 * 1024));
        return m;
    }

    static Broker start(final Path dir)
    {
        return Broker.start(TestBrokers.config(dir, brokerSettings()));
    }

    static void createTopic(final Broker broker, final String topic, final int partitions) throws Exception
    {
        try (Admin admin = TestBrokers.admin(broker))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Produces {@code count} records "v-i" spread round robin over the partitions, acks=all.
     */
    static void produce(final Broker broker, final String topic, final int partitions, final int from, final int count)
    {
        try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of("acks", "all")))
        {
            for (int i = from; i < from + count; i++)
            {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, "v-" + i));
            }
            producer.flush();
        }
    }

    /**
     * @return consumer settings for a group member with a short session.
     */
    static Map<String, Object> member(final String group, final Map<String, Object> extra)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "2000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "100");
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "30000");
        p.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(extra);
        return p;
    }

    static KafkaConsumer<String, String> consumer(final Broker broker, final String group, final Map<String, Object> extra)
    {
        return TestBrokers.consumer(broker, member(group, extra));
    }

    static OffsetAndMetadata committed(final Broker broker, final String group, final TopicPartition tp) throws Exception
    {
        try (Admin admin = TestBrokers.admin(broker))
        {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(tp);
        }
    }

    /**
     * Records every assignment a consumer had, by generation order of callbacks.
     */
    static final class Ownership implements ConsumerRebalanceListener
    {
        final List<Set<TopicPartition>> history = new CopyOnWriteArrayList<>();
        final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            owned.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
            owned.addAll(partitions);
            history.add(Set.copyOf(owned));
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions)
        {
            owned.removeAll(partitions);
        }

        Set<TopicPartition> owned()
        {
            return Set.copyOf(owned);
        }
    }

    static List<TopicPartition> partitions(final String topic, final int count)
    {
        final List<TopicPartition> list = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            list.add(new TopicPartition(topic, i));
        }
        return list;
    }
}
