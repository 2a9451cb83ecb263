package io.tidemark.broker;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.tidemark.broker.config.BrokerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test helpers: a broker on loopback with an ephemeral port and small limits, and official clients for it.
 */
public final class TestBrokers
{
    private TestBrokers()
    {
    }

    /**
     * @param dir   the log directory.
     * @param extra more settings.
     * @return a configuration for tests.
     */
    public static BrokerConfig config(final Path dir, final Map<String, String> extra)
    {
        final Map<String, String> props = new HashMap<>();
        props.put("log.dirs", dir.toAbsolutePath().toString());
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("num.io.threads", "4");
        props.put("num.network.threads", "2");
        props.put("socket.request.max.bytes", String.valueOf(8 * 1024 * 1024));
        props.put("queued.max.request.bytes", String.valueOf(32 * 1024 * 1024));
        props.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        props.put("log.segment.preallocate.bytes", String.valueOf(1024 * 1024));
        props.putAll(extra);
        return BrokerConfig.parse(props);
    }

    /**
     * @param dir the log directory.
     * @return a started broker.
     */
    public static Broker start(final Path dir)
    {
        return Broker.start(config(dir, Map.of()));
    }

    /**
     * @param broker the broker.
     * @return an admin client.
     */
    public static Admin admin(final Broker broker)
    {
        final Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }

    /**
     * @param broker the broker.
     * @param extra  more producer settings.
     * @return a string producer.
     */
    public static KafkaProducer<String, String> producer(final Broker broker, final Map<String, Object> extra)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    /**
     * @param broker the broker.
     * @param extra  more producer settings.
     * @return a bytes producer.
     */
    public static KafkaProducer<byte[], byte[]> bytesProducer(final Broker broker, final Map<String, Object> extra)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    /**
     * @param broker the broker.
     * @param extra  more consumer settings.
     * @return a string consumer without a group (use assign).
     */
    public static KafkaConsumer<String, String> consumer(final Broker broker, final Map<String, Object> extra)
    {
        return consumer(broker.bootstrapServers(), extra);
    }

    /**
     * @param bootstrap bootstrap servers.
     * @param extra     more consumer settings.
     * @return a string consumer without a group (use assign).
     */
    public static KafkaConsumer<String, String> consumer(final String bootstrap, final Map<String, Object> extra)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }

    /**
     * @param broker the broker.
     * @return a bytes consumer without a group.
     */
    public static KafkaConsumer<byte[], byte[]> bytesConsumer(final Broker broker)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p);
    }
}
