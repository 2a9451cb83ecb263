package io.tidemark.testkit.process;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** ProcessCluster's power cut: child JVMs on their own lossy mounts, killed with SIGKILL and cut. */
@Tag(Tags.INTEGRATION)
class ProcessClusterPowerCutTest
{
    @TempDir
    Path dir;

    @BeforeEach
    void requireFuse()
    {
        final String why = LossyFs.unavailable().orElse(null);
        assumeTrue(why == null, () -> "lossyfs tests skipped: " + why);
    }

    private static String testClasses()
    {
        try
        {
            return Path.of(TestNodeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private ProcessCluster cluster()
    {
        return ProcessCluster.builder(dir)
            .command(node -> ProcessCluster.javaCommand(
                List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"),
                testClasses(), TestNodeMain.class.getName(),
                List.of("broker", "--config", node.configFile().toString())))
            .readiness(Readiness.tcp(node -> Ports.loopback(Integer.parseInt(node.config().getProperty("port")))))
            .startTimeout(Duration.ofSeconds(30))
            .lossyFs()
            .build();
    }

    private static ProcessCluster.Node addNode(final ProcessCluster cluster, final String name)
    {
        final ProcessCluster.Node node = cluster.add(name);
        node.config().setProperty("port", Integer.toString(Ports.freePort()));
        node.config().setProperty("data.dir", node.dataDir().toString());
        node.config().setProperty("mapped.file", "segment.log");
        return node;
    }

    private static byte[] segment(final ProcessCluster.Node node) throws Exception
    {
        return Files.readAllBytes(node.dataDir().resolve("segment.log"));
    }

    @Test
    void shouldDropTheKilledProcessesUnforcedMappedPageAndUnsyncedEntriesWhenCut() throws Exception
    {
        try (ProcessCluster cluster = cluster())
        {
            final ProcessCluster.Node n1 = addNode(cluster, "n1");
            final ProcessCluster.Node n2 = addNode(cluster, "n2");
            cluster.startAll();

            final Map<String, String> before = cluster.powerCut(List.of("n1"), null);
            cluster.kill9("n2");

            assertTrue(before.get("n1").contains("unsynced-pages 1"), "the dying JVM's dirty page arrived, unsynced: " + before);
            assertEquals(1, segment(n1)[0], "forced before the cut");
            assertEquals(0, segment(n1)[4096], "written through the mapping, never forced");
            assertFalse(Files.exists(n1.dataDir().resolve("events.log")), "O_SYNC data, but its directory was never fsynced");
            assertEquals(2, segment(n2)[4096], "a kill without a cut: the kernel wrote the page when the process died");
            assertTrue(Files.exists(n2.dataDir().resolve("events.log")));

            cluster.start("n1");
            assertTrue(Files.exists(n1.dataDir().resolve("events.log")), "the remounted filesystem takes writes again");
        }
    }

    @Test
    void shouldCutEveryNodeAtOnceAndLetThemRestart() throws Exception
    {
        try (ProcessCluster cluster = cluster())
        {
            final ProcessCluster.Node n1 = addNode(cluster, "n1");
            final ProcessCluster.Node n2 = addNode(cluster, "n2");
            cluster.startAll();

            cluster.powerCut(cluster.names(), 7L);

            assertEquals(ProcessCluster.State.DOWN, n1.state());
            assertEquals(ProcessCluster.State.DOWN, n2.state());
            for (final ProcessCluster.Node n : List.of(n1, n2))
            {
                final byte b = segment(n)[4096];
                assertTrue(b == 0 || b == 2, "a torn page is old or new or zero: " + b);
                assertEquals(1, segment(n)[0]);
            }
            cluster.startAll();
            assertEquals(2, n1.starts());
        }
    }
}
