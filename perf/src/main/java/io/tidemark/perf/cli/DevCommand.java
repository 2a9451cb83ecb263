package io.tidemark.perf.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark dev --brokers 3 [--dir D] [--base-port N]}: a local cluster for trying things. Starts N
 * broker processes (this same jar, {@code broker --config}) on loopback, each a broker and a controller
 * voter, writes their {@code server.properties} under D, prints the bootstrap servers and commands to try,
 * streams the brokers' output prefixed with their name (and keeps it in {@code D/broker-I/broker.log}),
 * and on Ctrl-C or SIGTERM stops them with SIGTERM (SIGKILL after {@code --stop-timeout-ms}).
 *
 * <pre>
 *   D/cluster.properties          the ports, reused when D is given again (the data was created for them)
 *   D/broker-I/server.properties  node I's configuration
 *   D/broker-I/broker.log         its output, appended across runs
 *   D/broker-I/data/              log.dirs (and the controller's Raft log)
 * </pre>
 *
 * Without {@code --dir} the cluster lives in a temporary directory deleted at exit.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run a local cluster of broker processes on loopback (Ctrl-C stops it cleanly).")
public final class DevCommand implements Callable<Integer>
{
    @Option(names = "--brokers", paramLabel = "N", defaultValue = "3", description = "Number of brokers (default ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep configs, logs and data here (default: a temporary directory, deleted at exit).")
    Path dir;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "0",
        description = "Broker I listens on PORT+3(I-1) (Kafka), +1 (replication), +2 (controller); default: free ephemeral ports.")
    int basePort;

    @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "256m", description = "-Xmx of each broker (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--override", paramLabel = "KEY=VALUE", description = "A server.properties key for every broker (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--quiet", description = "Do not stream the brokers' output (it is still written to broker.log).")
    boolean quiet;

    @Option(names = "--stop-timeout-ms", paramLabel = "MS", defaultValue = "30000",
        description = "How long a broker may take to stop after SIGTERM before it is killed (default ${DEFAULT-VALUE}).")
    long stopTimeoutMs;

    @Override
    public Integer call() throws Exception
    {
        final boolean temporary = dir == null;
        final Path root = temporary ? Files.createTempDirectory("tidemark-dev-") : dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        final DevCluster cluster;
        try
        {
            cluster = DevCluster.start(root, brokers, basePort, heap, overrides, !quiet, stopTimeoutMs);
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            System.err.println("tidemark dev: " + ex.getMessage());
            if (temporary)
            {
                deleteTree(root);
            }
            return 1;
        }
        final Thread hook = new Thread(() ->
        {
            System.out.println("tidemark dev: stopping " + cluster.size() + " brokers");
            cluster.stop();
            if (temporary)
            {
                deleteTree(root);
                System.out.println("tidemark dev: deleted " + root);
            }
            else
            {
                System.out.println("tidemark dev: configs, logs and data kept in " + root);
            }
            System.out.flush();
        }, "tidemark-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        printBanner(cluster, root, temporary);
        cluster.awaitAllExited();
        System.out.println("tidemark dev: every broker has exited");
        return 0;
    }

    private void printBanner(final DevCluster cluster, final Path root, final boolean temporary)
    {
        final String bootstrap = cluster.layout().bootstrapServers();
        final StringBuilder sb = new StringBuilder();
        sb.append("tidemark dev: ").append(cluster.size()).append(" brokers running in ").append(root)
            .append(temporary ? " (deleted at exit)" : "").append('\n');
        for (final ClusterLayout.NodePorts n : cluster.layout().nodes())
        {
            sb.append(String.format("  broker %d  pid %d  kafka %s  replication %d  controller %d  config %s%n", n.nodeId(),
                cluster.pid(n.nodeId()), n.bootstrap(), n.replication(), n.controller(), DevCluster.configFile(root, n.nodeId())));
        }
        sb.append("bootstrap servers: ").append(bootstrap).append('\n');
        final int rf = Math.min(3, cluster.size());
        sb.append("try:\n");
        sb.append("  bin/tidemark topics --bootstrap-server ").append(bootstrap)
            .append(" --create --topic demo --partitions 3 --replication-factor ").append(rf).append('\n');
        sb.append("  bin/tidemark topics --bootstrap-server ").append(bootstrap).append(" --describe --topic demo\n");
        sb.append("  bin/tidemark produce --bootstrap-server ").append(bootstrap).append(" --topic demo --acks all\n");
        sb.append("  bin/tidemark consume --bootstrap-server ").append(bootstrap).append(" --topic demo --from-beginning\n");
        sb.append("  kill -9 <a broker's pid>, then describe again: new leaders, a smaller Isr\n");
        sb.append("press Ctrl-C to stop the cluster\n");
        System.out.print(sb);
        System.out.flush();
    }

    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("tidemark dev: cannot delete " + root + ": " + ex);
        }
    }

    static Properties readProperties(final Path file)
    {
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file); Reader r = new InputStreamReader(in, StandardCharsets.UTF_8))
        {
            p.load(r);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        return p;
    }
}
