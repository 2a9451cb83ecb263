package io.tidemark.perf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.tidemark.broker.Broker;
import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.engine.PowerCut;

/**
 * Brokers in this JVM, on loopback with ephemeral ports, each in its own directory under a root that
 * {@link #close()} deletes. A power cut is {@link Broker#powerCut(Random)} (the engine's {@link PowerCut}
 * on the broker's real files); a restart is a new {@link Broker} on the same directories.
 *
 * <p>Brokers: the broker does not replicate yet, so this runs {@value #MAX_BROKERS} broker. When the
 * broker's in-JVM replicated cluster lands, {@link #start} builds N brokers with it and raises
 * {@link #MAX_BROKERS}; nothing else in the lab changes.
 */
final class EmbeddedBenchCluster implements BenchCluster
{
    /** The most brokers this cluster can run with replication today. */
    static final int MAX_BROKERS = 1;

    private final Path root;
    private final boolean deleteRoot;
    private final List<BrokerConfig> configs = new ArrayList<>();
    private final Broker[] brokers;

    private EmbeddedBenchCluster(final Path root, final boolean deleteRoot, final int n)
    {
        this.root = root;
        this.deleteRoot = deleteRoot;
        this.brokers = new Broker[n];
    }

    /**
     * @param root       where the brokers' directories go (created if missing).
     * @param deleteRoot whether {@link #close()} deletes {@code root} itself (else only what it created).
     * @param n          brokers.
     * @return the running cluster.
     */
    static EmbeddedBenchCluster start(final Path root, final boolean deleteRoot, final int n)
    {
        if (n < 1 || n > MAX_BROKERS)
        {
            throw new IllegalArgumentException("the embedded cluster runs 1 .. " + MAX_BROKERS + " brokers (replication is not in the broker " +
                "yet), not " + n);
        }
        final EmbeddedBenchCluster cluster = new EmbeddedBenchCluster(root, deleteRoot, n);
        try
        {
            for (int i = 0; i < n; i++)
            {
                final Path dir = Files.createDirectories(root.resolve("node-" + i));
                cluster.configs.add(config(i, dir, n));
                cluster.brokers[i] = Broker.start(cluster.configs.get(i));
            }
            return cluster;
        }
        catch (final IOException ex)
        {
            cluster.close();
            throw new UncheckedIOException(ex);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                cluster.close();
            }
            catch (final RuntimeException closing)
            {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
    }

    private static BrokerConfig config(final int node, final Path dir, final int n)
    {
        final Map<String, String> p = new HashMap<>();
        p.put("node.id", String.valueOf(node + 1));
        p.put("log.dirs", dir.toAbsolutePath().toString());
        p.put("listeners", "PLAINTEXT://127.0.0.1:0");
        p.put("num.io.threads", "2");
        p.put("num.network.threads", "1");
        p.put("num.partitions", "3");
        p.put("default.replication.factor", String.valueOf(Math.min(3, n)));
        p.put("auto.create.topics.enable", "false");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("log.segment.preallocate.bytes", String.valueOf(4 * 1024 * 1024));
        return BrokerConfig.parse(p);
    }

    @Override
    public String bootstrapServers()
    {
        final StringBuilder b = new StringBuilder();
        for (final Broker broker : brokers)
        {
            if (broker != null)
            {
                b.append(b.length() == 0 ? "" : ",").append(broker.bootstrapServers());
            }
        }
        return b.toString();
    }

    @Override
    public int brokers()
    {
        return brokers.length;
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
        final List<PowerCut.Cut> cuts = new ArrayList<>();
        for (final int node : nodes)
        {
            final Broker broker = brokers[node];
            brokers[node] = null;
            cuts.addAll(broker.powerCut(random));
        }
        return cuts;
    }

    @Override
    public void restart(final List<Integer> nodes)
    {
        for (final int node : nodes)
        {
            if (brokers[node] != null)
            {
                throw new IllegalStateException("node " + node + " is running");
            }
            brokers[node] = Broker.start(configs.get(node));
        }
    }

    @Override
    public String description()
    {
        return "embedded: " + brokers.length + " broker" + (brokers.length == 1 ? "" : "s") + " in this JVM on 127.0.0.1, directories under " +
            root + (deleteRoot ? " (deleted afterwards)" : "");
    }

    @Override
    public void close()
    {
        RuntimeException failure = null;
        for (int i = 0; i < brokers.length; i++)
        {
            if (brokers[i] != null)
            {
                try
                {
                    brokers[i].close();
                }
                catch (final RuntimeException ex)
                {
                    if (failure == null)
                    {
                        failure = ex;
                    }
                    else
                    {
                        failure.addSuppressed(ex);
                    }
                }
                brokers[i] = null;
            }
        }
        try
        {
            delete(deleteRoot ? root : null);
            if (!deleteRoot)
            {
                for (int i = 0; i < brokers.length; i++)
                {
                    delete(root.resolve("node-" + i));
                }
            }
        }
        catch (final UncheckedIOException ex)
        {
            if (failure == null)
            {
                failure = ex;
            }
            else
            {
                failure.addSuppressed(ex);
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    static void delete(final Path path)
    {
        if (path == null || !Files.exists(path))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(path))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
