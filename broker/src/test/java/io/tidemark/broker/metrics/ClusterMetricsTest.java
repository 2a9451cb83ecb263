package io.tidemark.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;

import io.tidemark.broker.EmbeddedCluster;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-broker cluster: the leader's ReplicaManager metrics follow a follower's crash and return (Kafka's
 * UnderReplicatedPartitions, IsrShrinksPerSec, IsrExpandsPerSec), and a real Prometheus (Debian's
 * {@code prometheus}, installed by {@code .ci/run}) scrapes the brokers' {@code metrics.http.listener}
 * endpoints and answers a PromQL query with every broker's series.
 */
@Tag(Tags.INTEGRATION)
class ClusterMetricsTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "replicated";
    private static final int RECORDS = 10;

    @TempDir
    Path dir;

    private static EmbeddedCluster start(final Path dir)
    {
        return EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 3000)
            .set("broker.heartbeat.interval.ms", 300)
            .set("replica.lag.time.max.ms", 3000)
            .set("replica.fetch.wait.max.ms", 100)
            .set("log.segment.bytes", 4 * 1024 * 1024)
            .set("log.segment.preallocate.bytes", 1024 * 1024)
            .set("metrics.http.listener", "127.0.0.1:0")
            .start();
    }

    private static void createAndProduce(final EmbeddedCluster cluster) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)3))).all().get();
        }
        Await.await("ISR of 3", WAIT, () ->
        {
            final var p = cluster.partition(TOPIC, 0);
            return p != null && p.leader() >= 0 && p.isr().size() == 3;
        });
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
            }
        }
    }

    private static int gauge(final MBeanServer server, final String name) throws Exception
    {
        return ((Number)KafkaJmxNamesTest.value(server, name)).intValue();
    }

    private static int gaugeQuietly(final MBeanServer server, final String name)
    {
        try
        {
            return gauge(server, name);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static long countQuietly(final MBeanServer server, final String name)
    {
        try
        {
            return KafkaJmxNamesTest.count(server, name);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldCountUnderReplicationAndIsrChangesWhenAFollowerIsKilledAndCatchesUp() throws Exception
    {
        try (EmbeddedCluster cluster = start(dir))
        {
            createAndProduce(cluster);
            final int leader = cluster.leaderOf(TOPIC, 0);
            final int victim = (leader + 1) % cluster.size();
            final MBeanServer server = cluster.broker(leader).metrics().registry().mbeanServer();
            final String under = "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions";
            assertEquals(0, gauge(server, under));
            final long shrinksBefore = KafkaJmxNamesTest.count(server, "kafka.server:type=ReplicaManager,name=IsrShrinksPerSec");
            final long expandsBefore = KafkaJmxNamesTest.count(server, "kafka.server:type=ReplicaManager,name=IsrExpandsPerSec");
            assertEquals(RECORDS, KafkaJmxNamesTest.count(server, "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC));
            Await.await("followers' fetches counted as FetchFollower", WAIT,
                () -> countQuietly(server, "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=FetchFollower") > 0);

            cluster.crash(victim);
            Await.await("UnderReplicatedPartitions = 1 on the leader", WAIT, () -> gaugeQuietly(server, under) == 1);
            Await.await("IsrShrinksPerSec counted", WAIT,
                () -> countQuietly(server, "kafka.server:type=ReplicaManager,name=IsrShrinksPerSec") == shrinksBefore + 1);
            assertEquals(1, gauge(server, "kafka.server:type=ReplicaManager,name=LeaderCount"));

            cluster.restart(victim);
            Await.await("UnderReplicatedPartitions = 0 once the follower caught up", WAIT, () -> gaugeQuietly(server, under) == 0);
            Await.await("IsrExpandsPerSec counted", WAIT,
                () -> countQuietly(server, "kafka.server:type=ReplicaManager,name=IsrExpandsPerSec") == expandsBefore + 1);
            final String followerLag = "tidemark.server:type=ReplicationLag,name=Records,topic=" + TOPIC + ",partition=0,follower=" + victim;
            final MBeanServer follower = cluster.broker((leader + 2) % cluster.size()).metrics().registry().mbeanServer();
            final String consumerLag = "kafka.server:type=FetcherLagMetrics,name=ConsumerLag,clientId=ReplicaFetcherThread-0-" + leader +
                ",topic=" + TOPIC + ",partition=0";
            Await.await("the follower's FetcherLagMetrics under its leader's fetcher name, caught up", WAIT,
                () -> follower.isRegistered(KafkaJmxNamesTest.name(consumerLag)) && gaugeQuietly(follower, consumerLag) == 0);
            Await.await("the follower's lag published and 0", WAIT, () -> server.isRegistered(KafkaJmxNamesTest.name(followerLag)) &&
                gaugeQuietly(server, followerLag) == 0);
        }
    }

    private static boolean prometheusInstalled()
    {
        try
        {
            final Process p = new ProcessBuilder("prometheus", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void shouldAnswerAPromQlQueryWhenARealPrometheusScrapesTheCluster() throws Exception
    {
        Assumptions.assumeTrue(prometheusInstalled(), "prometheus is not installed (Debian package prometheus; .ci/run installs it)");
        try (EmbeddedCluster cluster = start(dir))
        {
            createAndProduce(cluster);
            final List<String> targets = new ArrayList<>();
            for (int id = 0; id < cluster.size(); id++)
            {
                targets.add("'127.0.0.1:" + cluster.broker(id).metricsHttpPort() + "'");
            }
            final Path config = Files.writeString(dir.resolve("prometheus.yml"),
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" +
                "scrape_configs:\n  - job_name: tidemark\n    static_configs:\n      - targets: [" + String.join(", ", targets) + "]\n");
            final int port = Ports.freePort();
            final Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            final HttpClient http = HttpClient.newHttpClient();
            try
            {
                final String partitions = "kafka_server_replicamanager_partitioncount{job=\"tidemark\"}";
                Await.await(() -> "3 series of " + partitions + " from Prometheus (log: " + dir.resolve("prometheus.log") + ")", WAIT,
                    () -> series(http, port, partitions) == 3);
                final String messages = "sum(kafka_server_brokertopicmetrics_messagesin_total{topic=\"" + TOPIC + "\"})";
                Await.await("the records produced, summed over the brokers", WAIT,
                    () -> query(http, port, messages).contains("\"" + RECORDS + "\""));
                assertTrue(series(http, port, "jvm_memory_used_bytes{job=\"tidemark\",area=\"heap\"}") == 3, "JVM metrics of each broker");
                assertTrue(series(http, port, "tidemark_log_log_unsyncedrecords{topic=\"" + TOPIC + "\"}") == 3,
                    "the unsynced window of each replica");
            }
            finally
            {
                prometheus.destroy();
                if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS))
                {
                    prometheus.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static String query(final HttpClient http, final int port, final String promql)
    {
        try
        {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" +
                URLEncoder.encode(promql, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        }
        catch (final IOException ex)
        {
            return ""; // not up yet
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static int series(final HttpClient http, final int port, final String promql)
    {
        final String body = query(http, port, promql);
        int n = 0;
        for (int i = body.indexOf("\"metric\""); i >= 0; i = body.indexOf("\"metric\"", i + 1))
        {
            n++;
        }
        return n;
    }
}
