package io.tidemark.broker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tidemark.broker.api.BrokerApis;
import io.tidemark.broker.api.CreatePartitionsHandler;
import io.tidemark.broker.api.CreateTopicsHandler;
import io.tidemark.broker.api.DeleteTopicsHandler;
import io.tidemark.broker.api.DescribeClusterHandler;
import io.tidemark.broker.api.DescribeConfigsHandler;
import io.tidemark.broker.api.ElectLeadersHandler;
import io.tidemark.broker.api.IncrementalAlterConfigsHandler;
import io.tidemark.broker.api.InitProducerIdHandler;
import io.tidemark.broker.api.ListOffsetsHandler;
import io.tidemark.broker.api.MetadataHandler;
import io.tidemark.broker.api.OffsetForLeaderEpochHandler;
import io.tidemark.broker.api.PartitionLookup;
import io.tidemark.broker.api.TopicConfigDescriber;
import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.config.Endpoint;
import io.tidemark.broker.fetch.FetchHandler;
import io.tidemark.broker.group.GroupApis;
import io.tidemark.broker.group.GroupConfig;
import io.tidemark.broker.group.GroupCoordinator;
import io.tidemark.broker.metadata.LeaderBalance;
import io.tidemark.broker.metrics.BrokerMetrics;
import io.tidemark.broker.metrics.MeteredHandlers;
import io.tidemark.broker.metrics.MetricsHttpEndpoint;
import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.metadata.PartitionHosting;
import io.tidemark.broker.metadata.RegistrationGate;
import io.tidemark.broker.network.KafkaFrameHandler;
import io.tidemark.broker.network.RequestProcessor;
import io.tidemark.broker.produce.ProduceHandler;
import io.tidemark.broker.producer.ControllerProducerIdManager;
import io.tidemark.broker.producer.LocalProducerIdManager;
import io.tidemark.broker.producer.ProducerIdManager;
import io.tidemark.broker.producer.ProducerStates;
import io.tidemark.engine.CorruptBatch;
import io.tidemark.engine.FatalErrorHandler;
import io.tidemark.engine.GuardedExecutors;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.engine.PowerCut;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.Storage;
import io.tidemark.replication.BrokerLifecycle;
import io.tidemark.replication.ExecutorScheduler;
import io.tidemark.replication.LeaderFetchService;
import io.tidemark.replication.ReplicaManager;
import io.tidemark.replication.ReplicationRpcService;
import io.tidemark.replication.TransportReplicationLink;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.MetadataApplier;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.replication.controller.raft.RaftController;
import io.tidemark.transport.RpcServer;
import io.tidemark.transport.TransportClient;
import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.TransportServer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * A Kafka-compatible broker, embeddable: {@code Broker.start(config)} opens the logs (recovering them if
 * needed), loads producer state, binds the listeners, applies the metadata and serves; {@link #close()}
 * shuts down cleanly (new requests refused, requests in flight finished, producer state snapshotted, logs
 * closed with the clean-shutdown marker).
 *
 * <h2>Threads</h2>
 * <pre>
 *  tidemark-transport-server-PORT-i   num.network.threads per listener: sockets, framing
 *  tidemark-request-handler-i         num.io.threads: parse, validate, dispatch, encode
 *  tidemark-log-writer-i / -scheduler the engine: appends, syncs, checkpoints, retention
 *  tidemark-replication               acks=all expiry, ISR checks
 *  tidemark-fetch-timer               long-poll deadlines
 *  tidemark-broker-background         producer-state snapshots and expiration
 *  tidemark-group-timer/-loader/-appended  group timeouts, loading __consumer_offsets, append outcomes
 * </pre>
 *
 * <h2>When a thread fails</h2>
 * An {@link Error} ({@link OutOfMemoryError} and the like) in any of these threads goes to the broker's
 * {@link FatalErrorHandler}: by default this broker logs one line naming the thread and stops as
 * {@link #crash()} would (never half alive: serving with a dead scheduler); {@code tidemark broker} halts the
 * process instead. The Raft controller's and the transport's threads report to the process's handler
 * ({@link GuardedExecutors#installProcessHandler}, which {@code tidemark} installs: halt; otherwise it logs). A runtime exception in a periodic task
 * (snapshots, expiration, leader balance, checkpoints, retention, group timeouts) is logged and the task keeps
 * its schedule; one in a request is answered as an error by the request handler. See {@link GuardedExecutors}.
 *
 * <pre>{@code
 * try (Broker broker = Broker.start(BrokerConfig.builder().logDirs(dir).listeners("PLAINTEXT://127.0.0.1:0").build()))
 * {
 *     String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 */
public final class Broker implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Broker.class.getName());
    /** Name of the thread running producer-state snapshots and expiration, leader balance and log removal. */
    public static final String BACKGROUND_THREAD = "tidemark-broker-background";
    private static final long SHUTDOWN_DRAIN_MS = 10_000;
    private static final long CONTROLLER_HANDOFF_MS = 5_000;
    /** Wait after a failed producer id block request (Kafka's RPCProducerIdManager uses 50 ms). */
    private static final long PRODUCER_ID_RETRY_BACKOFF_MS = 50;

    private final BrokerConfig config;
    private final Storage storage;
    private final EpochClock clock;
    private final ControllerFactory controllerFactory;
    private final FatalErrorHandler fatalErrorHandler;
    private final List<TransportServer> servers = new ArrayList<>();
    private final List<Endpoint> boundAdvertised = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private LogManager logManager;
    private ProducerStates producerStates;
    private ExecutorScheduler replicationScheduler;
    private volatile ReplicaManager replicaManager;
    private TransportClient replicationClient;
    private TransportReplicationLink replicationLink;
    private LeaderFetchService leaderFetchService;
    private BrokerLifecycle lifecycle;
    private ThreadPoolExecutor requestPool;
    private ScheduledExecutorService fetchTimer;
    private ScheduledExecutorService background;
    private volatile Controller controller;
    private MetadataView metadata;
    private GroupCoordinator groupCoordinator;
    private RequestProcessor processor;
    private BrokerMetrics metrics;
    private ReplicationRpcService replicationRpc;
    private MetricsHttpEndpoint metricsEndpoint;
    private String clusterId;
    private volatile long brokerEpoch = -1;
    private boolean closed;

    private Broker(final Builder builder)
    {
        this.config = builder.config;
        this.storage = builder.storage;
        this.clock = builder.clock;
        this.controllerFactory = builder.controllerFactory;
        this.fatalErrorHandler = builder.fatalErrorHandler != null ? builder.fatalErrorHandler : this::stopOnFatalError;
    }

    /**
     * Starts a broker with the single-node controller.
     *
     * @param config the configuration.
     * @return the running broker.
     */
    public static Broker start(final BrokerConfig config)
    {
        return builder(config).start();
    }

    /**
     * @param config the configuration.
     * @return a builder for the seams (storage, clock, controller).
     */
    public static Builder builder(final BrokerConfig config)
    {
        return new Builder(config);
    }

    /**
     * Seams of a broker.
     */
    public static final class Builder
    {
        private final BrokerConfig config;
        private Storage storage = FileStorage.INSTANCE;
        private EpochClock clock = SystemEpochClock.INSTANCE;
        private ControllerFactory controllerFactory = ControllerFactory.fromConfig();
        private FatalErrorHandler fatalErrorHandler;

        private Builder(final BrokerConfig config)
        {
            this.config = config;
        }

        /**
         * @param v the storage seam (tests: crash-simulating or faulty storage).
         * @return this.
         */
        public Builder storage(final Storage v)
        {
            storage = v;
            return this;
        }

        /**
         * @param v the wall clock.
         * @return this.
         */
        public Builder clock(final EpochClock v)
        {
            clock = v;
            return this;
        }

        /**
         * @param v creates the controller (default: {@link ControllerFactory#fromConfig()}, the single-node
         *          controller unless {@code controller.quorum.voters} is set).
         * @return this.
         */
        public Builder controller(final ControllerFactory v)
        {
            controllerFactory = v;
            return this;
        }

        /**
         * @param v gets an {@link Error} met by one of the broker's threads (default: log it and stop this
         *          broker as {@link Broker#crash()} would; {@code tidemark broker}: {@link FatalErrorHandler#haltProcess()}).
         * @return this.
         */
        public Builder fatalErrorHandler(final FatalErrorHandler v)
        {
            fatalErrorHandler = v;
            return this;
        }

        /**
         * @return the running broker.
         */
        public Broker start()
        {
            final Broker broker = new Broker(this);
            try
            {
                broker.startUp();
                return broker;
            }
            catch (final RuntimeException | Error ex)
            {
                try
                {
                    broker.close();
                }
                catch (final RuntimeException closing)
                {
                    ex.addSuppressed(closing);
                }
                throw ex;
            }
        }
    }

    /**
     * A sealed batch was found corrupt (by the scrubber, on the log scheduler): one line, then the repair
     * (the range is already refused to every fetch).
     */
    private void onCorruptBatch(final CorruptBatch batch)
    {
        LOG.log(System.Logger.Level.ERROR, "corrupt record batch in sealed data: partition " + batch.topicPartition() + ", segment " +
            batch.segmentFile() + ", position " + batch.position() + ", offsets " + batch.firstOffset() + ".." + batch.lastOffset() +
            ": " + batch.reason() + "; the range is refused to fetches until it is repaired");
        final ReplicaManager replicas = replicaManager;
        if (replicas != null)
        {
            replicas.onCorruptBatch(batch);
        }
    }

    private void startUp()
    {
        for (final String unknown : config.unknownKeys())
        {
            LOG.log(System.Logger.Level.WARNING, "ignoring unknown configuration key " + unknown);
        }
        final String existingClusterId;
        try
        {
            existingClusterId = MetaProperties.clusterId(storage, config.logDirs(), config.nodeId());
        }
        catch (final java.io.UncheckedIOException ex)
        {
            throw StartupErrors.logDirFailure(config, ex);
        }
        clusterId = existingClusterId != null ? existingClusterId : newClusterId();
        final String configuredClusterId = config.valueOf(BrokerConfigKeys.CLUSTER_ID);
        if (existingClusterId != null && configuredClusterId != null && !existingClusterId.equals(configuredClusterId))
        {
            throw new IllegalStateException("the log directories " + config.logDirs() + " belong to cluster " + existingClusterId +
                " but cluster.id=" + configuredClusterId);
        }
        final Map<String, String> topicDefaults = config.topicDefaults();
        final LogManagerConfig.Builder logs = LogManagerConfig.builder(config.logDirs())
            .defaultLogConfig(TopicConfigs.toLogConfig(TopicConfigs.effective(Map.of(), topicDefaults)))
            .writerThreads(config.logWriter().writerThreads())
            .maxPendingAppends(config.logWriter().maxPendingAppends())
            .checkpointIntervalMs(config.logWriter().checkpointIntervalMs())
            .retentionCheckIntervalMs(config.logWriter().retentionCheckIntervalMs())
            .storage(storage)
            .epochClock(clock)
            .metaProperties(Map.of("node.id", String.valueOf(config.nodeId()), "cluster.id", clusterId))
            .scrubEnable(config.scrub().enable())
            .scrubBytesPerSecond(config.scrub().bytesPerSecond())
            .scrubIntervalMs(config.scrub().intervalMs())
            .scrubListener(this::onCorruptBatch)
            .fatalErrorHandler(fatalErrorHandler);
        if (config.logWriter().writerRingBytes() > 0)
        {
            logs.writerRingBytes(config.logWriter().writerRingBytes());
        }
        try
        {
            logManager = LogManager.open(logs.build());
        }
        catch (final io.tidemark.engine.StorageException ex)
        {
            throw StartupErrors.logDirFailure(config, ex);
        }
        for (final String line : RecoveryLog.lines(logManager.recoveryReports()))
        {
            LOG.log(System.Logger.Level.WARNING, line);
        }
        producerStates = new ProducerStates(storage, clock, config.producerState());
        for (final Log log : logManager.logs())
        {
            producerStates.install(log); // before anything can append
        }
        replicationScheduler = new ExecutorScheduler("replication", clock, fatalErrorHandler);
        final String replicationListener = config.interBrokerListenerName();
        if (config.listenerIndex(replicationListener) >= 0)
        {
            replicationClient = TransportClient.start(TransportConfig.builder()
                .requestTimeoutMs(config.replication().replicaFetchWaitMaxMs() + config.requestTimeoutMs()).build());
            replicationLink = new TransportReplicationLink(replicationClient, this::replicationAddress,
                config.replication().replicaFetchWaitMaxMs() + config.requestTimeoutMs());
        }
        replicaManager = new ReplicaManager(config.replication(), logManager, replicationScheduler, replicationLink,
            (state, newIsr, epochs) -> controller.alterPartition(state.topicPartition().topic(), state.topicPartition().partition(),
                config.nodeId(), state.leaderEpoch(), state.partitionEpoch(), newIsr, epochs));
        leaderFetchService = new LeaderFetchService(replicaManager, replicationScheduler);
        final int threads = config.network().ioThreads();
        final long capacity = Math.min(Integer.MAX_VALUE,
            (long)config.network().maxConnections() * config.listeners().size() * config.network().maxRequestsPerConnection());
        requestPool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>((int)Math.min(capacity, 1 << 20)),
            GuardedExecutors.threads("tidemark-request-handler-", fatalErrorHandler));
        fetchTimer = GuardedExecutors.singleThreadScheduled("tidemark-fetch-timer", fatalErrorHandler);
        background = GuardedExecutors.singleThreadScheduled(BACKGROUND_THREAD, fatalErrorHandler);
        // a deleted topic's files go on the background thread: applying metadata (new topics, leaders) never waits for them
        replicaManager.logRemover(task ->
        {
            final Runnable logged = () ->
            {
                try
                {
                    task.run();
                }
                catch (final RuntimeException ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "removing a deleted log's files failed (retried when the log directory is next opened): " + ex);
                }
            };
            try
            {
                background.execute(logged);
            }
            catch (final java.util.concurrent.RejectedExecutionException ex)
            {
                logged.run(); // shutting down
            }
        });
        final List<KafkaFrameHandler> frameHandlers = bindListeners();
        final UUID incarnation = incarnation();
        final BrokerInfo self = self(incarnation);
        try
        {
            controller = controllerFactory.create(new ControllerFactory.Context(config, storage, clusterId, self, topicDefaults));
        }
        catch (final RuntimeException ex)
        {
            final Endpoint controllerListener = config.controllerListener();
            throw controllerListener == null ? ex : StartupErrors.bindFailure(config, controllerListener, ex);
        }
        metadata = new MetadataView(controller, config.nodeId(), topicDefaults);
        final PartitionHosting hosting = new PartitionHosting(config.nodeId(), logManager, producerStates,
            new MetadataApplier(replicaManager, topicDefaults), topicDefaults);
        groupCoordinator = new GroupCoordinator(GroupConfig.from(config), metadata, replicaManager, clock, fatalErrorHandler);
        // partitions first, then the groups (it loads and unloads them); nothing until the registration is in
        final RegistrationGate gate = new RegistrationGate(config.nodeId(), image ->
        {
            hosting.accept(image);
            groupCoordinator.onMetadata(image);
        });
        controller.addListener(gate);
        lifecycle = new BrokerLifecycle(controller, replicationScheduler, self, incarnation, logManager.openedCleanly(),
            () -> ReplicaLogSummary.of(config.nodeId(), logManager.logs()), epoch ->
            {
                brokerEpoch = epoch;
                replicaManager.brokerEpoch(epoch);
            }, config.brokerHeartbeatIntervalMs(), 500);
        gate.registered(lifecycle.start().join());
        try
        {
            gate.opened().get(config.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "broker " + config.nodeId() + ": registered, but no metadata holding the registration " +
                "arrived within " + config.requestTimeoutMs() + " ms; its partitions start when it does");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("broker " + config.nodeId() + ": interrupted while starting", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("broker " + config.nodeId() + ": applying metadata failed", ex.getCause());
        }
        metrics = new BrokerMetrics(new BrokerMetrics.Sources(config.nodeId(), logManager, replicaManager, () -> controller, groupCoordinator,
            kafkaListeners()));
        processor = buildProcessor();
        metricsEndpoint = MetricsHttpEndpoint.start(config.valueOf(BrokerConfigKeys.METRICS_HTTP_LISTENER), metrics.registry());
        for (final KafkaFrameHandler h : frameHandlers)
        {
            h.ready(processor);
        }
        if (config.hasQuorum() && Boolean.parseBoolean(config.valueOf(BrokerConfigKeys.AUTO_LEADER_REBALANCE_ENABLE).trim()))
        {
            final long intervalMs = TimeUnit.SECONDS.toMillis(Long.parseLong(config.valueOf(BrokerConfigKeys.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS).trim()));
            final int percentage = Integer.parseInt(config.valueOf(BrokerConfigKeys.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE).trim());
            background.scheduleWithFixedDelay(() -> rebalanceLeaders(percentage), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
        background.scheduleWithFixedDelay(producerStates::snapshotAll, config.producerState().snapshotIntervalMs(),
            config.producerState().snapshotIntervalMs(), TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(producerStates::expireAll, config.producerState().expirationCheckIntervalMs(),
            config.producerState().expirationCheckIntervalMs(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "broker " + config.nodeId() + " of cluster " + clusterId + " started (broker epoch " +
            brokerEpoch + ", " + logManager.logs().size() + " logs, " + (existingClusterId == null ? "new log directories" :
            logManager.openedCleanly() ? "clean previous shutdown" : "unclean previous shutdown: logs recovered") + "), serving " + boundAdvertised);
    }

    /**
     * On the active controller's broker: preferred-leader elections where a broker leads too few of the
     * partitions it is the preferred replica of ({@link LeaderBalance}).
     */
    private void rebalanceLeaders(final int percentage)
    {
        try
        {
            final MetadataImage image = controller.image();
            if (image.controllerId() != config.nodeId())
            {
                return;
            }
            final Map<String, List<Integer>> moves = LeaderBalance.imbalanced(image, percentage);
            if (moves.isEmpty())
            {
                return;
            }
            LOG.log(System.Logger.Level.INFO, "broker " + config.nodeId() + " (active controller): leader imbalance above " + percentage +
                "%, preferred-leader election for " + moves);
            controller.electLeaders(true, moves).whenComplete((moved, ex) ->
            {
                if (ex != null)
                {
                    LOG.log(System.Logger.Level.WARNING, "automatic preferred-leader election failed: " + ex);
                }
            });
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "leader balance check failed: " + ex);
        }
    }

    private RequestProcessor buildProcessor()
    {
        final long timeoutMs = config.requestTimeoutMs();
        final PartitionLookup lookup = new PartitionLookup(metadata, replicaManager);
        final TopicConfigDescriber describer = new TopicConfigDescriber(config);
        // with a quorum every broker answers InitProducerId: ids come from blocks the controller allocates
        // through the metadata log, unique cluster-wide (a wiped disk or a controller failover included)
        final ProducerIdManager producerIds;
        if (config.hasQuorum())
        {
            final ControllerProducerIdManager fromController = new ControllerProducerIdManager(config.nodeId(), () -> brokerEpoch,
                (id, epoch) -> controller.allocateProducerIds(id, epoch), clock, PRODUCER_ID_RETRY_BACKOFF_MS);
            fromController.prefetch();
            producerIds = fromController;
        }
        else
        {
            producerIds = new LocalProducerIdManager(storage, config.logDirs().get(0));
        }
        final int maxDecompressedBytes = Integer.parseInt(config.valueOf(BrokerConfigKeys.MESSAGE_MAX_DECOMPRESSED_BYTES).trim());
        final BrokerApis apis = new BrokerApis()
            .register(ApiKeys.PRODUCE, 0, 13, MeteredHandlers.produce(new ProduceHandler(metadata, replicaManager, maxDecompressedBytes),
                metrics.topics(), metadata))
            .register(ApiKeys.FETCH, 4, 18, MeteredHandlers.fetch(new FetchHandler(metadata, lookup, requestPool, fetchTimer, config.fetchMaxBytes()),
                metrics.topics(), metadata))
            .register(ApiKeys.LIST_OFFSETS, 1, 10, new ListOffsetsHandler(lookup, maxDecompressedBytes))
            .register(ApiKeys.METADATA, 0, 13, new MetadataHandler(metadata, config.autoCreateTopicsEnable(), timeoutMs))
            .register(ApiKeys.CREATE_TOPICS, 2, 7, new CreateTopicsHandler(metadata, describer, timeoutMs))
            .register(ApiKeys.DELETE_TOPICS, 1, 6, new DeleteTopicsHandler(metadata, config.deleteTopicEnable(), timeoutMs))
            .register(ApiKeys.INIT_PRODUCER_ID, 0, 5, new InitProducerIdHandler(producerIds))
            .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, 4, new OffsetForLeaderEpochHandler(lookup))
            .register(ApiKeys.DESCRIBE_CONFIGS, 1, 4, new DescribeConfigsHandler(metadata, describer, config))
            .register(ApiKeys.CREATE_PARTITIONS, 0, 3, new CreatePartitionsHandler(metadata, timeoutMs))
            .register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0, 1, new IncrementalAlterConfigsHandler(metadata, timeoutMs))
            .register(ApiKeys.DESCRIBE_CLUSTER, 0, 2, new DescribeClusterHandler(metadata))
            .register(ApiKeys.ELECT_LEADERS, 0, 2, new ElectLeadersHandler(metadata, timeoutMs));
        GroupApis.register(apis, groupCoordinator);
        final RequestProcessor built = new RequestProcessor(apis.versions(), apis.handlers());
        final io.tidemark.broker.metrics.RequestMetrics requestMetrics = metrics.requests(apis.versions().ranges().keySet());
        built.observer(requestMetrics);
        if (replicationRpc != null)
        {
            replicationRpc.observer(requestMetrics::onFollowerFetch);
        }
        return built;
    }

    private List<KafkaFrameHandler> bindListeners()
    {
        final List<KafkaFrameHandler> handlers = new ArrayList<>();
        for (int i = 0; i < config.listeners().size(); i++)
        {
            final Endpoint listener = config.listeners().get(i);
            final InetSocketAddress address = StartupErrors.resolve(config, listener);
            final TransportServer server;
            try
            {
                if (listener.name().equals(config.interBrokerListenerName()))
                {
                    // followers' replica fetches: internal RPC, served zero-copy from the segments
                    replicationRpc = new ReplicationRpcService(leaderFetchService);
                    server = TransportServer.start(config.network().toTransportConfig(), address,
                        replicationRpc.register(RpcServer.builder()).build());
                }
                else
                {
                    final KafkaFrameHandler handler = new KafkaFrameHandler(listener.name(), requestPool);
                    server = TransportServer.start(config.network().toTransportConfig(), address, handler);
                    handlers.add(handler);
                }
            }
            catch (final RuntimeException ex)
            {
                throw StartupErrors.bindFailure(config, listener, ex);
            }
            servers.add(server);
            final Endpoint advertised = config.advertisedListeners().get(i);
            final String host = advertised.wildcard() ? canonicalHostName() : advertised.host();
            final int port = advertised.port() == 0 ? server.port() : advertised.port();
            boundAdvertised.add(new Endpoint(advertised.name(), host, port));
        }
        return handlers;
    }

    private Map<String, TransportServer> kafkaListeners()
    {
        final Map<String, TransportServer> result = new LinkedHashMap<>();
        for (int i = 0; i < servers.size(); i++)
        {
            final String name = config.listeners().get(i).name();
            if (!name.equals(config.interBrokerListenerName()))
            {
                result.put(name, servers.get(i));
            }
        }
        return result;
    }

    private String newClusterId()
    {
        final String configured = config.valueOf(BrokerConfigKeys.CLUSTER_ID);
        if (configured != null)
        {
            return configured;
        }
        if (config.hasQuorum())
        {
            // every node of a quorum derives the same id from the voter list it shares
            final UUID derived = UUID.nameUUIDFromBytes(("tidemark-cluster:" + config.valueOf(BrokerConfigKeys.CONTROLLER_QUORUM_VOTERS))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new org.apache.kafka.common.Uuid(derived.getMostSignificantBits(), derived.getLeastSignificantBits()).toString();
        }
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    private InetSocketAddress replicationAddress(final int brokerId)
    {
        final Controller c = controller;
        if (c == null)
        {
            return null;
        }
        final BrokerInfo broker = c.image().brokers().get(brokerId);
        final String endpoint = broker == null ? null : broker.endpoints().get(config.interBrokerListenerName());
        if (endpoint == null)
        {
            return null;
        }
        final int colon = endpoint.lastIndexOf(':');
        return new InetSocketAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
    }

    private static String canonicalHostName()
    {
        try
        {
            return InetAddress.getLocalHost().getCanonicalHostName();
        }
        catch (final UnknownHostException ex)
        {
            return "localhost";
        }
    }

    private UUID incarnation()
    {
        final String id = logManager.metaProperties(config.logDirs().get(0)).getProperty("directory.id");
        try
        {
            return id == null ? UUID.randomUUID() : UUID.fromString(id);
        }
        catch (final IllegalArgumentException ex)
        {
            return UUID.nameUUIDFromBytes(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private BrokerInfo self(final UUID incarnation)
    {
        final Map<String, String> endpoints = new LinkedHashMap<>();
        for (final Endpoint e : boundAdvertised)
        {
            endpoints.put(e.name(), e.host() + ":" + e.port());
        }
        final Endpoint first = boundAdvertised.get(0);
        return new BrokerInfo(config.nodeId(), 0, incarnation, first.host(), first.port(), config.rack(), false, endpoints);
    }

    /**
     * The default {@link FatalErrorHandler} of an embedded broker, on the failing thread: one line, then this
     * broker stops as {@link #crash()} would, from a thread of its own (the failing one may be one that
     * stopping waits for).
     */
    private void stopOnFatalError(final String threadName, final Throwable error)
    {
        LOG.log(System.Logger.Level.ERROR, "broker " + config.nodeId() + ": fatal error in thread " + threadName + ": " + error +
            "; stopping the broker");
        final Thread stopper = new Thread(() ->
        {
            try
            {
                crash();
            }
            catch (final IllegalStateException alreadyStopped)
            {
                // stopped (or stopping) already
            }
        }, "tidemark-fatal-stop-" + config.nodeId());
        stopper.setDaemon(true);
        stopper.start();
    }

    // ---------------------------------------------------------------------------------------------
    // accessors
    // ---------------------------------------------------------------------------------------------

    /**
     * @return the configuration.
     */
    public BrokerConfig config()
    {
        return config;
    }

    /**
     * @return the port of the first listener.
     */
    public int port()
    {
        return servers.get(0).port();
    }

    /**
     * @param listenerName a listener.
     * @return its bound port.
     */
    public int port(final String listenerName)
    {
        final int i = config.listenerIndex(listenerName);
        if (i < 0)
        {
            throw new IllegalArgumentException("no listener " + listenerName);
        }
        return servers.get(i).port();
    }

    /**
     * @return {@code host:port} of the first advertised listener, for clients' {@code bootstrap.servers}.
     */
    public String bootstrapServers()
    {
        final Endpoint e = boundAdvertised.get(0);
        return (e.host().indexOf(':') >= 0 ? "[" + e.host() + "]" : e.host()) + ":" + e.port();
    }

    /**
     * @return the advertised listeners, ports resolved.
     */
    public List<Endpoint> advertisedListeners()
    {
        return List.copyOf(boundAdvertised);
    }

    /**
     * @return the cluster id.
     */
    public String clusterId()
    {
        return clusterId;
    }

    /**
     * @return the broker epoch of this run.
     */
    public long brokerEpoch()
    {
        return brokerEpoch;
    }

    /**
     * @return the log manager.
     */
    public LogManager logManager()
    {
        return logManager;
    }

    /**
     * @return the replica manager.
     */
    public ReplicaManager replicaManager()
    {
        return replicaManager;
    }

    /**
     * @return the producer states.
     */
    public ProducerStates producerStates()
    {
        return producerStates;
    }

    /**
     * @return the group coordinator.
     */
    public GroupCoordinator groupCoordinator()
    {
        return groupCoordinator;
    }

    /**
     * @return the controller.
     */
    public Controller controller()
    {
        return controller;
    }

    /**
     * @return the metrics (their MBean server and Prometheus collector), null before the broker started.
     */
    public BrokerMetrics metrics()
    {
        return metrics;
    }

    /**
     * @return the bound port of {@code metrics.http.listener}, or -1 when it is off.
     */
    public int metricsHttpPort()
    {
        return metricsEndpoint == null ? -1 : metricsEndpoint.port();
    }

    /**
     * @return the log directories.
     */
    public List<Path> logDirs()
    {
        return config.logDirs();
    }

    /**
     * Waits until {@link #close()} finished.
     *
     * @throws InterruptedException if interrupted.
     */
    public void awaitShutdown() throws InterruptedException
    {
        terminated.await();
    }

    // ---------------------------------------------------------------------------------------------
    // shutdown
    // ---------------------------------------------------------------------------------------------

    /**
     * Clean shutdown: new requests are refused (their connections closed), requests in flight finish (up to
     * 10 s), the listeners close, producer state is snapshotted, and the logs are closed with the
     * clean-shutdown marker. Idempotent.
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
        RuntimeException failure = null;
        try
        {
            if (processor != null)
            {
                processor.beginShutdown();
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_DRAIN_MS);
                while (processor.inFlight() > 0 && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
                if (processor.inFlight() > 0)
                {
                    LOG.log(System.Logger.Level.WARNING, processor.inFlight() + " requests still in flight after " + SHUTDOWN_DRAIN_MS +
                        " ms; closing anyway");
                }
            }
            if (lifecycle != null)
            {
                // leadership moves to the other in-sync replicas while this broker still serves their fetches
                failure = run(failure, this::controlledShutdown);
                lifecycle.close();
            }
            for (final TransportServer s : servers)
            {
                failure = run(failure, s::close);
            }
            failure = run(failure, () -> shutdown(requestPool));
            failure = run(failure, () -> shutdown(fetchTimer));
            failure = run(failure, () -> shutdown(background));
            failure = run(failure, () ->
            {
                if (groupCoordinator != null)
                {
                    groupCoordinator.close();
                }
            });
            if (producerStates != null && logManager != null)
            {
                failure = run(failure, producerStates::snapshotAll);
            }
            failure = run(failure, () ->
            {
                if (replicationLink != null)
                {
                    replicationLink.close();
                }
                if (replicationClient != null)
                {
                    replicationClient.close();
                }
            });
            failure = run(failure, () ->
            {
                if (replicaManager != null)
                {
                    replicaManager.close();
                }
            });
            failure = run(failure, () ->
            {
                if (replicationScheduler != null)
                {
                    replicationScheduler.close();
                }
            });
            failure = run(failure, () ->
            {
                final Controller c = controller;
                if (c instanceof RaftController raft)
                {
                    raft.closeGracefully(CONTROLLER_HANDOFF_MS); // the quorum fails over in a round trip
                }
                else if (c != null)
                {
                    c.close();
                }
            });
            failure = run(failure, this::closeMetrics);
            failure = run(failure, () ->
            {
                if (logManager != null)
                {
                    logManager.close();
                }
            });
        }
        finally
        {
            terminated.countDown();
        }
        if (failure != null)
        {
            throw failure;
        }
        // a broker that failed to start says why in the exception its caller gets: no second line for the operator
        LOG.log(processor != null ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, "broker " + config.nodeId() +
            (processor != null ? " shut down cleanly" : " stopped: it had not finished starting"));
    }

    /**
     * Stops as a {@code kill -9} would: no controlled shutdown, no producer-state snapshot, no checkpoint,
     * no clean-shutdown marker; bytes written to the segments stay (they are in the page cache), and the
     * directories can be opened again in this process. Responses not yet sent are never sent. For tests
     * and the lab.
     */
    public void crash()
    {
        halt(null);
    }

    /**
     * Cuts this broker's power: it stops as in {@link #crash()} (the listeners first, so no answer leaves
     * after the cut), then every partition log loses what it had not synced, each unsynced 4 KiB page torn
     * at random ({@link PowerCut}). Restarting a broker on the same directories runs recovery as after a
     * real power loss. The controller's own store is not torn (it syncs before it answers).
     *
     * @param random decides how each unsynced page tears.
     * @return what the cut did to each log.
     */
    public List<PowerCut.Cut> powerCut(final java.util.Random random)
    {
        return halt(java.util.Objects.requireNonNull(random, "random"));
    }

    private List<PowerCut.Cut> halt(final java.util.Random random)
    {
        synchronized (this)
        {
            if (closed)
            {
                throw new IllegalStateException("broker " + config.nodeId() + " is already stopped");
            }
            closed = true;
        }
        try
        {
            if (lifecycle != null)
            {
                lifecycle.close();
            }
            for (final TransportServer s : servers)
            {
                s.close();
            }
            if (groupCoordinator != null)
            {
                groupCoordinator.close();
            }
            for (final java.util.concurrent.ExecutorService e : java.util.Arrays.asList(requestPool, fetchTimer, background))
            {
                if (e != null)
                {
                    e.shutdownNow();
                }
            }
            for (final java.util.concurrent.ExecutorService e : java.util.Arrays.asList(requestPool, fetchTimer, background))
            {
                awaitQuietly(e);
            }
            if (replicationLink != null)
            {
                replicationLink.close();
            }
            if (replicationClient != null)
            {
                replicationClient.close();
            }
            if (replicaManager != null)
            {
                replicaManager.close();
            }
            if (replicationScheduler != null)
            {
                replicationScheduler.close();
            }
            if (controller != null)
            {
                controller.close();
            }
            closeMetrics();
            if (logManager == null)
            {
                return List.of();
            }
            if (random != null)
            {
                return PowerCut.cut(logManager, random);
            }
            logManager.abandon();
            return List.of();
        }
        finally
        {
            terminated.countDown();
            LOG.log(System.Logger.Level.INFO, "broker " + config.nodeId() + (random != null ? " lost power" : " crashed (halted)"));
        }
    }

    private void closeMetrics()
    {
        if (metricsEndpoint != null)
        {
            metricsEndpoint.close();
        }
        if (metrics != null)
        {
            metrics.close();
        }
    }

    private static void awaitQuietly(final java.util.concurrent.ExecutorService executor)
    {
        if (executor == null)
        {
            return;
        }
        try
        {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void controlledShutdown()
    {
        try
        {
            lifecycle.controlledShutdown().get(SHUTDOWN_DRAIN_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "controlled shutdown of broker " + config.nodeId() + " did not complete (" + ex +
                "); the controller will fence it after broker.session.timeout.ms");
        }
    }

    private static RuntimeException run(final RuntimeException first, final Runnable step)
    {
        try
        {
            step.run();
            return first;
        }
        catch (final RuntimeException ex)
        {
            if (first == null)
            {
                return ex;
            }
            first.addSuppressed(ex);
            return first;
        }
    }

    private static void shutdown(final java.util.concurrent.ExecutorService executor)
    {
        if (executor == null)
        {
            return;
        }
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS))
            {
                executor.shutdownNow();
                executor.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
