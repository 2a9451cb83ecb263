package io.tidemark.replication.controller.raft;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.ExecutorScheduler;
import io.tidemark.replication.Scheduler;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.MetadataImageCodec;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.transport.LogText;
import org.agrona.concurrent.SystemEpochClock;

/**
 * The {@link Controller} of a broker-only node ({@code process.roles=broker}): every call goes to the
 * active controller over the voters' CONTROLLER listeners (to the node it believes leads, following
 * "not me, try N" answers, retrying with the same request id until {@code controller.request.timeout.ms}),
 * and the metadata is followed by long-polling any voter for an image newer than the one held
 * ({@link ControllerApi#FETCH_IMAGE}), preferring the leader the voters name. {@link #image()} is the
 * newest image received; listeners get each new one in order on the publisher thread.
 */
public final class RemoteController extends ControllerClientBase implements Controller
{
    private static final System.Logger LOG = System.getLogger(RemoteController.class.getName());

    private final ControllerQuorumConfig config;
    private final QuorumNetwork network;
    private final ImagePublisher publisher;
    private final Runnable shutdown;
    private final Random ids;
    private final List<Integer> voters;
    private volatile MetadataImage image;
    private volatile boolean closed;

    // event-thread state
    private int target = -1;
    private int rotation;
    private int pollTarget = -1;

    private RemoteController(final ControllerQuorumConfig config, final Scheduler scheduler, final Executor publisher,
        final QuorumNetwork network, final Random random, final Runnable shutdown)
    {
        super(scheduler, random.nextLong(), config.requestTimeoutMs(), config.retryBackoffMs());
        this.config = config;
        this.network = network;
        this.shutdown = shutdown;
        this.ids = new Random(random.nextLong());
        this.voters = List.copyOf(config.voters().keySet());
        this.image = new MetadataImage(config.clusterId(), -1, 0, Map.of(), Map.of(), 0);
        this.publisher = new ImagePublisher(publisher, image);
        this.rotation = Math.floorMod(config.nodeId(), voters.size());
    }

