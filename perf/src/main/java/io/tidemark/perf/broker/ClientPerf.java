package io.tidemark.perf.broker;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A producer and consumer throughput and latency harness on the official kafka-clients, pointed at any
 * Kafka-API bootstrap address (Tidemark or Apache Kafka), in the spirit of {@code kafka-producer-perf-test}
 * and {@code kafka-consumer-perf-test}.
 *
 * <pre>
 *  produce: N records of S random bytes, either as fast as the producer takes them (closed loop, like
 *           kafka-producer-perf-test: the throughput; latency then includes queueing in the client's buffer)
 *           or at a fixed rate (--rate: open loop; latency counts from each record's intended send time,
 *           so a stall is charged to every record it delays: no coordinated omission). Latency = to the
 *           acknowledgement callback, per record, in an HdrHistogram; the first W records warm up unmeasured.
 *  consume: assign every partition, read from the beginning to the end offsets as of the start; bytes
 *           counted are record values.
 * </pre>
 *
 * Results are printed as one {@code RESULT key=value ...} line per run.
 *
 * <pre>{@code
 * java -cp perf/target/tidemark.jar io.tidemark.perf.broker.ClientPerf produce --bootstrap-server 127.0.0.1:9092 \
 *     --topic bench --records 2000000 --record-size 100 --acks 1
 * }</pre>
 */
@Command(name = "client-perf", mixinStandardHelpOptions = true, description = "Kafka-API producer/consumer throughput and latency.",
    subcommands = { ClientPerf.Produce.class, ClientPerf.Consume.class })
public final class ClientPerf implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ClientPerf()).execute(args));
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    abstract static class Common
    {
        @Option(names = "--bootstrap-server", required = true, description = "Any Kafka-API broker.")
        String bootstrap;

        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--label", defaultValue = "run", description = "Printed with the result (e.g. the broker's name).")
        String label;
    }

    /**
     * The produce side.
     */
    @Command(name = "produce", mixinStandardHelpOptions = true, description = "Produce and measure.")
    static final class Produce extends Common implements Callable<Integer>
    {
        @Option(names = "--records", defaultValue = "1000000")
        long records;

        @Option(names = "--warmup-records", defaultValue = "-1", description = "Unmeasured records first (default: a fifth of --records).")
        long warmup;

        @Option(names = "--record-size", defaultValue = "100")
        int size;

        @Option(names = "--acks", defaultValue = "1", description = "0, 1 or all (all enables idempotence, the client's default).")
        String acks;

        @Option(names = "--rate", defaultValue = "0", description = "Records per second (open loop); 0 = as fast as possible.")
        long rate;

        @Option(names = "--partitions", defaultValue = "3", description = "Partitions if the topic is created.")
        int partitions;

        @Option(names = "--producer-property", description = "Extra producer config KEY=VALUE.")
        List<String> extra = new ArrayList<>();

        @Override
        public Integer call() throws Exception
        {
            createTopic(bootstrap, topic, partitions);
            final Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.ACKS_CONFIG, acks);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf("all".equals(acks) || "-1".equals(acks)));
            for (final String kv : extra)
            {
                final int eq = kv.indexOf('=');
                props.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            final byte[] payload = new byte[size];
            new Random(42).nextBytes(payload);
            final long warm = warmup >= 0 ? warmup : records / 5;
            final Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
            final AtomicReference<Exception> failure = new AtomicReference<>();
            final AtomicLong acked = new AtomicLong();
            final long start;
            final long end;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
            {
                send(producer, payload, warm, null, failure, acked, System.nanoTime());
                producer.flush();
                recorder.reset();
                acked.set(0);
                start = System.nanoTime();
                send(producer, payload, records, recorder, failure, acked, start);
                producer.flush();
                end = System.nanoTime();
            }
            if (failure.get() != null)
            {
                throw failure.get();
            }
            final Histogram h = recorder.getIntervalHistogram();
            final double seconds = (end - start) / 1e9;
            print(System.out, rate > 0 ? "produce-at-rate" : "produce", label, size, acks, records, seconds, h);
            return 0;
        }

        private void send(final KafkaProducer<byte[], byte[]> producer, final byte[] payload, final long count, final Recorder recorder,
            final AtomicReference<Exception> failure, final AtomicLong acked, final long startNs)
        {
            final double intervalNs = rate > 0 ? 1e9 / rate : 0;
            for (long i = 0; i < count && failure.get() == null; i++)
            {
                final long sentNs;
                if (rate > 0)
                {
                    sentNs = startNs + (long)(i * intervalNs);
                    long now;
                    while ((now = System.nanoTime()) < sentNs)
                    {
                        if (sentNs - now > 50_000)
                        {
                            java.util.concurrent.locks.LockSupport.parkNanos(sentNs - now - 20_000);
                        }
                        else
                        {
                            Thread.onSpinWait();
                        }
                    }
                }
                else
                {
                    sentNs = System.nanoTime();
                }
                producer.send(new ProducerRecord<>(topic, payload), (metadata, ex) ->
                {
                    if (ex != null)
                    {
                        failure.compareAndSet(null, ex);
                        return;
                    }
                    if (recorder != null)
                    {
                        recorder.recordValue(Math.min(TimeUnit.SECONDS.toMicros(60), (System.nanoTime() - sentNs) / 1000));
                    }
                    acked.incrementAndGet();
                });
            }
        }
    }

    /**
     * The consume side.
     */
    @Command(name = "consume", mixinStandardHelpOptions = true, description = "Consume the topic from the beginning and measure.")
    static final class Consume extends Common implements Callable<Integer>
    {
        @Option(names = "--fetch-max-bytes", defaultValue = "52428800")
        int fetchMaxBytes;

        @Option(names = "--max-partition-fetch-bytes", defaultValue = "1048576")
        int partitionMaxBytes;

        @Override
        public Integer call()
        {
            final Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchMaxBytes);
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, partitionMaxBytes);
            long count = 0;
            long bytes = 0;
            final long start;
            final long end;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props))
            {
                final List<TopicPartition> tps = new ArrayList<>();
                for (final PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30)))
                {
                    tps.add(new TopicPartition(topic, p.partition()));
                }
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                final long expected = consumer.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum() -
                    consumer.beginningOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
                start = System.nanoTime();
                while (count < expected)
                {
                    for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)))
                    {
                        count++;
                        bytes += r.value() == null ? 0 : r.value().length;
                    }
                    if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10))
                    {
                        throw new IllegalStateException("read " + count + " of " + expected + " records in 10 minutes");
                    }
                }
                end = System.nanoTime();
            }
            final double seconds = (end - start) / 1e9;
            System.out.printf("RESULT label=%s mode=consume records=%d seconds=%.3f records_per_s=%.0f MB_per_s=%.2f%n", label, count, seconds,
                count / seconds, bytes / seconds / (1024 * 1024));
            return 0;
        }
    }

    static void print(final PrintStream out, final String mode, final String label, final int size, final String acks, final long records,
        final double seconds, final Histogram h)
    {
        out.printf("RESULT label=%s mode=%s size=%d acks=%s records=%d seconds=%.3f records_per_s=%.0f MB_per_s=%.2f " +
            "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f%n", label, mode, size, acks, records, seconds, records / seconds,
            records * (double)size / seconds / (1024 * 1024), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
    }

    static void createTopic(final String bootstrap, final String topic, final int partitions) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(60, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (!(ex.getCause() instanceof TopicExistsException))
            {
                throw ex;
            }
        }
    }
}
