package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.TopicPartition;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts: topics, configs, data, offsets and idempotent-producer state survive a clean stop (in process,
 * and SIGTERM to a broker process) and a kill -9 of a broker process.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class RestartTest
{
    private static final TopicPartition TP = new TopicPartition("kept", 0);

    @TempDir
    Path dir;

    private static List<String> readAll(final String bootstrap, final String topic, final int partition, final int expected)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(bootstrap, Map.of()))
        {
            final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, partition);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    @Test
    void shouldKeepTopicsConfigsDataAndProducerStateAcrossACleanRestart() throws Exception
    {
        final Broker first = TestBrokers.start(dir);
        final int port = first.port();
        final long pid;
        final KafkaProducer<String, String> producer;
        try (Admin admin = TestBrokers.admin(first); RawKafkaClient raw = new RawKafkaClient(port))
        {
            admin.createTopics(List.of(new NewTopic("kept", 2, (short)1).configs(Map.of("flush.policy", "messages:10",
                "retention.ms", "123456789")))).all().get(30, TimeUnit.SECONDS);
            pid = IdempotenceIntegrationTest.initProducerId(raw);
            for (int b = 0; b < 4; b++)
            {
                assertEquals(5L * b, IdempotenceIntegrationTest.produce(raw, "kept", IdempotenceIntegrationTest.batch(pid, (short)0, 5 * b, 5))
                    .baseOffset());
            }
            producer = TestBrokers.producer(first, Map.of(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100",
                ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "100"));
            for (int i = 0; i < 50; i++)
            {
                assertEquals(20 + i, producer.send(new ProducerRecord<>("kept", 0, null, "java-" + i)).get(30, TimeUnit.SECONDS).offset());
            }
        }
        first.close();
        assertTrue(Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "clean-shutdown marker written");
        try (Broker second = Broker.start(TestBrokers.config(dir, Map.of("listeners", "PLAINTEXT://127.0.0.1:" + port)));
            Admin admin = TestBrokers.admin(second); RawKafkaClient raw = new RawKafkaClient(second.port()))
        {
            try
            {
                assertEquals(new io.tidemark.broker.producer.ProducerStates.LoadReport(70, 0), second.producerStates().loadReport(TP),
                    "producer state came back from the shutdown snapshot: nothing replayed");
                // the same Java producer (same producer id, epoch and sequence) carries on across the restart
                for (int i = 50; i < 100; i++)
                {
                    assertEquals(20 + i, producer.send(new ProducerRecord<>("kept", 0, null, "java-" + i)).get(60, TimeUnit.SECONDS).offset());
                }
            }
            finally
            {
                producer.close();
            }
            final ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "kept");
            final Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            assertEquals("messages:10", c.get("flush.policy").value());
            assertEquals("123456789", c.get("retention.ms").value());
            assertEquals(FlushPolicy.messages(10), second.logManager().log(TP).config().flushPolicy());
            assertEquals(2, admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").partitions().size());
            assertEquals(new IdempotenceIntegrationTest.Outcome(Errors.NONE, 10),
                IdempotenceIntegrationTest.produce(raw, "kept", IdempotenceIntegrationTest.batch(pid, (short)0, 10, 5)),
                "a batch sent before the restart is still a duplicate, answered with its original offset");
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                IdempotenceIntegrationTest.produce(raw, "kept", IdempotenceIntegrationTest.batch(pid, (short)0, 40, 5)).error(),
                "the producer is still known: a gap is refused");
            assertEquals(new IdempotenceIntegrationTest.Outcome(Errors.NONE, 120),
                IdempotenceIntegrationTest.produce(raw, "kept", IdempotenceIntegrationTest.batch(pid, (short)0, 20, 5)));
            final List<String> values = readAll(second.bootstrapServers(), "kept", 0, 125);
            assertEquals(125, values.size());
            for (int i = 0; i < 100; i++)
            {
                assertEquals("java-" + i, values.get(20 + i));
            }
            assertEquals("seq-0", values.get(0));
        }
    }

    private Map<String, String> processConfig(final Path logDir)
    {
        final Map<String, String> props = new HashMap<>();
        props.put("log.dirs", logDir.toString());
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "1");
        props.put("socket.request.max.bytes", String.valueOf(8 * 1024 * 1024));
        props.put("queued.max.request.bytes", String.valueOf(64 * 1024 * 1024));
        props.put("log.segment.bytes", String.valueOf(8 * 1024 * 1024));
        props.put("log.segment.preallocate.bytes", String.valueOf(1024 * 1024));
        props.put("producer.state.snapshot.interval.ms", "3600000");
        return props;
    }

    private static Admin admin(final int port)
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port));
    }

    @Test
    void shouldRecoverDataOffsetsAndProducerStateAfterKill9() throws Exception
    {
        final Path logDir = dir.resolve("logs");
        final long pid;
        try (BrokerProcess broker = BrokerProcess.start(dir, processConfig(logDir), "first"))
        {
            try (Admin admin = admin(broker.port()); RawKafkaClient raw = new RawKafkaClient(broker.port()))
            {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
                pid = IdempotenceIntegrationTest.initProducerId(raw);
                for (int b = 0; b < 6; b++)
                {
                    assertEquals(Errors.NONE, IdempotenceIntegrationTest.produce(raw, "kept",
                        IdempotenceIntegrationTest.batch(pid, (short)0, 5 * b, 5)).error());
                }
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + broker.port(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class)))
            {
                for (int i = 0; i < 200; i++)
                {
                    producer.send(new ProducerRecord<>("kept", 0, null, "java-" + i));
                }
                producer.flush();
            }
            broker.kill9();
        }
        assertFalse(Files.exists(logDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "no clean-shutdown marker after kill -9");
        try (BrokerProcess broker = BrokerProcess.start(dir, processConfig(logDir), "second");
            RawKafkaClient raw = new RawKafkaClient(broker.port()))
        {
            assertTrue(broker.output().contains("unclean previous shutdown"), broker.output());
            final List<String> values = readAll("127.0.0.1:" + broker.port(), "kept", 0, 230);
            assertEquals(230, values.size(), "every acknowledged record is there after kill -9 (the page cache survives it)");
            assertEquals("seq-29", values.get(29));
            assertEquals("java-199", values.get(229));
            assertEquals(new IdempotenceIntegrationTest.Outcome(Errors.NONE, 25),
                IdempotenceIntegrationTest.produce(raw, "kept", IdempotenceIntegrationTest.batch(pid, (short)0, 25, 5)),
                "producer state rebuilt from the log: the duplicate is answered with its original offset");
            assertEquals(new IdempotenceIntegrationTest.Outcome(Errors.NONE, 230),
                IdempotenceIntegrationTest.produce(raw, "kept", IdempotenceIntegrationTest.batch(pid, (short)0, 30, 5)));
        }
    }

    @Test
    void shouldShutDownCleanlyOnSigterm() throws Exception
    {
        final Path logDir = dir.resolve("logs");
        try (BrokerProcess broker = BrokerProcess.start(dir, processConfig(logDir), "first"))
        {
            try (Admin admin = admin(broker.port()))
            {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
            }
            final int exit = broker.terminate();
            assertEquals(143, exit, "terminated by SIGTERM after the shutdown hook ran:\n" + broker.output());
            assertTrue(broker.output().contains("shut down cleanly"), broker.output());
        }
        assertTrue(Files.exists(logDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "clean-shutdown marker written");
        try (BrokerProcess broker = BrokerProcess.start(dir, processConfig(logDir), "second"))
        {
            assertTrue(broker.output().contains("clean previous shutdown") && !broker.output().contains("unclean previous shutdown"),
                broker.output());
        }
    }
}
