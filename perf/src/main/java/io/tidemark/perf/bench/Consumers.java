package io.tidemark.perf.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Group-less consumers assigned to every partition of a topic.
 */
final class Consumers
{
    private Consumers()
    {
    }

    static KafkaConsumer<byte[], byte[]> assignedToAll(final String bootstrap, final String topic, final Duration timeout)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tidemark-bench-consumer");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
        try
        {
            // a broker that has not applied the topic's creation yet answers with no partitions: ask again
            final long deadline = System.nanoTime() + timeout.toNanos();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            while ((infos == null || infos.isEmpty()) && System.nanoTime() < deadline)
            {
                Thread.sleep(20); // bounded by the deadline; metadata propagates in milliseconds
                infos = consumer.partitionsFor(topic, timeout);
            }
            if (infos == null || infos.isEmpty())
            {
                throw new IllegalStateException("topic " + topic + " has no partitions in the metadata after " + timeout);
            }
            final List<TopicPartition> tps = new ArrayList<>();
            for (final PartitionInfo info : infos)
            {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            return consumer;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw new IllegalStateException("interrupted while waiting for " + topic + "'s metadata", ex);
        }
        catch (final RuntimeException ex)
        {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw ex;
        }
    }
}
