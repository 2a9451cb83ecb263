package io.tidemark.perf.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tidemark dev} as a user runs it: it starts a cluster of broker processes, prints how to reach
 * it, the cluster replicates (a topic with replication factor 3 gets a full ISR), and SIGTERM (what Ctrl-C
 * sends the JVM too) stops every broker cleanly and leaves no process behind.
 */
@Tag(Tags.INTEGRATION)
class DevCommandIT
{
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap servers: (\\S+)");
    private static final Pattern BROKER = Pattern.compile("broker (\\d+)  pid (\\d+)  kafka ");
    private static final Pattern ROOT = Pattern.compile("brokers running in (\\S+)");

    @TempDir
    Path dir;

    private final Path root = Path.of(System.getProperty("tidemark.root", "..")).toAbsolutePath().normalize();
    private final List<Process> started = new ArrayList<>();
    private final List<Long> brokerPids = new ArrayList<>();

    private Process dev(final Path out, final String... args) throws IOException
    {
        final List<String> cmd = new ArrayList<>(List.of("sh", root.resolve("bin/tidemark").toString(), "dev"));
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_OPTS", "-Xmx64m -Djava.io.tmpdir=" + dir);
        final Process p = pb.start();
        p.getOutputStream().close();
        started.add(p);
        return p;
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    private String awaitBanner(final Process dev, final Path out)
    {
        final String[] bootstrap = { null };
        Await.await(() -> "tidemark dev to print its bootstrap servers:\n" + read(out), Duration.ofSeconds(120), () ->
        {
            final Matcher m = BOOTSTRAP.matcher(read(out));
            if (m.find())
            {
                bootstrap[0] = m.group(1);
                return true;
            }
            if (!dev.isAlive())
            {
                throw new AssertionError("tidemark dev exited with " + dev.exitValue() + ":\n" + read(out));
            }
            return false;
        });
        final Matcher pids = BROKER.matcher(read(out));
        while (pids.find())
        {
            brokerPids.add(Long.parseLong(pids.group(2)));
        }
        return bootstrap[0];
    }

    @AfterEach
    void killLeftovers()
    {
        for (final Process p : started)
        {
            p.destroyForcibly();
        }
        for (final long pid : brokerPids)
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void shouldRunAReplicatingClusterAndStopItCleanlyOnSigterm() throws Exception
    {
        final Path clusterDir = dir.resolve("dev");
        final Path out = dir.resolve("dev.out");
        final Process dev = dev(out, "--brokers", "3", "--dir", clusterDir.toString());
        final String bootstrap = awaitBanner(dev, out);
        assertEquals(3, bootstrap.split(",").length, bootstrap);
        assertEquals(3, brokerPids.size(), read(out));
        final String banner = read(out);
        assertTrue(banner.contains("--create --topic demo --partitions 3 --replication-factor 3"), banner);
        assertTrue(banner.contains("--describe --topic demo"), banner);
        for (int id = 1; id <= 3; id++)
        {
            final Properties config = new Properties();
            try (var in = Files.newInputStream(clusterDir.resolve("broker-" + id + "/server.properties")))
            {
                config.load(in);
            }
            assertEquals(String.valueOf(id), config.getProperty("node.id"));
            assertEquals("broker,controller", config.getProperty("process.roles"));
            assertEquals(3, config.getProperty("controller.quorum.voters").split(",").length);
        }

        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props))
        {
            admin.createTopics(List.of(new NewTopic("demo", 3, (short)3))).all().get(30, TimeUnit.SECONDS);
            final TopicDescription[] d = new TopicDescription[1];
            Await.await(() -> "a full ISR for every partition of demo: " + d[0], Duration.ofSeconds(60), () ->
            {
                try
                {
                    d[0] = admin.describeTopics(List.of("demo")).allTopicNames().get(10, TimeUnit.SECONDS).get("demo");
                    return d[0].partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == 3);
                }
                catch (final Exception ex)
                {
                    return false;
                }
            });
            for (final TopicPartitionInfo p : d[0].partitions())
            {
                assertEquals(3, p.replicas().size());
            }
        }
        final String streamed = read(out);
        assertTrue(streamed.contains("[broker-1] ") && streamed.contains("[broker-3] "), "broker output streamed with a prefix");

        dev.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook stops the brokers
        assertTrue(dev.waitFor(90, TimeUnit.SECONDS), "tidemark dev exits after SIGTERM:\n" + read(out));
        for (final long pid : brokerPids)
        {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "broker pid " + pid + " is gone");
        }
        final String all = read(out);
        for (int id = 1; id <= 3; id++)
        {
            assertTrue(all.contains("tidemark dev: broker " + id + " exited with 143"), all);
            assertTrue(read(clusterDir.resolve("broker-" + id + "/broker.log")).contains("tidemark broker " + id + " shut down cleanly"),
                "broker " + id + " shut down cleanly");
        }
        assertTrue(all.contains("kept in " + clusterDir), all);
        assertTrue(Files.exists(clusterDir.resolve("cluster.properties")));
    }

    @Test
    void shouldDeleteItsTemporaryDirectoryWhenStopped() throws Exception
    {
        final Path out = dir.resolve("dev1.out");
        final Process dev = dev(out, "--brokers", "1", "--quiet");
        awaitBanner(dev, out);
        final Matcher m = ROOT.matcher(read(out));
        assertTrue(m.find(), read(out));
        final Path temp = Path.of(m.group(1));
        assertTrue(Files.isRegularFile(temp.resolve("broker-1/server.properties")));
        assertFalse(read(out).contains("[broker-1] "), "--quiet streams nothing");
        dev.destroy();
        assertTrue(dev.waitFor(60, TimeUnit.SECONDS));
        assertFalse(Files.exists(temp), temp + " deleted");
        assertFalse(ProcessHandle.of(brokerPids.get(0)).map(ProcessHandle::isAlive).orElse(false));
    }
}
