package io.tidemark.perf.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tidemark.perf.cli.ClusterLayout;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.net.FaultProxy;
import io.tidemark.testkit.net.LinkMode;
import io.tidemark.testkit.net.ProxyNetwork;
import io.tidemark.testkit.process.ProcessCluster;
import io.tidemark.testkit.process.Readiness;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * N broker processes started as a user starts them, {@code bin/tidemark broker --config FILE}, on the
 * {@link ClusterLayout} that {@code tidemark dev} uses, managed by the testkit's {@link ProcessCluster}
 * (kill -9, SIGTERM, SIGSTOP/SIGCONT, restart). Node names are {@code broker-1..N}.
 *
 * <p>With {@code proxied}, every inter-broker link runs through a test-controlled TCP proxy, so a test can
 * cut a broker off from the others while clients still reach it:
 * <pre>
 *   controller quorum: a ProxyNetwork link per directed pair; broker-i's controller.quorum.voters names
 *                      broker-j at the address of the link broker-i -&gt; broker-j (itself at its real port)
 *   replication:       one FaultProxy in front of each broker's REPLICATION listener, advertised to the
 *                      others (advertised.listeners), so followers fetch from a leader through it
 *   clients:           straight to the PLAINTEXT listeners
 * </pre>
 * {@link #isolate} blackholes every controller link to and from a broker and the proxy in front of its
 * replication listener: it can neither reach the quorum nor serve its followers (its own fetches from other
 * leaders still pass, as they go through those leaders' proxies).
 */
public final class TidemarkCluster implements AutoCloseable
{
    private static final String READY = " started, listening on ";
    private static final String BANNER = "==== testkit: start #";

    private final Path root;
    private final ClusterLayout layout;
    private final ProcessCluster processes;
    private final ProxyNetwork controllerLinks;
    private final List<FaultProxy> replicationProxies = new ArrayList<>();
    private final Admin admin;

    /**
     * Writes the configs and starts every broker (they need a quorum to start, so all are launched first).
     *
     * @param baseDir  where node directories go.
     * @param brokers  how many.
     * @param proxied  whether inter-broker links run through fault proxies.
     * @param settings extra server.properties for every broker.
     */
    public TidemarkCluster(final Path baseDir, final int brokers, final boolean proxied, final Map<String, String> settings)
    {
        this(baseDir, brokers, proxied, settings, false);
    }

    /**
     * As {@link #TidemarkCluster(Path, int, boolean, Map)}, with every broker's data directory (log.dirs, the
     * metadata log) on its own lossy filesystem when {@code lossyFs} ({@link ProcessCluster#powerCut}).
     *
     * @param baseDir  where node directories go.
     * @param brokers  how many.
     * @param proxied  whether inter-broker links run through fault proxies.
     * @param settings extra server.properties for every broker.
     * @param lossyFs  whether each broker's data directory is a {@link io.tidemark.testkit.process.LossyFs} mount.
     */
    public TidemarkCluster(final Path baseDir, final int brokers, final boolean proxied, final Map<String, String> settings,
        final boolean lossyFs)
    {
        this.root = Path.of(System.getProperty("tidemark.root", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("perf/target/tidemark.jar")))
        {
            throw new IllegalStateException("the fat jar " + root.resolve("perf/target/tidemark.jar") + " is packaged before this test");
        }
        // through the testkit's Ports, so the fault proxies bound below never take a port a broker has yet to bind
        this.layout = ClusterLayout.ephemeral(brokers, Ports::freePort);
        this.controllerLinks = proxied ? new ProxyNetwork() : null;
        final ProcessCluster.Builder builder = ProcessCluster.builder(baseDir)
            .command(node -> List.of("sh", root.resolve("bin/tidemark").toString(), "broker", "--config", node.configFile().toString()))
            .environment("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
            .readiness(TidemarkCluster::printedStarted)
            .startTimeout(Duration.ofSeconds(90))
            .stopTimeout(Duration.ofSeconds(30));
        if (lossyFs)
        {
            builder.lossyFs();
        }
        this.processes = builder.build();
        try
        {
            if (proxied)
            {
                for (final ClusterLayout.NodePorts n : layout.nodes())
                {
                    controllerLinks.addServer(name(n.nodeId()), new InetSocketAddress(ClusterLayout.HOST, n.controller()));
                    replicationProxies.add(FaultProxy.start("replication->" + name(n.nodeId()),
                        new InetSocketAddress(ClusterLayout.HOST, n.replication())));
                }
            }
            for (final ClusterLayout.NodePorts n : layout.nodes())
            {
                final ProcessCluster.Node node = processes.add(name(n.nodeId()));
                final Properties config = node.config();
                layout.serverProperties(n.nodeId(), node.dataDir()).forEach(config::setProperty);
                // one cluster id for every node: with proxies, the voter lists (from which it is derived by default) differ
                config.setProperty("cluster.id", "tidemark-it-" + Long.toHexString(layout.node(1).controller() * 65_537L + brokers));
                if (proxied)
                {
                    config.setProperty("controller.quorum.voters", votersSeenBy(n.nodeId()));
                    config.setProperty("advertised.listeners", "PLAINTEXT://" + n.bootstrap() + ",REPLICATION://" + ClusterLayout.HOST + ":"
                        + replicationProxies.get(n.nodeId() - 1).port());
                }
                settings.forEach(config::setProperty);
            }
            processes.startAll();
            final Properties adminProps = new Properties();
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, layout.bootstrapServers());
            adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
            adminProps.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
            adminProps.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
            this.admin = Admin.create(adminProps);
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(ex);
            throw ex;
        }
    }

    private void closeQuietly(final Throwable cause)
    {
        try
        {
            close();
        }
        catch (final RuntimeException ex)
        {
            cause.addSuppressed(ex);
        }
    }

    private String votersSeenBy(final int nodeId)
    {
        final StringJoiner j = new StringJoiner(",");
        for (final ClusterLayout.NodePorts other : layout.nodes())
        {
            final InetSocketAddress a = other.nodeId() == nodeId ? new InetSocketAddress(ClusterLayout.HOST, other.controller())
                : controllerLinks.address(name(nodeId), name(other.nodeId()));
            j.add(other.nodeId() + "@" + ClusterLayout.HOST + ":" + a.getPort());
        }
        return j.toString();
    }

    /** Ready when the output since the latest start says the broker serves. */
    private static boolean printedStarted(final ProcessCluster.Node node) throws IOException
    {
        final String out = Files.readString(node.stdoutFile());
        final int start = out.lastIndexOf(BANNER);
        return out.indexOf(READY, Math.max(0, start)) >= 0;
    }

    /**
     * @param nodeId a node id.
     * @return its name, {@code broker-ID}.
     */
    public static String name(final int nodeId)
    {
        return "broker-" + nodeId;
    }

    /**
     * @param name a node name.
     * @return its id.
     */
    public static int id(final String name)
    {
        return Integer.parseInt(name.substring(name.indexOf('-') + 1));
    }

    /** @return the repository root (where bin/tidemark is). */
    public Path root()
    {
        return root;
    }

    /** @return the processes. */
    public ProcessCluster processes()
    {
        return processes;
    }

    /** @return the ports. */
    public ClusterLayout layout()
    {
        return layout;
    }

    /** @return every broker's Kafka listener. */
    public String bootstrapServers()
    {
        return layout.bootstrapServers();
    }

    /** @return an Admin client on every broker (owned by the cluster). */
    public Admin admin()
    {
        return admin;
    }

    /**
     * Cuts a broker off from the other brokers (see the class comment); clients still reach it.
     *
     * @param name the broker.
     * @return the links changed, for {@link #heal}.
     */
    public List<FaultProxy> isolate(final String name)
    {
        if (controllerLinks == null)
        {
            throw new IllegalStateException("the cluster was started without proxies");
        }
        final List<FaultProxy> changed = new ArrayList<>(controllerLinks.isolate(name, LinkMode.blackhole()));
        final FaultProxy replication = replicationProxies.get(id(name) - 1);
        replication.blackhole();
        changed.add(replication);
        return changed;
    }

    /**
     * @param links links to set back to passing.
     */
    public static void heal(final List<FaultProxy> links)
    {
        links.forEach(FaultProxy::pass);
    }

    /**
     * @param topic a topic.
     * @return its partitions as the cluster describes them now.
     */
    public List<TopicPartitionInfo> describe(final String topic) throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException
    {
        final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
        return d.partitions();
    }

    /**
     * @param topic     a topic.
     * @param partition a partition.
     * @return the id of its leader, or -1 when it has none or the cluster cannot say.
     */
    public int leaderOf(final String topic, final int partition)
    {
        try
        {
            final TopicPartitionInfo p = describe(topic).get(partition);
            return p.leader() == null ? -1 : p.leader().id();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /**
     * Waits until every partition of the topic has a leader and an ISR of {@code isr} brokers.
     *
     * @param topic   the topic.
     * @param isr     the ISR size awaited.
     * @param timeout how long at most.
     */
    public void awaitIsr(final String topic, final int isr, final Duration timeout)
    {
        final Map<String, String> last = new LinkedHashMap<>();
        Await.await(() -> "ISR of " + isr + " for every partition of " + topic + "; last seen " + last, timeout, () ->
        {
            try
            {
                final List<TopicPartitionInfo> parts = describe(topic);
                last.put("describe", parts.toString());
                for (final TopicPartitionInfo p : parts)
                {
                    if (p.leader() == null || p.leader().id() < 0 || p.isr().size() != isr)
                    {
                        return false;
                    }
                }
                return true;
            }
            catch (final Exception ex)
            {
                last.put("error", ex.toString());
                return false;
            }
        });
    }

    /**
     * @param lines how many lines of each broker's output.
     * @return every broker's output tail, for failure messages.
     */
    public String tails(final int lines)
    {
        return processes.tails(lines);
    }

    /** Closes the admin client, kills every broker and closes the proxies. */
    @Override
    public void close()
    {
        RuntimeException failure = null;
        final List<AutoCloseable> all = new ArrayList<>();
        if (admin != null)
        {
            all.add(() -> admin.close(Duration.ofSeconds(5)));
        }
        all.add(processes);
        if (controllerLinks != null)
        {
            all.add(controllerLinks);
        }
        all.addAll(replicationProxies);
        for (final AutoCloseable c : all)
        {
            try
            {
                c.close();
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = new IllegalStateException("closing the cluster", ex);
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
