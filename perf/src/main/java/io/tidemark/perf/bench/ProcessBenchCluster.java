package io.tidemark.perf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tidemark.engine.PowerCut;
import io.tidemark.perf.cli.ClusterLayout;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.process.LossyFs;
import io.tidemark.testkit.process.ProcessCluster;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code tidemark bench --cut fs}: N broker processes (this JVM's java and class path, {@code broker --config}),
 * each with its data directory (log.dirs and the metadata log) on its own lossyfs mount (the testkit's
 * {@link LossyFs}). A power cut is SIGKILL of the cut brokers, then each one's filesystem drops everything
 * not fsynced, torn page by page with a seed from the trial's random: the judge of what survived is the
 * filesystem, not the engine's own accounting. The cut reports no engine records (the engine is not asked);
 * the filesystem's state before each cut is printed to stderr.
 *
 * <p>Thread: the lab's thread.
 */
final class ProcessBenchCluster implements BenchCluster
{
    private static final String READY = " started, listening on ";
    private static final String BANNER = "==== testkit: start #";
    private static final List<String> JVM_FLAGS = List.of("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx384m", "-XX:+UseSerialGC");

    private final Path root;
    private final int brokers;
    private final ClusterLayout layout;
    private final ProcessCluster processes;

    private ProcessBenchCluster(final Path root, final int brokers)
    {
        this.root = root;
        this.brokers = brokers;
        this.layout = ClusterLayout.ephemeral(brokers, Ports::freePort);
        this.processes = ProcessCluster.builder(root)
            .command(node -> ProcessCluster.javaCommand(JVM_FLAGS, System.getProperty("java.class.path"),
                "io.tidemark.broker.cli.TidemarkCli", List.of("broker", "--config", node.configFile().toString())))
            .readiness(ProcessBenchCluster::printedStarted)
            .startTimeout(Duration.ofSeconds(120))
            .lossyFs()
            .build();
    }

    /**
     * @return why the fs cut cannot run here, or null when it can.
     */
    static String unavailable()
    {
        return LossyFs.unavailable().orElse(null);
    }

    /**
     * @param root where the brokers' directories and mounts go (created; deleted by {@link #close()}).
     * @param n    brokers.
     * @return the running cluster.
     */
    static ProcessBenchCluster start(final Path root, final int n)
    {
        try
        {
            Files.createDirectories(root);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final ProcessBenchCluster cluster = new ProcessBenchCluster(root, n);
        try
        {
            for (final ClusterLayout.NodePorts p : cluster.layout.nodes())
            {
                final ProcessCluster.Node node = cluster.processes.add("broker-" + p.nodeId());
                cluster.layout.serverProperties(p.nodeId(), node.dataDir()).forEach(node.config()::setProperty);
                node.config().setProperty("num.io.threads", "2");
                node.config().setProperty("num.network.threads", "1");
                node.config().setProperty("num.partitions", Integer.toString(Topics.PARTITIONS));
                node.config().setProperty("auto.create.topics.enable", "false");
                node.config().setProperty("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
                node.config().setProperty("log.segment.preallocate.bytes", Integer.toString(4 * 1024 * 1024));
            }
            cluster.processes.startAll();
            return cluster;
        }
        catch (final RuntimeException | Error ex)
        {
            cluster.close();
            throw ex;
        }
    }

    private static boolean printedStarted(final ProcessCluster.Node node) throws IOException
    {
        final String out = Files.readString(node.stdoutFile());
        final int start = out.lastIndexOf(BANNER);
        return out.indexOf(READY, Math.max(0, start)) >= 0;
    }

    private List<String> names(final List<Integer> nodes)
    {
        final List<String> names = new ArrayList<>();
        for (final int node : nodes)
        {
            names.add("broker-" + (node + 1));
        }
        return names;
    }

    @Override
    public String bootstrapServers()
    {
        return layout.bootstrapServers();
    }

    @Override
    public int brokers()
    {
        return brokers;
    }

    @Override
    public boolean canCutPower()
    {
        return true;
    }

    @Override
    public boolean tidemarkTopicConfigs()
    {
        return true;
    }

    @Override
    public List<PowerCut.Cut> powerCut(final List<Integer> nodes, final Random random)
    {
        final Map<String, String> before = processes.powerCut(names(nodes), random.nextLong());
        before.forEach((node, status) -> System.err.println("tidemark bench: fs cut of " + node + ": "
            + status.lines().filter(l -> l.split(" ").length == 2).reduce((a, b) -> a + ", " + b).orElse("")));
        return List.of();
    }

    @Override
    public void restart(final List<Integer> nodes)
    {
        processes.startAll();
    }

    /**
     * Full ISR, then one settle marker per partition, produced with acks=all: once it is acknowledged the
     * leader's high watermark is past it, so everything the cluster still holds below it is readable. (In
     * this JVM the embedded cluster compares each leader's HW with its log end instead; a process cluster
     * only shows the HW. Without it the read-back raced the HW's catch-up after the restart and counted
     * records still held above it as lost.) The marker's one-byte value carries no record id: the
     * read-back skips it.
     */
    @Override
    public boolean awaitSettled(final String topic, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        if (!Topics.awaitFullIsr(bootstrapServers(), topic, timeout))
        {
            return false;
        }
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(5000, timeout.toMillis())));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            final List<Future<RecordMetadata>> markers = new ArrayList<>();
            for (int p = 0; p < Topics.PARTITIONS; p++)
            {
                markers.add(producer.send(new ProducerRecord<>(topic, p, null, new byte[1])));
            }
            for (final Future<RecordMetadata> m : markers)
            {
                m.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return true;
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            return false;
        }
    }

    @Override
    public String description()
    {
        return "processes: " + brokers + " broker JVM" + (brokers == 1 ? "" : "s") + " on 127.0.0.1, each on its own lossyfs mount"
            + " (power cut: SIGKILL, then the filesystem drops and tears what was not fsynced) under " + root;
    }

    @Override
    public void close()
    {
        processes.close();
        EmbeddedBenchCluster.delete(root);
    }
}