    /**
     * Starts a client of the quorum on its own threads and the transport.
     *
     * @param config the quorum configuration (voters, timeouts; this node need not be a voter).
     * @return the running client; it starts following images at once.
     */
    public static RemoteController start(final ControllerQuorumConfig config)
    {
        final ExecutorScheduler scheduler = new ExecutorScheduler("controller-client-" + config.nodeId(), SystemEpochClock.INSTANCE);
        final ExecutorService publisher = Executors.newSingleThreadExecutor(io.tidemark.engine.GuardedExecutors.threads(
            "tidemark-controller-client-publish-" + config.nodeId(), io.tidemark.engine.GuardedExecutors.processHandler()));
        final TransportQuorumNetwork network = new TransportQuorumNetwork(config.voters(), RaftController.transportConfig(config), null,
            Math.max(50, config.retryBackoffMs()));
        return start(config, scheduler, publisher, network, new java.security.SecureRandom(), () ->
        {
            scheduler.close();
            publisher.shutdownNow();
            try
            {
                publisher.awaitTermination(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Starts a client of the quorum on the given seams (a simulation's).
     *
     * @param config    the quorum configuration.
     * @param scheduler the client's event loop.
     * @param publisher runs listener calls in order.
     * @param network   reaches the voters.
     * @param random    seed of the session and topic ids.
     * @param shutdown  stops the seams' threads when the client closes (after the network).
     * @return the running client.
     */
    public static RemoteController start(final ControllerQuorumConfig config, final Scheduler scheduler, final Executor publisher,
        final QuorumNetwork network, final Random random, final Runnable shutdown)
    {
        final RemoteController client = new RemoteController(config, scheduler, publisher, network, random, shutdown);
        scheduler.execute(client::poll);
        return client;
    }

    // ---------------------------------------------------------------------------------------------
    // routing (event thread)
    // ---------------------------------------------------------------------------------------------

    private int nextVoter()
    {
        return voters.get(Math.floorMod(rotation++, voters.size()));
    }

    @Override
    protected CompletableFuture<ControllerResult> attempt(final Call call, final long timeoutMs)
    {
        if (target < 0)
        {
            final int controller = image.controllerId();
            target = config.voters().containsKey(controller) ? controller : nextVoter();
        }
        final int to = target;
        return network.request(to, call.apiKey, call.body, Math.min(timeoutMs, config.rpcTimeoutMs())).handle((bytes, e) ->
        {
            if (e != null)
            {
                return new ControllerResult.Retry(-1, "node " + to + ": " + e);
            }
            try
            {
                return ControllerCodec.decodeResult(bytes);
            }
            catch (final CodecException ex)
            {
                return new ControllerResult.Retry(-1, "node " + to + " answered garbage: " + ex.getMessage());
            }
        });
    }

    @Override
    protected void leaderHint(final int leaderHint)
    {
        target = config.voters().containsKey(leaderHint) ? leaderHint : nextVoter();
    }

    // ---------------------------------------------------------------------------------------------
    // following images (event thread)
    // ---------------------------------------------------------------------------------------------

    private void poll()
    {
        if (closed)
        {
            return;
        }
        if (pollTarget < 0)
        {
            final int controller = image.controllerId();
            pollTarget = config.voters().containsKey(controller) ? controller : nextVoter();
        }
        final int to = pollTarget;
        final byte[] body = new WireWriter(12).i64(image.version()).i32((int)Math.min(RaftController.MAX_FETCH_WAIT_MS, config.fetchWaitMs()))
            .toByteArray();
        network.request(to, ControllerApi.FETCH_IMAGE, body, config.fetchWaitMs() + config.rpcTimeoutMs())
            .whenComplete((bytes, e) -> onLoop(() -> onPollAnswer(to, bytes, e)));
    }

    private void onLoop(final Runnable task)
    {
        if (closed)
        {
            return;
        }
        try
        {
            scheduler.execute(task);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "controller client loop stopped: {0}", LogText.escape(ex));
        }
    }

    private void onPollAnswer(final int from, final byte[] bytes, final Throwable error)
    {
        if (closed)
        {
            return;
        }
        if (error != null)
        {
            pollTarget = nextVoter();
            scheduler.schedule(config.retryBackoffMs(), this::poll);
            return;
        }
        final int leaderHint;
        MetadataImage newer = null;
        try
        {
            final WireReader r = new WireReader(bytes, "image from node " + from);
            leaderHint = r.i32("leaderHint");
            if (r.bool("newer"))
            {
                try
                {
                    newer = MetadataImageCodec.decode(r.bytes("image", Integer.MAX_VALUE));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw r.error("bad image: " + ex.getMessage());
                }
            }
            r.end();
        }
        catch (final CodecException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "bad FETCH_IMAGE answer from controller {0}: {1}", from, LogText.escape(ex.getMessage()));
            pollTarget = nextVoter();
            scheduler.schedule(config.retryBackoffMs(), this::poll);
            return;
        }
        if (newer != null && newer.version() > image.version())
        {
            image = newer;
            publisher.submit(newer);
        }
        if (config.voters().containsKey(leaderHint))
        {
            pollTarget = leaderHint;
        }
        else if (newer == null)
        {
            // no leader there and nothing new: ask another voter
            pollTarget = nextVoter();
            scheduler.schedule(config.retryBackoffMs(), this::poll);
            return;
        }
        poll();
    }

    // ---------------------------------------------------------------------------------------------
    // Controller API
    // ---------------------------------------------------------------------------------------------

    @Override
    public MetadataImage image()
    {
        return image;
    }

    @Override
    public void addListener(final Consumer<MetadataImage> listener)
    {
        publisher.add(listener);
    }

    @Override
    public Map<String, String> brokerDefaults()
    {
        return config.brokerDefaults();
    }

    private UUID newTopicId()
    {
        synchronized (ids)
        {
            final long msb = ids.nextLong() & ~0xF000L | 0x4000L;
            final long lsb = ids.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
            return new UUID(msb, lsb);
        }
    }

    @Override
    public CompletableFuture<TopicInfo> createTopic(final String name, final int partitions, final short replicationFactor,
        final List<List<Integer>> assignment, final Map<String, String> configs, final boolean validateOnly)
    {
        final UUID topicId = newTopicId();
        final Map<String, String> overrides = configs == null ? Map.of() : configs;
        final List<List<Integer>> placed = placeNewTopic(config, image(), partitions, replicationFactor, assignment);
        return typed(write(id ->
        {
            final ControllerOp.CreateTopic create = new ControllerOp.CreateTopic(id, name, topicId, partitions, replicationFactor, placed,
                overrides);
            return validateOnly ? new ControllerOp.Validate(id, create) : create;
        }));
    }

    @Override
    public CompletableFuture<Void> deleteTopic(final String name)
    {
        return typed(write(id -> new ControllerOp.DeleteTopic(id, name)));
    }

    @Override
    public CompletableFuture<TopicInfo> createPartitions(final String name, final int totalCount, final boolean validateOnly)
    {
        return typed(write(id ->
        {
            final ControllerOp.CreatePartitions op = new ControllerOp.CreatePartitions(id, name, totalCount);
            return validateOnly ? new ControllerOp.Validate(id, op) : op;
        }));
    }

    @Override
    public CompletableFuture<TopicInfo> alterConfigs(final String name, final Map<String, String> changes, final boolean validateOnly)
    {
        return typed(write(id ->
        {
            final ControllerOp.AlterConfigs op = new ControllerOp.AlterConfigs(id, name, changes);
            return validateOnly ? new ControllerOp.Validate(id, op) : op;
        }));
    }

    @Override
    public CompletableFuture<Long> registerBroker(final BrokerInfo broker, final UUID incarnationId, final boolean cleanShutdown,
        final Map<TopicPartition, ReplicaLogSummary> logSummaries)
    {
        return typed(write(id -> new ControllerOp.RegisterBroker(id, new BrokerInfo(broker.id(), 0, incarnationId, broker.host(),
            broker.port(), broker.rack(), false, broker.endpoints()), cleanShutdown, logSummaries == null ? Map.of() : logSummaries)));
    }

    @Override
    public CompletableFuture<Void> heartbeat(final int brokerId, final long brokerEpoch)
    {
        return typed(heartbeatCall(brokerId, brokerEpoch));
    }

    @Override
    public CompletableFuture<PartitionInfo> alterPartition(final String topic, final int partition, final int leaderId, final int leaderEpoch,
        final int partitionEpoch, final List<Integer> newIsr, final Map<Integer, Long> brokerEpochs)
    {
        return typed(write(id -> new ControllerOp.AlterPartition(id, topic, partition, leaderId, leaderEpoch, partitionEpoch, newIsr,
            brokerEpochs)));
    }

    @Override
    public CompletableFuture<Void> controlledShutdown(final int brokerId, final long brokerEpoch)
    {
        return typed(write(id -> new ControllerOp.ControlledShutdown(id, brokerId, brokerEpoch)));
    }

    @Override
    public CompletableFuture<ProducerIdBlock> allocateProducerIds(final int brokerId, final long brokerEpoch)
    {
        return typed(write(id -> new ControllerOp.AllocateProducerIds(id, brokerId, brokerEpoch)));
    }

    @Override
    public CompletableFuture<List<TopicPartition>> electLeaders(final boolean preferred, final Map<String, List<Integer>> partitions)
    {
        return typed(write(id -> new ControllerOp.ElectLeaders(id, preferred, partitions == null ? Map.of() : partitions)));
    }

    /**
     * Stops following, fails pending calls, closes the connections and threads. Idempotent.
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
        closeCalls();
        publisher.close();
        network.close();
        shutdown.run();
    }

    @Override
    public String toString()
    {
        return "RemoteController{node=" + config.nodeId() + ", version=" + image.version() + ", controller=" + image.controllerId() + "}";
    }
}
