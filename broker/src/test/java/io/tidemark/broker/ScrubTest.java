package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tidemark.engine.CorruptBatch;
import io.tidemark.engine.TopicPartition;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.process.Corruption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 8 on one broker: a flipped byte in the first batch of the oldest segment, after a clean
 * shutdown, was served to consumers as it was (a consumer that does not check CRCs printed the altered
 * value). Now the scrubber finds it after the restart and a fetch of that range is refused while every
 * other range is served.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class ScrubTest
{
    private static final String TOPIC = "scrubbed";
    private static final int RECORDS = 60;

    @TempDir
    Path dir;

    static String value(final int i)
    {
        return String.format("value-%04d-of-a-record-worth-keeping", i);
    }

    /**
     * @return the position of the first occurrence of {@code text} in {@code file}.
     */
    static long positionOf(final Path file, final String text) throws IOException
    {
        final byte[] data = Files.readAllBytes(file);
        final byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + needle.length <= data.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (data[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(text + " not in " + file);
    }

    private static List<ConsumerRecord<String, String>> poll(final KafkaConsumer<String, String> consumer, final int expected)
    {
        final List<ConsumerRecord<String, String>> got = new ArrayList<>();
        Await.await("records read", Duration.ofSeconds(30), () ->
        {
            for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100)))
            {
                got.add(r);
            }
            return got.size() >= expected;
        });
        return got;
    }

    @Test
    void shouldRefuseTheCorruptFirstBatchOfTheOldestSegmentAfterACleanRestartAndServeTheRest() throws Exception
    {
        try (Broker broker = TestBrokers.start(dir))
        {
            try (Admin admin = TestBrokers.admin(broker))
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1).configs(Map.of("segment.bytes", "2048", "max.message.bytes", "1024")))).all().get();
            }
            try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of()))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, value(i))).get(); // one batch each
                }
            }
            assertTrue(broker.logManager().log(new TopicPartition(TOPIC, 0)).segmentCount() > 2, "several sealed segments");
        }
        final Path oldest = dir.resolve(TOPIC + "-0").resolve("00000000000000000000.log");
        final String done = Corruption.flipBit(positionOf(oldest, value(0)) + 4, 0).apply(oldest); // "value-0000" -> "valud-0000"
        assertTrue(done.contains("flipped"), done);

        try (Broker broker = TestBrokers.start(dir))
        {
            Await.await("the scrubber finds the corrupt batch", Duration.ofSeconds(30),
                () -> broker.logManager().scrubber().corruptBatchesFound() == 1);
            final List<CorruptBatch> bad = broker.logManager().log(new TopicPartition(TOPIC, 0)).corruptBatches();
            assertEquals(1, bad.size());
            assertEquals(0, bad.get(0).firstOffset());
            assertEquals(0, bad.get(0).lastOffset());
            assertEquals(oldest, bad.get(0).segmentFile());

            final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(TOPIC, 0);
            try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(broker, Map.of(ConsumerConfig.CHECK_CRCS_CONFIG, "false")))
            {
                consumer.assign(Set.of(tp));
                consumer.seek(tp, 0);
                final KafkaException refused = assertThrows(KafkaException.class, () ->
                {
                    for (int i = 0; i < 100; i++)
                    {
                        for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100)))
                        {
                            throw new AssertionError("served offset " + r.offset() + " = " + r.value() + " from the corrupt range");
                        }
                    }
                });
                assertNotNull(refused.getMessage());
                assertTrue(refused.getMessage().contains("corrupt"), refused.getMessage());

                consumer.seek(tp, 1);
                final List<ConsumerRecord<String, String>> rest = poll(consumer, RECORDS - 1);
                assertEquals(RECORDS - 1, rest.size());
                for (int i = 0; i < rest.size(); i++)
                {
                    assertEquals(i + 1, rest.get(i).offset());
                    assertEquals(value(i + 1), rest.get(i).value());
                }
            }
        }
    }
}
