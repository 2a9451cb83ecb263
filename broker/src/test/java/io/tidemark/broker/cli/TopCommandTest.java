package io.tidemark.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import io.tidemark.broker.Broker;
import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tidemark top} against a running broker's metrics endpoint, and its text-format parsing.
 */
class TopCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldSumAndMaxSamplesWhenParsingTheTextFormat()
    {
        final Map<String, Double> s = TopCommand.parse("# HELP x y\n" +
            "tidemark_log_log_unsyncedrecords{partition=\"0\",topic=\"a\"} 3.0\n" +
            "tidemark_log_log_unsyncedrecords{partition=\"1\",topic=\"a\"} 4.0\n" +
            "tidemark_log_logdir_fsynctimems{dir=\"/a\",quantile=\"0.99\"} 2.5\n" +
            "tidemark_log_logdir_fsynctimems{dir=\"/b\",quantile=\"0.99\"} 7.5\n" +
            "kafka_server_replicamanager_partitioncount 2.0\n");
        assertEquals(7.0, s.get("sum:tidemark_log_log_unsyncedrecords"));
        assertEquals(7.5, s.get("max:tidemark_log_logdir_fsynctimems{quantile=\"0.99\"}"));
        assertEquals(2.0, s.get("kafka_server_replicamanager_partitioncount"));
    }

    @Test
    @Tag(Tags.INTEGRATION)
    void shouldShowABrokersPartitionsAndRatesWhenItsEndpointIsScraped() throws Exception
    {
        try (Broker broker = Broker.start(BrokerConfig.builder().logDirs(dir).listeners("PLAINTEXT://127.0.0.1:0")
            .set("metrics.http.listener", ":0").build()))
        {
            final Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p))
            {
                producer.send(new ProducerRecord<>("topped", "k", "v")).get();
            }
            final StringWriter text = new StringWriter();
            final CommandLine cli = TidemarkCli.commandLine();
            cli.setOut(new PrintWriter(text));
            final String endpoint = "127.0.0.1:" + broker.metricsHttpPort();
            assertEquals(0, cli.execute("top", "--metrics-endpoint", endpoint, "--iterations", "2", "--interval-ms", "10"));
            final String[] lines = text.toString().split("\n");
            assertEquals(4, lines.length, text.toString());
            assertTrue(lines[0].startsWith("broker"), lines[0]);
            final String[] row = lines[3].trim().split("\\s+");
            assertEquals(endpoint, row[0]);
            assertEquals("1", row[4], "one partition hosted: " + lines[3]);
            assertEquals("1", row[5], "and led");
            assertEquals("0", row[6], "none under-replicated");
        }
    }
}
