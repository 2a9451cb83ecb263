package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.producer.ProducerStateManager;
import io.tidemark.engine.TopicPartition;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent producers: Kafka's sequence and epoch rules on hand-built batches, duplicates of any of the
 * last five batches answered with their original offsets and not appended, and the official producer
 * retrying through lost acknowledgements without writing anything twice.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class IdempotenceIntegrationTest
{
    private static final TopicPartition TP = new TopicPartition("idem", 0);

    @TempDir
    Path dir;

    static MemoryRecords batch(final long pid, final short epoch, final int baseSequence, final int count)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new SimpleRecord(("seq-" + (baseSequence + i)).getBytes());
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, baseSequence, records);
    }

    record Outcome(Errors error, long baseOffset)
    {
    }

    static Outcome produce(final RawKafkaClient c, final String topic, final MemoryRecords records) throws IOException
    {
        final ProduceResponseData r = (ProduceResponseData)c.call(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce(topic, 0, records, (short)-1));
        final ProduceResponseData.PartitionProduceResponse p = r.responses().iterator().next().partitionResponses().get(0);
        return new Outcome(Errors.forCode(p.errorCode()), p.baseOffset());
    }

    static long initProducerId(final RawKafkaClient c) throws IOException
    {
        final InitProducerIdResponseData r = (InitProducerIdResponseData)c.call(ApiKeys.INIT_PRODUCER_ID, (short)4,
            new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(Integer.MAX_VALUE).setProducerId(-1)
                .setProducerEpoch((short)-1));
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(0, r.producerEpoch());
        return r.producerId();
    }

    @Test
    void shouldApplyKafkasSequenceAndEpochRules() throws Exception
    {
        try (Broker broker = TestBrokers.start(dir); RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            broker.controller().createTopic("idem", 1, (short)1, null, Map.of(), false).join();
            final long pid = initProducerId(c);
            assertEquals(new Outcome(Errors.NONE, 0), produce(c, "idem", batch(pid, (short)0, 0, 5)));
            assertEquals(new Outcome(Errors.NONE, 5), produce(c, "idem", batch(pid, (short)0, 5, 5)));
            assertEquals(new Outcome(Errors.NONE, 0), produce(c, "idem", batch(pid, (short)0, 0, 5)), "a duplicate: the original offset");
            assertEquals(10, broker.logManager().log(TP).logEndOffset(), "the duplicate was not appended");
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, produce(c, "idem", batch(pid, (short)0, 20, 5)).error(), "a gap");
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, produce(c, "idem", batch(pid, (short)1, 3, 5)).error(),
                "a new epoch starts at sequence 0");
            assertEquals(new Outcome(Errors.NONE, 10), produce(c, "idem", batch(pid, (short)1, 0, 5)), "epoch bump (KIP-360)");
            assertEquals(Errors.INVALID_PRODUCER_EPOCH, produce(c, "idem", batch(pid, (short)0, 10, 5)).error(), "a fenced epoch");
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, produce(c, "idem", batch(987_654L, (short)0, 77, 1)).error(),
                "an unknown producer id starts at sequence 0 on a partition that remembers its whole history");
            assertEquals(new Outcome(Errors.NONE, 15), produce(c, "idem", batch(987_654L, (short)0, 0, 1)), "and is accepted there");
            assertEquals(16, broker.logManager().log(TP).logEndOffset(), "nothing refused was appended");
            assertTrue(initProducerId(c) != pid, "every InitProducerId gets a fresh id");
        }
    }

    @Test
    void shouldAnswerDuplicatesOfAnyOfTheLastFiveBatchesWithTheirOriginalOffsets() throws Exception
    {
        try (Broker broker = TestBrokers.start(dir); RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            broker.controller().createTopic("idem", 1, (short)1, null, Map.of(), false).join();
            final long pid = initProducerId(c);
            final long[] offsets = new long[8];
            for (int b = 0; b < 8; b++)
            {
                offsets[b] = produce(c, "idem", batch(pid, (short)0, 3 * b, 3)).baseOffset();
            }
            for (int b = 3; b < 8; b++)
            {
                assertEquals(new Outcome(Errors.NONE, offsets[b]), produce(c, "idem", batch(pid, (short)0, 3 * b, 3)), "batch " + b);
            }
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, produce(c, "idem", batch(pid, (short)0, 3 * 2, 3)).error(),
                "the sixth-newest batch is outside the window");
            assertEquals(24, broker.logManager().log(TP).logEndOffset());
            assertEquals(5, broker.producerStates().manager(TP).duplicates());
        }
    }

    @Test
    void shouldWrapTheSequenceAfterIntegerMaxValue() throws Exception
    {
        // a producer can only be at sequence Integer.MAX_VALUE - 1 on its first batch where the partition may have
        // forgotten it: here its state is restored from the snapshot of a clean shutdown
        try (Broker broker = TestBrokers.start(dir); RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            broker.controller().createTopic("idem", 1, (short)1, null, Map.of(), false).join();
            assertEquals(Errors.NONE, produce(c, "idem", batch(initProducerId(c), (short)0, 0, 1)).error());
        }
        try (Broker broker = TestBrokers.start(dir); RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final long pid = initProducerId(c);
            assertEquals(Errors.NONE, produce(c, "idem", batch(pid, (short)0, Integer.MAX_VALUE - 1, 2)).error());
            assertEquals(Errors.NONE, produce(c, "idem", batch(pid, (short)0, 0, 2)).error(), "Integer.MAX_VALUE is followed by 0");
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, produce(c, "idem", batch(pid, (short)0, 5, 1)).error());
        }
    }

    @Test
    void shouldNotWriteTwiceWhenAcknowledgementsAreLost() throws Exception
    {
        final int records = 3000;
        try (ResponseDroppingProxy proxy = new ResponseDroppingProxy(n -> n == 3 || n == 12 || n == 25))
        {
            final Map<String, String> props = new HashMap<>();
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port());
            try (Broker broker = Broker.start(TestBrokers.config(dir, props)))
            {
                proxy.target(broker.port());
                broker.controller().createTopic("idem", 1, (short)1, null, Map.of(), false).join();
                final Map<String, Object> config = Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5", ProducerConfig.LINGER_MS_CONFIG, "2",
                    ProducerConfig.BATCH_SIZE_CONFIG, "1024", ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
                final List<Future<RecordMetadata>> futures = new ArrayList<>();
                try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, config))
                {
                    for (int i = 0; i < records; i++)
                    {
                        futures.add(producer.send(new ProducerRecord<>("idem", 0, null, "v-" + i)));
                    }
                    producer.flush();
                    for (int i = 0; i < records; i++)
                    {
                        assertEquals(i, futures.get(i).get(30, TimeUnit.SECONDS).offset(), "record " + i + " at its place");
                    }
                }
                assertEquals(3, proxy.dropped(), "three acknowledgements were lost");
                assertTrue(broker.producerStates().manager(TP).duplicates() >= 3, "the retried batches were recognised as duplicates");
                assertEquals(records, broker.logManager().log(TP).logEndOffset(), "each record written exactly once");
                final List<String> values = new ArrayList<>();
                try (KafkaConsumer<String, String> consumer = TestBrokers.consumer(broker, Map.of()))
                {
                    final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("idem", 0);
                    consumer.assign(Set.of(tp));
                    consumer.seekToBeginning(Set.of(tp));
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (values.size() < records && System.nanoTime() < deadline)
                    {
                        for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                        {
                            values.add(r.value());
                        }
                    }
                }
                for (int i = 0; i < records; i++)
                {
                    assertEquals("v-" + i, values.get(i));
                }
                assertEquals(records, values.size());
            }
        }
    }

    @Test
    void shouldKeepProducerStateUntilExpiredOnly() throws Exception
    {
        try (Broker broker = TestBrokers.start(dir); RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            broker.controller().createTopic("idem", 1, (short)1, null, Map.of(), false).join();
            final long pid = initProducerId(c);
            produce(c, "idem", batch(pid, (short)0, 0, 2));
            final ProducerStateManager state = broker.producerStates().manager(TP);
            assertEquals(0, state.epochOf(pid));
            assertEquals(1, state.lastSequenceOf(pid));
            assertEquals(0, state.expire(System.currentTimeMillis(), 86_400_000L), "not yet");
            assertEquals(1, state.expire(System.currentTimeMillis() + 1000, 1), "silent longer than the expiration");
            assertEquals(-1, state.epochOf(pid));
        }
    }
}
