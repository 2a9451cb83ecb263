package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest
{
    @TempDir
    Path dir;

    @Test
    void produceAndConsume() throws Exception
    {
        try (Broker broker = TestBrokers.start(dir))
        {
            try (Admin admin = TestBrokers.admin(broker))
            {
                admin.createTopics(List.of(new NewTopic("t", 2, (short)1))).all().get();
                System.out.println(admin.listTopics().names().get());
            }
            try (KafkaProducer<String, String> p = TestBrokers.producer(broker, Map.of()))
            {
                for (int i = 0; i < 10; i++)
                {
                    final RecordMetadata m = p.send(new ProducerRecord<>("t", 0, "k" + i, "v" + i)).get();
                    assertEquals(i, m.offset());
                }
            }
            try (KafkaConsumer<String, String> c = TestBrokers.consumer(broker, Map.of()))
            {
                c.assign(Set.of(new TopicPartition("t", 0)));
                final List<ConsumerRecord<String, String>> got = new ArrayList<>();
                final long deadline = System.currentTimeMillis() + 20000;
                while (got.size() < 10 && System.currentTimeMillis() < deadline)
                {
                    c.poll(Duration.ofMillis(200)).forEach(got::add);
                }
                assertEquals(10, got.size());
                assertEquals("v9", got.get(9).value());
            }
        }
    }
}
