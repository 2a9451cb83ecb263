package io.tidemark.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import io.tidemark.broker.Broker;
import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.http.listener}: validated, off by default, and when set serving the broker's metrics and
 * the JVM's in Prometheus' text format.
 */
class MetricsHttpEndpointTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAMetricsListenerThatIsNotHostAndPort()
    {
        for (final String bad : new String[] { "9404", "127.0.0.1:70000", "http://127.0.0.1:9404", "127.0.0.1:x" })
        {
            final ConfigException ex = assertThrows(ConfigException.class,
                () -> BrokerConfig.builder().logDirs(dir).set("metrics.http.listener", bad).build(), bad);
            assertTrue(ex.getMessage().contains("metrics.http.listener"), ex.getMessage());
        }
        BrokerConfig.builder().logDirs(dir).set("metrics.http.listener", ":0").build();
        BrokerConfig.builder().logDirs(dir).set("metrics.http.listener", "127.0.0.1:9404").build();
    }

    @Test
    @Tag(Tags.INTEGRATION)
    void shouldServeNoEndpointWhenTheListenerIsNotConfigured()
    {
        try (Broker broker = KafkaJmxNamesTest.start(dir, Map.of()))
        {
            assertEquals(-1, broker.metricsHttpPort());
        }
    }

    @Test
    @Tag(Tags.INTEGRATION)
    void shouldServeKafkasAndTidemarksMetricsInPrometheusTextFormatOnLoopbackWhenConfigured() throws Exception
    {
        try (Broker broker = KafkaJmxNamesTest.start(dir, Map.of("metrics.http.listener", ":0")))
        {
            KafkaJmxNamesTest.produceAndConsume(broker.bootstrapServers(), "scraped", 7);
            broker.metrics().refresh();
            final HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.metricsHttpPort() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            final String body = r.body();
            assertTrue(body.contains("kafka_server_brokertopicmetrics_messagesin_total{topic=\"scraped\"} 7.0"), body);
            assertTrue(body.contains("# TYPE kafka_network_requestmetrics_totaltimems summary"), "histograms are summaries");
            assertTrue(body.contains("kafka_network_requestmetrics_totaltimems{request=\"Produce\",quantile=\"0.99\"}"), "quantiles");
            assertTrue(body.contains("kafka_server_replicamanager_partitioncount "), "gauges");
            assertTrue(body.contains("kafka_log_log_logendoffset{partition=\"0\",topic=\"scraped\"} 7.0"), "per partition");
            assertTrue(body.contains("kafka_server_socket_server_metrics_connection_count{listener=\"PLAINTEXT\"}"), "attribute groups");
            assertTrue(body.contains("tidemark_log_log_unsyncedrecords{partition=\"0\",topic=\"scraped\"}"), "tidemark's own");
            assertTrue(body.contains("jvm_memory_used_bytes"), "JVM metrics");
        }
    }
}
