package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The official Java producer and consumer against an in-process broker: every compression codec, with and
 * without idempotence, acks 0/1/all; records read back in order with their offsets, keys, values, headers and
 * timestamps; LogAppendTime topics; ListOffsets; long polls.
 */
@Tag(Tags.INTEGRATION)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientsIntegrationTest
{
    private static final int PARTITIONS = 3;

    @TempDir
    static Path dir;

    private Broker broker;
    private Admin admin;

    @BeforeAll
    void start()
    {
        broker = TestBrokers.start(dir);
        admin = TestBrokers.admin(broker);
    }

    @AfterAll
    void stop()
    {
        admin.close();
        broker.close();
    }

    private void createTopic(final String name, final int partitions, final Map<String, String> configs) throws Exception
    {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short)1).configs(configs))).all().get(30, TimeUnit.SECONDS);
    }

    private record Sent(int partition, long offset, String key, String value, long timestamp, String header)
    {
    }

    private List<Sent> produce(final String topic, final Map<String, Object> producerConfig, final int count) throws Exception
    {
        final List<Sent> sent = new ArrayList<>();
        final List<Future<RecordMetadata>> futures = new ArrayList<>();
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, producerConfig))
        {
            for (int i = 0; i < count; i++)
            {
                final ProducerRecord<String, String> r = new ProducerRecord<>(topic, i % PARTITIONS, 1_700_000_000_000L + i,
                    i % 7 == 0 ? null : "key-" + i, "value-" + i + "-" + "x".repeat(i % 50),
                    List.of(new RecordHeader("h", ("header-" + i).getBytes(StandardCharsets.UTF_8))));
                records.add(r);
                futures.add(producer.send(r));
            }
            producer.flush();
            for (int i = 0; i < count; i++)
            {
                final RecordMetadata m = futures.get(i).get(30, TimeUnit.SECONDS);
                final ProducerRecord<String, String> r = records.get(i);
                sent.add(new Sent(m.partition(), m.offset(), r.key(), r.value(), r.timestamp(), "header-" + i));
            }
        }
        return sent;
    }

    private List<ConsumerRecord<String, String>> consumeAll(final String topic, final int partitions, final int expected,
        final Map<String, Object> consumerConfig)
    {
        final List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(broker, consumerConfig))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got.size() < expected && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }

    private static void assertReadBack(final List<Sent> sent, final List<ConsumerRecord<String, String>> got)
    {
        assertEquals(sent.size(), got.size(), "every record read back exactly once");
        final Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
        got.forEach(r -> byPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r));
        final Map<Integer, Integer> index = new HashMap<>();
        for (final Sent s : sent)
        {
            final int i = index.merge(s.partition(), 1, Integer::sum) - 1;
            final ConsumerRecord<String, String> r = byPartition.get(s.partition()).get(i);
            assertEquals(i, r.offset(), "offsets are dense from 0 in send order");
            assertEquals(s.offset(), r.offset(), "the offset the producer was told");
            assertEquals(s.key(), r.key());
            assertEquals(s.value(), r.value());
            assertEquals(s.timestamp(), r.timestamp());
            assertEquals(TimestampType.CREATE_TIME, r.timestampType());
            assertArrayEquals(s.header().getBytes(StandardCharsets.UTF_8), r.headers().lastHeader("h").value());
        }
    }

    @ParameterizedTest(name = "compression={0} idempotence={1}")
    @CsvSource({ "none,true", "none,false", "gzip,true", "gzip,false", "snappy,true", "lz4,true", "lz4,false", "zstd,true", "zstd,false" })
    void shouldRoundTripRecordsWithEveryCodec(final String codec, final boolean idempotence) throws Exception
    {
        final String topic = "codec-" + codec + "-" + idempotence;
        createTopic(topic, PARTITIONS, Map.of());
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(idempotence));
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        final List<Sent> sent = produce(topic, config, 600);
        assertReadBack(sent, consumeAll(topic, PARTITIONS, sent.size(), Map.of()));
    }

    @ParameterizedTest(name = "acks={0}")
    @CsvSource({ "0", "1", "all" })
    void shouldProduceWithEveryAcksSetting(final String acks) throws Exception
    {
        final String topic = "acks-" + acks;
        createTopic(topic, PARTITIONS, Map.of());
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(!"0".equals(acks) && !"1".equals(acks)));
        final List<Sent> sent = produce(topic, config, 300);
        final List<ConsumerRecord<String, String>> got = consumeAll(topic, PARTITIONS, sent.size(), Map.of());
        if ("0".equals(acks))
        {
            // acks=0: the producer is told no offsets (-1); the records are still all there, in order
            assertEquals(sent.size(), got.size());
            sent.forEach(s -> assertEquals(-1, s.offset()));
        }
        else
        {
            assertReadBack(sent, got);
        }
    }

    @Test
    void shouldStampLogAppendTimeOnLogAppendTimeTopics() throws Exception
    {
        createTopic("append-time", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        final long before = System.currentTimeMillis();
        final RecordMetadata m;
        try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of()))
        {
            m = producer.send(new ProducerRecord<>("append-time", 0, 1000L, "k", "v")).get(30, TimeUnit.SECONDS);
        }
        final long after = System.currentTimeMillis();
        assertTrue(m.timestamp() >= before && m.timestamp() <= after, "the producer is told the broker's append time: " + m.timestamp());
        final ConsumerRecord<String, String> r = consumeAll("append-time", 1, 1, Map.of()).get(0);
        assertEquals(TimestampType.LOG_APPEND_TIME, r.timestampType());
        assertEquals(m.timestamp(), r.timestamp());
    }

    @Test
    void shouldListOffsetsEarliestLatestByTimestampAndMaxTimestampInsideCompressedBatches() throws Exception
    {
        createTopic("times", 1, Map.of());
        final Map<String, Object> config = Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip", ProducerConfig.LINGER_MS_CONFIG, "50",
            ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, config))
        {
            final List<Future<RecordMetadata>> fs = new ArrayList<>();
            for (int i = 0; i < 100; i++)
            {
                // timestamps 10000, 10010, ... except one much later record in the middle (the max)
                fs.add(producer.send(new ProducerRecord<>("times", 0, i == 80 ? 99_000L : 10_000L + 10L * i, null, "v" + i)));
            }
            for (final Future<RecordMetadata> f : fs)
            {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        final TopicPartition tp = new TopicPartition("times", 0);
        try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(broker, Map.of()))
        {
            assertEquals(0L, consumer.beginningOffsets(List.of(tp)).get(tp));
            assertEquals(100L, consumer.endOffsets(List.of(tp)).get(tp));
            final OffsetAndTimestamp at = consumer.offsetsForTimes(Map.of(tp, 10_505L)).get(tp);
            assertEquals(51, at.offset(), "first record at or after the time, inside a compressed batch");
            assertEquals(10_510L, at.timestamp());
            assertNull(consumer.offsetsForTimes(Map.of(tp, 100_000L)).get(tp), "no record that late");
        }
        final ListOffsetsResult.ListOffsetsResultInfo max = admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp)
            .get(30, TimeUnit.SECONDS);
        assertEquals(80, max.offset(), "the record carrying the largest timestamp");
        assertEquals(99_000L, max.timestamp());
        assertEquals(100, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset());
        assertEquals(0, admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset());
    }

    @Test
    void shouldWakeALongPollWhenDataArrivesAndAnswerAtMaxWaitOtherwise() throws Exception
    {
        createTopic("long-poll", 1, Map.of());
        final TopicPartition tp = new TopicPartition("long-poll", 0);
        final Map<String, Object> waitLong = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20000", ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1",
            ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
        try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(broker, waitLong);
            KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of()))
        {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            assertEquals(0, consumer.position(tp));
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing yet: the fetch waits in the broker");
            producer.send(new ProducerRecord<>("long-poll", 0, null, "wake")).get(30, TimeUnit.SECONDS);
            final long start = System.nanoTime();
            final List<ConsumerRecord<String, String>> got = new ArrayList<>();
            while (got.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15))
            {
                consumer.poll(Duration.ofMillis(100)).forEach(got::add);
            }
            assertEquals("wake", got.get(0).value(), "the waiting fetch was answered when data arrived, well before its 20 s max wait");
        }
        final Map<String, Object> bigMin = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "300", ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
            String.valueOf(1024 * 1024));
        try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(broker, bigMin))
        {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final List<ConsumerRecord<String, String>> got = new ArrayList<>();
            final long start = System.nanoTime();
            while (got.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15))
            {
                consumer.poll(Duration.ofMillis(100)).forEach(got::add);
            }
            assertNotNull(got.isEmpty() ? null : got.get(0), "below minBytes, the fetch is answered at its max wait with what there is");
        }
    }

    @Test
    void shouldAutoCreateTopicsOnFirstUse() throws Exception
    {
        try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of()))
        {
            assertEquals(0, producer.send(new ProducerRecord<>("auto-created", "v")).get(30, TimeUnit.SECONDS).offset());
        }
        assertEquals(1, admin.describeTopics(List.of("auto-created")).allTopicNames().get().get("auto-created").partitions().size(),
            "num.partitions=1");
    }
}
