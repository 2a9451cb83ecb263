package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README honest: its replicated-cluster embedding example is exactly the code run here, and
 * the sample configurations in {@code config/} parse without unknown keys.
 */
@Tag(Tags.INTEGRATION)
class EmbeddedClusterExampleTest
{
    @TempDir
    Path dir;

    private static Path root()
    {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("README.md")) && p.getParent() != null)
        {
            p = p.getParent();
        }
        return p;
    }

    @Test
    void shouldRunTheReadmeExample() throws Exception
    {
        final int[] crashed = {-1};
        // ---- begin README example ----
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3).start();
             Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 3))).all().get();
            cluster.crash(cluster.leaderOf("orders", 0));   // as kill -9; cluster.powerCut(id, random) tears unsynced pages
        // ---- end README example ----
            for (int i = 0; i < 3; i++)
            {
                if (!cluster.isRunning(i))
                {
                    crashed[0] = i;
                }
            }
        }
        assertTrue(crashed[0] >= 0, "one broker was crashed");
    }

    @Test
    void shouldShowTheSameExampleInTheReadme() throws IOException
    {
        final String source = Files.readString(Path.of("src/test/java/io/tidemark/broker/EmbeddedClusterExampleTest.java"));
        final String begin = "// ---- begin README example ----\n";
        final String example = source.substring(source.indexOf(begin) + begin.length(),
            source.indexOf("        // ---- end README example ----"));
        final StringBuilder unindented = new StringBuilder();
        for (final String line : example.split("\n"))
        {
            unindented.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
        }
        unindented.append("}\n");
        assertTrue(Files.readString(root().resolve("README.md")).contains("```java\n" + unindented + "```"),
            "README's cluster embedding example must be exactly:\n" + unindented);
    }

    @Test
    void shouldParseTheSampleConfigurationsWithoutUnknownKeys() throws IOException
    {
        final List<Path> files = List.of(root().resolve("config/server.properties"), root().resolve("config/cluster/node-0.properties"),
            root().resolve("config/cluster/node-1.properties"), root().resolve("config/cluster/node-2.properties"));
        for (final Path file : files)
        {
            final Properties props = new Properties();
            props.load(new StringReader(Files.readString(file)));
            final Map<String, String> map = new HashMap<>();
            props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
            final BrokerConfig config = BrokerConfig.parse(map);
            assertEquals(List.of(), config.unknownKeys(), file.toString());
            if (file.toString().contains("cluster"))
            {
                assertTrue(config.isVoter() && config.hasQuorum(), file + " is a voter of a quorum");
                assertEquals("CONTROLLER", config.controllerListener().name());
                assertTrue(config.listenerIndex(config.interBrokerListenerName()) >= 0, file + " has a replication listener");
            }
        }
    }
}
