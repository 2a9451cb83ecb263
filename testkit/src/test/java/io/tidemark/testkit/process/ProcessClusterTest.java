package io.tidemark.testkit.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
class ProcessClusterTest
{
    @TempDir
    Path dir;

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

    private ProcessCluster cluster(final Duration stopTimeout)
    {
        return ProcessCluster.builder(dir)
            .command(node -> ProcessCluster.javaCommand(
                List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"),
                testClasses(), TestNodeMain.class.getName(),
                List.of("broker", "--config", node.configFile().toString())))
            .readiness(Readiness.tcp(node -> Ports.loopback(port(node))))
            .startTimeout(Duration.ofSeconds(30))
            .stopTimeout(stopTimeout)
            .build();
    }

    private static int port(final ProcessCluster.Node node)
    {
        return Integer.parseInt(node.config().getProperty("port"));
    }

    private static ProcessCluster.Node addNode(final ProcessCluster cluster, final String name)
    {
        final ProcessCluster.Node node = cluster.add(name);
        node.config().setProperty("port", Integer.toString(Ports.freePort()));
        node.config().setProperty("data.dir", node.dataDir().toString());
        return node;
    }

    private static String ping(final ProcessCluster.Node node, final int timeoutMs) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.connect(Ports.loopback(port(node)), 2000);
            s.setSoTimeout(timeoutMs);
            new PrintStream(s.getOutputStream(), true, StandardCharsets.UTF_8).println("ping");
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    private static List<String> events(final ProcessCluster.Node node) throws IOException
    {
        return Files.readAllLines(node.dataDir().resolve("events.log"));
    }

    private static boolean processGone(final long pid)
    {
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    @Test
    void shouldStartNodeWithItsConfigAndCaptureOutput() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");

            cluster.start("n1");

            assertEquals("pong ping", ping(node, 5000));
            assertEquals(ProcessCluster.State.RUNNING, node.state());
            assertEquals(1, node.starts());
            assertTrue(Files.readString(node.configFile()).contains("port=" + port(node)));
            assertTrue(Files.readString(node.stdoutFile()).contains("test node listening on " + port(node)));
            assertTrue(cluster.tail("n1", 10).contains("test node listening"));
            assertEquals(List.of("started"), events(node));
        }
    }

    @Test
    void shouldKillNineWithExitCode137WithoutRunningShutdownHook() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            cluster.start("n1");
            final long pid = node.pid();

            assertEquals(137, cluster.kill9("n1"));

            assertTrue(processGone(pid));
            assertFalse(cluster.isAlive("n1"));
            assertEquals(ProcessCluster.State.DOWN, node.state());
            assertEquals(List.of("started"), events(node), "no shutdown hook after SIGKILL");
            assertThrows(IllegalStateException.class, () -> cluster.kill9("n1"), "not running any more");
        }
    }

    @Test
    void shouldStopAnsweringWhilePausedAndAnswerAgainAfterResume() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            cluster.start("n1");

            cluster.pause("n1");

            assertEquals(ProcessCluster.State.PAUSED, node.state());
            assertTrue(cluster.isAlive("n1"));
            // the kernel still completes the handshake; the frozen process never answers
            assertThrows(SocketTimeoutException.class, () -> ping(node, 300));

            cluster.resume("n1");

            assertEquals(ProcessCluster.State.RUNNING, node.state());
            assertEquals("pong ping", ping(node, 5000));
        }
    }

    @Test
    void shouldStopGracefullyRunningTheShutdownHook() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            cluster.start("n1");
            final long pid = node.pid();

            assertEquals(143, cluster.stop("n1"));

            assertTrue(processGone(pid));
            assertEquals(List.of("started", "shutdown-hook"), events(node));
        }
    }

    @Test
    void shouldStopPausedNodeGracefully() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            cluster.start("n1");
            cluster.pause("n1");

            assertEquals(143, cluster.stop("n1"));

            assertEquals(List.of("started", "shutdown-hook"), events(node));
        }
    }

    @Test
    void shouldReportHungShutdownWithThreadDumpAndKillTheNode() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(1)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            node.config().setProperty("hang.on.shutdown", "true");
            cluster.start("n1");
            final long pid = node.pid();

            final ShutdownHangError e = assertThrows(ShutdownHangError.class, () -> cluster.stop("n1"));

            assertEquals("n1", e.node());
            assertTrue(e.getMessage().contains("did not stop within 1000 ms"), e.getMessage());
            assertTrue(e.getMessage().contains("hanging in the shutdown hook"), e.getMessage());
            assertTrue(e.getMessage().contains("test-node-shutdown"), "thread dump names the hung hook thread");
            assertTrue(processGone(pid));
            assertEquals(137, node.lastExitCode());
        }
    }

    @Test
    void shouldRestartWithNewProcessKeepingData() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            cluster.start("n1");
            final long firstPid = node.pid();

            cluster.restart("n1");

            assertNotEquals(firstPid, node.pid());
            assertEquals(2, node.starts());
            assertEquals("pong ping", ping(node, 5000));
            assertEquals(List.of("started", "shutdown-hook", "started"), events(node));
            assertTrue(Files.readString(node.stdoutFile()).contains("start #2 of n1"));
        }
    }

    @Test
    void shouldFailFastWithOutputWhenNodeExitsWhileStarting()
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            node.config().setProperty("exit.at.start", "3");

            final AssertionError e = assertThrows(AssertionError.class, () -> cluster.start("n1"));

            assertTrue(e.getMessage().contains("exited with code 3 while starting"), e.getMessage());
            assertTrue(e.getMessage().contains("failing on purpose at start"), e.getMessage());
        }
    }

    @Test
    void shouldWipeAndCorruptOnlyWhileStopped() throws Exception
    {
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            final ProcessCluster.Node node = addNode(cluster, "n1");
            cluster.start("n1");
            assertThrows(IllegalStateException.class, () -> cluster.wipe("n1"));
            assertThrows(IllegalStateException.class, () -> cluster.corrupt("n1", "events.log", Corruption.truncate(0)));
            cluster.kill9("n1");
            assertEquals(List.of("events.log"), cluster.dataFiles("n1", "*.log"));
            final FileSnapshot before = cluster.snapshot("n1", "events.log");

            final String what = cluster.corrupt("n1", "events.log", Corruption.flipBit(0, 0));

            assertTrue(what.startsWith("flipped bit 0 of byte 0 (0x73 -> 0x72)"), what);
            assertEquals(List.of("rtarted"), events(node));
            cluster.corrupt("n1", "events.log", Corruption.rollBack(before));
            assertEquals(List.of("started"), events(node));
            assertThrows(IllegalArgumentException.class, () -> cluster.corrupt("n1", "../n1.properties", Corruption.truncate(0)));

            cluster.wipe("n1");

            assertTrue(Files.isDirectory(node.dataDir()));
            assertEquals(List.of(), cluster.dataFiles("n1", "**"));
            cluster.start("n1");
            assertEquals(List.of("started"), events(node), "a wiped node starts from nothing");
        }
    }

    @Test
    void shouldKillEveryProcessOnClose() throws Exception
    {
        final long pid1;
        final long pid2;
        try (ProcessCluster cluster = cluster(Duration.ofSeconds(20)))
        {
            addNode(cluster, "n1");
            addNode(cluster, "n2");
            cluster.startAll();
            pid1 = cluster.node("n1").pid();
            pid2 = cluster.node("n2").pid();
            cluster.pause("n2");
        }
        assertTrue(processGone(pid1));
        assertTrue(processGone(pid2), "a paused node is killed too");
    }
}
