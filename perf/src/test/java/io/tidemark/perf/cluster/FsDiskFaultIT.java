package io.tidemark.perf.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.process.LossyFs;
import io.tidemark.testkit.process.ProcessCluster;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Disk faults from the filesystem under a broker process (issue 17, RELIABILITY §2.7): a broker whose log dir is a
 * lossyfs mount, and the filesystem (not the engine's fault-injecting storage) fails an fsync with EIO or every
 * write with ENOSPC. A failed fsync fails the pending produce with KAFKA_STORAGE_ERROR (Kafka's answer for a
 * partition on an offline log dir), takes the log dir offline (the broker says so in its log) and loses nothing
 * acknowledged, through a power cut of the filesystem; a full disk is KAFKA_STORAGE_ERROR to the producer while the
 * broker keeps serving reads, and produce works again once there is space. Skipped, saying so, where FUSE cannot
 * be used.
 */
@Tag(Tags.FAULT)
class FsDiskFaultIT
{
    private static final String NODE = TidemarkCluster.name(1);

    @TempDir
    Path dir;

    @BeforeEach
    void requireFuse()
    {
        final String why = LossyFs.unavailable().orElse(null);
        assumeTrue(why == null, () -> "FsDiskFaultIT skipped: lossyfs cannot be used here: " + why);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldFailTheProduceAndTakeTheLogDirOfflineAndLoseNothingAcknowledgedWhenTheFilesystemFailsAnFsync() throws Exception
    {
        final String topic = "fsync-eio";
        final List<String> acknowledged = new ArrayList<>();
        final int metricsPort = Ports.freePort();
        try (TidemarkCluster cluster = new TidemarkCluster(dir.resolve("cluster"), 1, false, Map.of("log.flush.policy", "batch",
            "metrics.http.listener", "127.0.0.1:" + metricsPort), true))
        {
            createTopic(cluster, topic);
            final ProcessCluster.Node node = cluster.processes().node(NODE);
            try (KafkaProducer<String, String> producer = producer(cluster, topic, 50, acknowledged))
            {
                node.lossyFs().failNextFsync("/" + topic + "-0/*.log");

                final Throwable failed = sendFailure(producer, topic, value(50));
                assertInstanceOf(KafkaStorageException.class, failed, "the produce whose fsync failed: " + failed);
                final Throwable later = sendFailure(producer, topic, value(51));
                assertInstanceOf(KafkaStorageException.class, later, "a produce after the log dir went offline: " + later);
            }
            final String offline = "log directory " + node.dataDir() + " is offline";
            Await.await(() -> "the broker says \"" + offline + "\":\n" + cluster.tails(40), Duration.ofSeconds(30),
                () -> output(node).contains(offline));
            final String gauge = "kafka_server_replicamanager_offlinereplicacount 1.0";
            Await.await(() -> "the broker's metrics say " + gauge + ":\n" + scrape(metricsPort), Duration.ofSeconds(30),
                () -> scrape(metricsPort).contains(gauge));

            // the fsync failed, so what it covered was never durable: a power cut drops it, and nothing acknowledged
            cluster.processes().powerCut(List.of(NODE), null);
            cluster.processes().start(NODE);
            assertEquals(acknowledged, readAll(cluster, topic, acknowledged.size()),
                () -> "every record acknowledged before the failed fsync, and nothing else:\n" + cluster.tails(40));
        }
    }

    @ParameterizedTest(name = "log.flush.policy={0}")
    @ValueSource(strings = { "none", "batch" })
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldRefuseProducesAndKeepServingReadsWhenTheFilesystemIsFull(final String policy) throws Exception
    {
        final String topic = "disk-full";
        final List<String> acknowledged = new ArrayList<>();
        try (TidemarkCluster cluster = new TidemarkCluster(dir.resolve("cluster"), 1, false, Map.of(
            "log.segment.bytes", Integer.toString(64 * 1024),
            "log.segment.preallocate.bytes", "4096",
            "message.max.bytes", "16384", "log.flush.policy", policy), true))
        {
            createTopic(cluster, topic);
            final ProcessCluster.Node node = cluster.processes().node(NODE);
            try (KafkaProducer<String, String> producer = producer(cluster, topic, 20, acknowledged))
            {
                node.lossyFs().enospc("/" + topic + "-0/*");
                Throwable full = null;
                // appends that fit in the segment's reserved blocks succeed; the next segment cannot be created
                for (int i = 0; i < 2000 && full == null; i++)
                {
                    try
                    {
                        producer.send(new ProducerRecord<>(topic, 0, null, value(acknowledged.size()))).get(30, TimeUnit.SECONDS);
                        acknowledged.add(value(acknowledged.size()));
                    }
                    catch (final ExecutionException ex)
                    {
                        full = ex.getCause();
                    }
                }
                assertNotNull(full, "a produce failed once the filesystem was full");
                assertInstanceOf(KafkaStorageException.class, full, "the produce refused for a full disk: " + full);
                assertEquals(acknowledged, readAll(cluster, topic, acknowledged.size()),
                    () -> "reads served while the disk is full:\n" + cluster.tails(40));

                node.lossyFs().clearFaults();
                producer.send(new ProducerRecord<>(topic, 0, null, value(acknowledged.size()))).get(30, TimeUnit.SECONDS);
                acknowledged.add(value(acknowledged.size()));
            }
            assertEquals(acknowledged, readAll(cluster, topic, acknowledged.size()), "produce works again once there is space");
            assertEquals(ProcessCluster.State.RUNNING, cluster.processes().node(NODE).state(), "the broker kept running");
        }
    }

    private static void createTopic(final TidemarkCluster cluster, final String topic) throws Exception
    {
        cluster.admin().createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get(30, TimeUnit.SECONDS);
        cluster.awaitIsr(topic, 1, Duration.ofSeconds(60));
    }

    private static String value(final int i)
    {
        return "record-" + i + "-" + "v".repeat(1000);
    }

    /**
     * Acknowledges records through a retrying acks=all producer (the topic's leadership may still be reaching the
     * broker when it is created), then returns an acks=all producer without retries, so that the broker's answer to
     * a faulty disk reaches the test as it is.
     */
    private static KafkaProducer<String, String> producer(final TidemarkCluster cluster, final String topic, final int count,
        final List<String> acknowledged) throws Exception
    {
        try (KafkaProducer<String, String> retrying = new KafkaProducer<>(props(cluster, "2147483647"), new StringSerializer(),
            new StringSerializer()))
        {
            for (int i = 0; i < count; i++)
            {
                retrying.send(new ProducerRecord<>(topic, 0, null, value(acknowledged.size()))).get(30, TimeUnit.SECONDS);
                acknowledged.add(value(acknowledged.size()));
            }
        }
        return new KafkaProducer<>(props(cluster, "0"), new StringSerializer(), new StringSerializer());
    }

    private static Properties props(final TidemarkCluster cluster, final String retries)
    {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.RETRIES_CONFIG, retries);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    /** @return why the send failed; fails the test if it succeeded. */
    private static Throwable sendFailure(final KafkaProducer<String, String> producer, final String topic, final String value)
        throws Exception
    {
        try
        {
            final Object metadata = producer.send(new ProducerRecord<>(topic, 0, null, value)).get(40, TimeUnit.SECONDS);
            throw new AssertionError("the produce succeeded: " + metadata);
        }
        catch (final ExecutionException ex)
        {
            return ex.getCause();
        }
    }

    /** @return the values of partition 0, in offset order, once at least {@code expected} are read. */
    private static List<String> readAll(final TidemarkCluster cluster, final String topic, final int expected)
    {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer()))
        {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Await.await("read " + expected + " records of " + topic, Duration.ofSeconds(60), () ->
            {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
                {
                    values.add(r.value());
                }
                return values.size() >= expected && consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp);
            });
        }
        return values;
    }

    /** @return the broker's Prometheus metrics, or the failure to read them. */
    private static String scrape(final int port)
    {
        try
        {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException ex)
        {
            return "cannot scrape: " + ex;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping", ex);
        }
    }

    private static String output(final ProcessCluster.Node node)
    {
        try
        {
            return Files.readString(node.stdoutFile()) + Files.readString(node.stderrFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
