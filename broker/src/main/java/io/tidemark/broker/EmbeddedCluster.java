package io.tidemark.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.engine.PowerCut;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.Storage;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;

/**
 * A replicated Tidemark cluster in one JVM: N {@link Broker}s on loopback, each with a co-located
 * controller voter (a Raft quorum of all of them), a Kafka listener, a {@code REPLICATION} listener and a
 * {@code CONTROLLER} listener. Node ids are {@code 0..N-1}; node {@code i} keeps its logs under
 * {@code dir/node-i}. Ports are chosen once (free loopback ports) and kept across restarts, so clients'
 * bootstrap addresses stay valid.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3).start())
 * {
 *     String bootstrap = cluster.bootstrapServers();   // any Kafka client works against it
 *     cluster.crash(cluster.leaderOf("orders", 0));    // kill -9 of one broker
 *     cluster.restart(0);
 * }
 * }</pre>
 *
 * Tests and the durability lab use it; it is also how an application embeds a replicated log.
 */
public final class EmbeddedCluster implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(EmbeddedCluster.class.getName());

    private final Path dir;
    private final int size;
    private final Map<String, String> overrides;
    private final IntFunction<Storage> storage;
    private final int[] kafkaPorts;
    private final int[] replicationPorts;
    private final int[] controllerPorts;
    private final Broker[] brokers;
    private boolean closed;

    private EmbeddedCluster(final Builder b)
    {
        this.dir = b.dir;
        this.size = b.brokers;
        this.overrides = Map.copyOf(b.overrides);
        this.storage = b.storage;
        this.kafkaPorts = new int[size];
        this.replicationPorts = new int[size];
        this.controllerPorts = new int[size];
        this.brokers = new Broker[size];
        final int[] ports = freePorts(3 * size);
        for (int i = 0; i < size; i++)
        {
            kafkaPorts[i] = ports[3 * i];
            replicationPorts[i] = ports[3 * i + 1];
            controllerPorts[i] = ports[3 * i + 2];
        }
    }

    /**
     * @param dir the cluster's directory (one sub-directory per node).
     * @return a builder.
     */
    public static Builder builder(final Path dir)
    {
        return new Builder(dir);
    }

    /**
     * How to build a cluster.
     */
    public static final class Builder
    {
        private final Path dir;
        private int brokers = 3;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private IntFunction<Storage> storage = id -> FileStorage.INSTANCE;

        private Builder(final Path dir)
        {
            this.dir = Objects.requireNonNull(dir, "dir");
        }

        /**
         * @param n number of brokers (1 to 9: each is a controller voter).
         * @return this.
         */
        public Builder brokers(final int n)
        {
            if (n < 1 || n > 9)
            {
                throw new IllegalArgumentException("brokers must be 1 to 9 (each is a controller voter), not " + n);
            }
            brokers = n;
            return this;
        }

        /**
         * @param key   a broker configuration key ({@code server.properties} names).
         * @param value its value on every broker.
         * @return this.
         */
        public Builder set(final String key, final Object value)
        {
            overrides.put(key, String.valueOf(value));
            return this;
        }

        /**
         * @param v the storage seam of each node (by node id).
         * @return this.
         */
        public Builder storage(final IntFunction<Storage> v)
        {
            storage = Objects.requireNonNull(v, "storage");
            return this;
        }

        /**
         * Starts every broker (in parallel: each waits for the controller quorum to form).
         *
         * @return the running cluster.
         */
        public EmbeddedCluster start()
        {
            final EmbeddedCluster cluster = new EmbeddedCluster(this);
            try
            {
                final List<Integer> all = new ArrayList<>();
                for (int i = 0; i < cluster.size; i++)
                {
                    all.add(i);
                }
                cluster.startAll(all);
                return cluster;
            }
            catch (final RuntimeException ex)
            {
                cluster.close();
                throw ex;
            }
        }
    }

    private static int[] freePorts(final int n)
    {
        final List<ServerSocket> sockets = new ArrayList<>();
        try
        {
            final int[] ports = new int[n];
            for (int i = 0; i < n; i++)
            {
                final ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find free loopback ports", ex);
        }
        finally
        {
            for (final ServerSocket s : sockets)
            {
                try
                {
                    s.close();
                }
                catch (final IOException ignore)
                {
                    // nothing to do
                }
            }
        }
    }

    /**
     * @param nodeId a node.
     * @return its configuration.
     */
    public BrokerConfig config(final int nodeId)
    {
        final StringJoiner voters = new StringJoiner(",");
        for (int i = 0; i < size; i++)
        {
            voters.add(i + "@127.0.0.1:" + controllerPorts[i]);
        }
        final Map<String, String> props = new LinkedHashMap<>();
        props.put("node.id", String.valueOf(nodeId));
        props.put("process.roles", "broker,controller");
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + kafkaPorts[nodeId] + ",REPLICATION://127.0.0.1:" + replicationPorts[nodeId] +
            ",CONTROLLER://127.0.0.1:" + controllerPorts[nodeId]);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("controller.quorum.voters", voters.toString());
        props.put("log.dirs", nodeDir(nodeId).toAbsolutePath().toString());
        props.put("default.replication.factor", String.valueOf(Math.min(3, size)));
        props.put("num.io.threads", "4");
        props.put("num.network.threads", "2");
        props.putAll(overrides);
        return BrokerConfig.parse(props);
    }

    /**
     * @param nodeId a node.
     * @return its directory.
     */
    public Path nodeDir(final int nodeId)
    {
        return dir.resolve("node-" + nodeId);
    }

    private void startAll(final List<Integer> ids)
    {
        final List<CompletableFuture<Broker>> starting = new ArrayList<>();
        for (final int id : ids)
        {
            if (brokers[id] != null)
            {
                throw new IllegalStateException("broker " + id + " is running");
            }
            try
            {
                Files.createDirectories(nodeDir(id));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            final BrokerConfig config = config(id);
            final Storage s = storage.apply(id);
            starting.add(CompletableFuture.supplyAsync(() -> Broker.builder(config).storage(s).start(),
                thread("tidemark-embedded-start-" + id)));
        }
        awaitAll(starting, (broker, i) -> brokers[ids.get(i)] = broker);
    }

    /**
     * @return number of nodes.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param nodeId a node.
     * @return its running broker, or null when it is stopped.
     */
    public synchronized Broker broker(final int nodeId)
    {
        return brokers[nodeId];
    }

    /**
     * @param nodeId a node.
     * @return whether it runs.
     */
    public synchronized boolean isRunning(final int nodeId)
    {
        return brokers[nodeId] != null;
    }

    /**
     * @return {@code host:port,...} of every node's Kafka listener (stopped ones included: clients skip them).
     */
    public String bootstrapServers()
    {
        final StringJoiner j = new StringJoiner(",");
        for (int i = 0; i < size; i++)
        {
            j.add("127.0.0.1:" + kafkaPorts[i]);
        }
        return j.toString();
    }

    /**
     * Clean stop: controlled shutdown (leadership moves), logs closed with the clean-shutdown marker.
     *
     * @param nodeId a running node.
     */
    public void stop(final int nodeId)
    {
        take(nodeId).close();
    }

    /**
     * Stops a node as {@code kill -9} would (see {@link Broker#crash()}).
     *
     * @param nodeId a running node.
     */
    public void crash(final int nodeId)
    {
        take(nodeId).crash();
    }

    /**
     * Cuts a node's power (see {@link Broker#powerCut(Random)}).
     *
     * @param nodeId a running node.
     * @param random decides how unsynced pages tear.
     * @return what the cut did to each of its logs.
     */
    public List<PowerCut.Cut> powerCut(final int nodeId, final Random random)
    {
        return take(nodeId).powerCut(random);
    }

    private synchronized Broker take(final int nodeId)
    {
        final Broker b = brokers[nodeId];
        if (b == null)
        {
            throw new IllegalStateException("broker " + nodeId + " is not running");
        }
        brokers[nodeId] = null;
        return b;
    }

    /**
     * Starts a stopped node again on its directories and ports (recovering its logs if it crashed).
     * Blocks until it registered with the controller quorum (which needs a majority of voters running).
     *
     * @param nodeId a stopped node.
     */
    public void restart(final int nodeId)
    {
        startAll(List.of(nodeId));
    }

    /**
     * Starts several stopped nodes at once (needed when a majority of voters is down).
     *
     * @param nodeIds stopped nodes.
     */
    public void restart(final List<Integer> nodeIds)
    {
        startAll(nodeIds);
    }

    /**
     * @return the latest metadata any running node has, or null when none runs.
     */
    public MetadataImage image()
    {
        MetadataImage best = null;
        for (int i = 0; i < size; i++)
        {
            final Broker b = broker(i);
            if (b != null && b.controller() != null)
            {
                final MetadataImage m = b.controller().image();
                if (m != null && (best == null || m.version() > best.version()))
                {
                    best = m;
                }
            }
        }
        return best;
    }

    /**
     * @param topic     a topic.
     * @param partition a partition.
     * @return its leader as the latest metadata says, or -1 (unknown topic or no leader).
     */
    public int leaderOf(final String topic, final int partition)
    {
        final PartitionInfo p = partition(topic, partition);
        return p == null ? -1 : p.leader();
    }

    /**
     * @param topic     a topic.
     * @param partition a partition.
     * @return its state in the latest metadata, or null.
     */
    public PartitionInfo partition(final String topic, final int partition)
    {
        final MetadataImage m = image();
        if (m == null)
        {
            return null;
        }
        final TopicInfo t = m.topics().get(topic);
        return t == null || partition >= t.partitions().size() ? null : t.partitions().get(partition);
    }

    /**
     * Stops every running node cleanly. Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        final List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (int i = 0; i < size; i++)
        {
            final Broker b;
            synchronized (this)
            {
                b = brokers[i];
                brokers[i] = null;
            }
            if (b != null)
            {
                stopping.add(CompletableFuture.runAsync(b::close, thread("tidemark-embedded-stop-" + i)));
            }
        }
        awaitAll(stopping, (ignored, i) -> LOG.log(System.Logger.Level.DEBUG, "embedded broker stopped"));
    }

    private static <T> void awaitAll(final List<CompletableFuture<T>> futures, final ObjIntConsumer<T> done)
    {
        RuntimeException failure = null;
        for (int i = 0; i < futures.size(); i++)
        {
            try
            {
                done.accept(futures.get(i).join(), i);
            }
            catch (final CompletionException ex)
            {
                final RuntimeException cause = ex.getCause() instanceof RuntimeException re ? re : ex;
                if (failure == null)
                {
                    failure = cause;
                }
                else
                {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    private static Executor thread(final String name)
    {
        return r ->
        {
            final Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        };
    }
}
