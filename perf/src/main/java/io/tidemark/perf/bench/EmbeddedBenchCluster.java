package io.tidemark.perf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.tidemark.broker.Broker;
import io.tidemark.broker.EmbeddedCluster;
import io.tidemark.engine.Log;
import io.tidemark.engine.PowerCut;
import io.tidemark.engine.TopicPartition;

/**
 * A replicated cluster in this JVM ({@link EmbeddedCluster}: N brokers on loopback, each a controller
 * voter, ports kept across restarts) in a directory that {@link #close()} deletes. A power cut is
 * {@link Broker#powerCut(Random)} (the engine's {@link PowerCut} on the broker's real files); a restart
 * starts the cut nodes again on their directories and ports.
 */
final class EmbeddedBenchCluster implements BenchCluster
{
    /** The most brokers the embedded cluster takes (each is a controller voter). */
    static final int MAX_BROKERS = 9;

    private final Path root;
    private final EmbeddedCluster cluster;

    private EmbeddedBenchCluster(final Path root, final EmbeddedCluster cluster)
    {
        this.root = root;
        this.cluster = cluster;
    }

    /**
     * @param root where the brokers' directories go (created; deleted by {@link #close()}).
     * @param n    brokers.
     * @return the running cluster.
     */
    static EmbeddedBenchCluster start(final Path root, final int n)
    {
        if (n < 1 || n > MAX_BROKERS)
        {
            throw new IllegalArgumentException("the embedded cluster runs 1 .. " + MAX_BROKERS + " brokers, not " + n);
        }
        try
        {
            Files.createDirectories(root);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        try
        {
            return new EmbeddedBenchCluster(root, EmbeddedCluster.builder(root).brokers(n)
                .set("num.io.threads", 2)
                .set("num.network.threads", 1)
                .set("num.partitions", Topics.PARTITIONS)
                .set("auto.create.topics.enable", false)
                .set("log.segment.bytes", 64 * 1024 * 1024)
                .set("log.segment.preallocate.bytes", 4 * 1024 * 1024)
                .start());
        }
        catch (final RuntimeException ex)
        {
            try
            {
                delete(root);
            }
            catch (final UncheckedIOException deleting)
            {
                ex.addSuppressed(deleting);
            }
            throw ex;
        }
    }

    @Override
    public String bootstrapServers()
    {
        return cluster.bootstrapServers();
    }

    @Override
    public int brokers()
    {
        return cluster.size();
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
            cuts.addAll(cluster.powerCut(node, random));
        }
        return cuts;
    }

    @Override
    public void restart(final List<Integer> nodes)
    {
        cluster.restart(nodes);
    }

    @Override
    public boolean awaitSettled(final String topic, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        if (!Topics.awaitFullIsr(bootstrapServers(), topic, timeout))
        {
            return false;
        }
        while (System.nanoTime() < deadline)
        {
            if (caughtUp(topic))
            {
                return true;
            }
            Thread.sleep(20); // followers fetching: re-checked until the high watermarks reach the log ends, bounded by the deadline
        }
        return false;
    }

    private boolean caughtUp(final String topic)
    {
        for (int p = 0; p < Topics.PARTITIONS; p++)
        {
            final int leader = cluster.leaderOf(topic, p);
            final Broker broker = leader < 0 ? null : cluster.broker(leader);
            final Log log = broker == null ? null : broker.logManager().log(new TopicPartition(topic, p));
            if (log == null || log.highWatermark() < log.logEndOffset())
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public String description()
    {
        return "embedded: " + cluster.size() + " broker" + (cluster.size() == 1 ? "" : "s") + " in one JVM on 127.0.0.1 (each a controller " +
            "voter), directories under " + root;
    }

    @Override
    public void close()
    {
        try
        {
            cluster.close();
        }
        finally
        {
            delete(root);
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
