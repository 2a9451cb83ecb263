package io.tidemark.replication;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.Log;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.MetadataApplier;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.transport.RpcServer;
import io.tidemark.transport.TransportClient;
import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.TransportServer;
import org.agrona.concurrent.SystemEpochClock;

/**
 * One node of a replicated log, without the Kafka front door: its logs, its replica manager (leading
 * and following partitions), the {@code REPLICATION} listener that serves followers zero-copy, the
 * link it fetches from leaders with, and its session with the controller. The broker wraps one; tests
 * and embedders run several in one JVM.
 *
 * <pre>{@code
 * ReplicaNode node = ReplicaNode.start(new ReplicaNode.Config(1, "127.0.0.1", 0, logs, controller, ...));
 * node.replicaManager().append(tp, batch, 0, len, (short)-1, 30_000, 0, completion);
 * }</pre>
 */
public final class ReplicaNode implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(ReplicaNode.class.getName());

    /**
     * What a node needs.
     *
     * @param brokerId             {@code node.id}.
     * @param host                 address of the replication listener.
     * @param port                 its port (0 for ephemeral).
     * @param logs                 log manager configuration (log dirs).
     * @param controller           the controller.
     * @param replication          replication settings.
     * @param transport            transport settings for the replication listener and client.
     * @param brokerDefaults       broker-level topic defaults.
     * @param heartbeatIntervalMs  {@code broker.heartbeat.interval.ms}.
     * @param clientEndpoint       advertised client (Kafka) listener host:port, or null.
     */
    public record Config(
        int brokerId,
        String host,
        int port,
        LogManagerConfig logs,
        Controller controller,
        ReplicationConfig replication,
        TransportConfig transport,
        Map<String, String> brokerDefaults,
        long heartbeatIntervalMs,
        InetSocketAddress clientEndpoint)
    {
        /**
         * Validates.
         */
        public Config
        {
            Objects.requireNonNull(logs, "logs");
            Objects.requireNonNull(controller, "controller");
            Objects.requireNonNull(replication, "replication");
            Objects.requireNonNull(transport, "transport");
            brokerDefaults = Map.copyOf(brokerDefaults);
            if (replication.brokerId() != brokerId)
            {
                throw new IllegalArgumentException("replication.brokerId " + replication.brokerId() + " != " + brokerId);
            }
        }
    }

    /** The endpoint name of the replication listener in {@link BrokerInfo#endpoints()}. */
    public static final String REPLICATION_ENDPOINT = "REPLICATION";

    private final Config config;
    private final LogManager logManager;
    private final ExecutorScheduler scheduler;
    private final TransportClient client;
    private final TransportReplicationLink link;
    private final ReplicaManager replicaManager;
    private final LeaderFetchService fetchService;
    private final TransportServer server;
    private final MetadataApplier applier;
    private final BrokerLifecycle lifecycle;
    private volatile MetadataImage image;
    private volatile boolean closed;

    private ReplicaNode(final Config config)
    {
        this.config = config;
        this.logManager = LogManager.open(config.logs());
        boolean ok = false;
        ExecutorScheduler sched = null;
        TransportClient cl = null;
        TransportServer srv = null;
        try
        {
            sched = new ExecutorScheduler("replica-" + config.brokerId(), SystemEpochClock.INSTANCE);
            cl = TransportClient.start(config.transport());
            this.scheduler = sched;
            this.client = cl;
            this.link = new TransportReplicationLink(cl, this::replicationAddress,
                config.replication().replicaFetchWaitMaxMs() + config.transport().requestTimeoutMs());
            this.replicaManager = new ReplicaManager(config.replication(), logManager, sched, link, (state, newIsr, epochs) ->
                config.controller().alterPartition(state.topicPartition().topic(), state.topicPartition().partition(),
                    config.brokerId(), state.leaderEpoch(), state.partitionEpoch(), newIsr, epochs));
            this.fetchService = new LeaderFetchService(replicaManager, sched);
            srv = TransportServer.start(config.transport(), new InetSocketAddress(config.host(), config.port()),
                new ReplicationRpcService(fetchService).register(RpcServer.builder()).build());
            this.server = srv;
            this.applier = new MetadataApplier(replicaManager, config.brokerDefaults());
            final Map<String, String> endpoints = new HashMap<>();
            endpoints.put(REPLICATION_ENDPOINT, config.host() + ":" + srv.port());
            final InetSocketAddress client = config.clientEndpoint();
            final BrokerInfo self = new BrokerInfo(config.brokerId(), 0, incarnationOf(logManager), client != null ? client.getHostString() :
                config.host(), client != null ? client.getPort() : srv.port(), null, false, endpoints);
            this.lifecycle = new BrokerLifecycle(config.controller(), sched, self, self.incarnation(), logManager.openedCleanly(),
                this::logSummaries, replicaManager::brokerEpoch, config.heartbeatIntervalMs(), 500);
            ok = true;
        }
        finally
        {
            if (!ok)
            {
                if (srv != null)
                {
                    srv.close();
                }
                if (cl != null)
                {
                    cl.close();
                }
                if (sched != null)
                {
                    sched.close();
                }
                logManager.close();
            }
        }
    }

    private static UUID incarnationOf(final LogManager logs)
    {
        final String id = logs.metaProperties(logs.logDirs().get(0)).getProperty("directory.id");
        return UUID.fromString(id);
    }

    /**
     * Opens the logs, starts the replication listener, registers with the controller and follows
     * its metadata.
     *
     * @param config the configuration.
     * @return the running node (registration completes in the background; see {@link #registered()}).
     */
    public static ReplicaNode start(final Config config)
    {
        final ReplicaNode node = new ReplicaNode(config);
        node.lifecycle.start().thenRun(() -> config.controller().addListener(node::onImage));
        return node;
    }

    /**
     * @return completes once registered with the controller.
     */
    public CompletableFuture<Long> registered()
    {
        return lifecycle.start();
    }

    private void onImage(final MetadataImage next)
    {
        image = next;
        if (!closed)
        {
            scheduler.execute(() ->
            {
                if (!closed)
                {
                    applier.apply(next);
                }
            });
        }
    }

    private InetSocketAddress replicationAddress(final int brokerId)
    {
        final MetadataImage current = image;
        if (current == null || !current.brokers().containsKey(brokerId))
        {
            return null;
        }
        final String endpoint = current.brokers().get(brokerId).endpoints().get(REPLICATION_ENDPOINT);
        if (endpoint == null)
        {
            return null;
        }
        final int colon = endpoint.lastIndexOf(':');
        return new InetSocketAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
    }

    private Map<TopicPartition, ReplicaLogSummary> logSummaries()
    {
        return ReplicaLogSummary.of(config.brokerId(), logManager.logs());
    }

    /**
     * @return this node's id.
     */
    public int brokerId()
    {
        return config.brokerId();
    }

    /**
     * @return the replica manager.
     */
    public ReplicaManager replicaManager()
    {
        return replicaManager;
    }

    /**
     * @return the log manager.
     */
    public LogManager logManager()
    {
        return logManager;
    }

    /**
     * @return the port of the replication listener.
     */
    public int replicationPort()
    {
        return server.port();
    }

    /**
     * @return the broker epoch, -1 before registration.
     */
    public long brokerEpoch()
    {
        return lifecycle.brokerEpoch();
    }

    /**
     * @return the metadata last applied.
     */
    public MetadataImage image()
    {
        return image;
    }

    /**
     * Controlled shutdown first (leadership moves), then stops and closes the logs cleanly.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            lifecycle.controlledShutdown().get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.WARNING, "controlled shutdown of broker {0} did not complete: {1}", config.brokerId(),
                ex.toString());
        }
        stop(true);
    }

    /**
     * Stops without a controlled shutdown (as a crashed process would look to the cluster, but with
     * the logs closed cleanly when {@code closeLogs}); for tests.
     *
     * @param closeLogs close the logs (false leaves them as a crash would: no clean-shutdown marker).
     */
    public void stop(final boolean closeLogs)
    {
        closed = true;
        lifecycle.close();
        server.close();
        link.close();
        client.close();
        replicaManager.close();
        scheduler.close();
        if (closeLogs)
        {
            logManager.close();
        }
        else
        {
            logManager.abandon();
        }
    }
}
