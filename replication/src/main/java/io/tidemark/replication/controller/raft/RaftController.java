package io.tidemark.replication.controller.raft;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.microraft.Ordered;
import io.microraft.QueryPolicy;
import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.RaftNodeStatus;
import io.microraft.exception.CannotReplicateException;
import io.microraft.exception.IndeterminateStateException;
import io.microraft.exception.NotLeaderException;
import io.microraft.exception.RaftException;
import io.microraft.impl.RaftNodeImpl;
import io.microraft.impl.log.RaftLog;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.RaftMessage;
import io.microraft.persistence.RestoredRaftState;
import io.microraft.report.RaftNodeReport;
import io.microraft.transport.Transport;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.storage.Storage;
import io.tidemark.replication.ExecutorScheduler;
import io.tidemark.replication.Scheduler;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.MetadataImageCodec;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.transport.LogText;
import io.tidemark.transport.TransportConfig;
import org.agrona.concurrent.SystemEpochClock;

/**
 * A member of the controller quorum: a MicroRaft node replicating the metadata log among the voters
 * of {@code controller.quorum.voters}, with its log and snapshots in a {@link FileRaftStore}, serving
 * the {@link Controller} API on every voter.
 *
 * <ul>
 *   <li><b>Writes</b> (topics, registrations, AlterPartition, controlled shutdown, elections) become
 *       {@link ControllerOp}s. On the leader they are replicated; on a follower they are forwarded to
 *       the leader ({@link ControllerApi#WRITE}) and retried on leader changes with the same request id,
 *       which the state machine deduplicates. {@code validateOnly} runs as a linearizable query on the
 *       leader.</li>
 *   <li><b>Reads</b>: {@link #image()} is this voter's applied image; listeners get every applied image
 *       in order on a publisher thread.</li>
 *   <li><b>Controller epoch</b>: the Raft term. A new leader's first entry ({@link ControllerOp.NewTerm})
 *       makes it the active controller when it applies (the image's {@code controllerId}).</li>
 *   <li><b>Broker liveness</b> is kept by the active controller in memory: heartbeats are not
 *       replicated; a broker silent for {@code broker.session.timeout.ms} is fenced by a replicated
 *       {@link ControllerOp.FenceBroker} (new leaders elected from the ISR), a heartbeat from a fenced
 *       broker unfences it, and a newly active controller gives every broker a fresh session.</li>
 *   <li><b>Failures</b>: the first storage error stops the node (the store latches, outbound Raft
 *       traffic is cut at once, the node terminates) and {@link #failure()} reports it; the other
 *       voters carry on.</li>
 * </ul>
 *
 * <p>Futures complete on the controller's event thread: dependent actions must not block.
 */
public final class RaftController extends ControllerClientBase implements Controller
{
    private static final System.Logger LOG = System.getLogger(RaftController.class.getName());

    /** Subdirectory of {@code metadata.log.dir} holding the Raft store. */
    public static final String STORE_DIR = "__cluster_metadata-raft";
    /** Longest long poll a FETCH_IMAGE may ask for. */
    static final int MAX_FETCH_WAIT_MS = 60_000;

    private final ControllerQuorumConfig config;
    private final RaftControllerRuntime runtime;
    private final QuorumEndpoint self;
    private final String groupId;
    private final FileRaftStore store;
    private final ControllerStateMachine stateMachine;
    private final RaftNode node;
    private final AppendEntriesGuard guard;
    private final ImagePublisher publisher;
    private final Random ids;
    private final Clock clock;
    private final List<Integer> otherVoters;
    private volatile MetadataImage applied;
    private volatile Map<String, String> termDefaults;
    private volatile boolean fenced;
    private volatile boolean closed;
    private volatile IOException failure;
    private volatile AppliedHook appliedHook;
    private long invalidMessages;

    // event-thread state
    private int activeTerm = -1;
    private long livenessGeneration;
    private final Map<Integer, long[]> sessions = new HashMap<>();
    private final Set<Integer> fencing = new HashSet<>();
    private final Set<Integer> unfencing = new HashSet<>();
    private final List<Poll> polls = new ArrayList<>();
    private final Map<RaftEndpoint, long[]> followerProgress = new HashMap<>();
    private long lastRepairSnapshotMs = Long.MIN_VALUE / 2;
    private volatile long repairSnapshots;
    private int nextForward;
    private int forwardHint = -1;
    private long encodedVersion = -1;
    private byte[] encodedImage;

    private record Poll(long knownVersion, Consumer<byte[]> respond, Scheduler.Cancellable timer)
    {
    }

    private RaftController(final ControllerQuorumConfig config, final Storage storage, final RaftControllerRuntime runtime) throws IOException
    {
        super(runtime.scheduler(), runtime.random().nextLong(), config.requestTimeoutMs(), config.retryBackoffMs());
        if (!config.isVoter())
        {
            throw new IllegalArgumentException("node " + config.nodeId() + " is not in controller.quorum.voters " + config.voters().keySet() +
                ": a broker-only node uses RemoteController");
        }
        this.config = config;
        this.runtime = runtime;
        this.clock = runtime.clock();
        this.ids = new Random(runtime.random().nextLong());
        this.self = new QuorumEndpoint(config.nodeId(), 0);
        this.groupId = "controller@" + config.clusterId();
        this.otherVoters = config.voters().keySet().stream().filter(id -> id != config.nodeId()).toList();
        this.termDefaults = config.brokerDefaults();
        final RaftConfig raftConfig = raftConfig(config);
        this.store = FileRaftStore.open(storage, config.metadataDir().resolve(STORE_DIR), groupId, config.clusterId(),
            RaftLog.getLogCapacity(raftConfig.getCommitCountToTakeSnapshot(), raftConfig.getMaxPendingLogEntryCount()),
            config.logSegmentBytes());
        try
        {
            this.stateMachine = new ControllerStateMachine(config.clusterId(), config.nodeId(), this::newTerm, this::onApplied);
            this.applied = stateMachine.image();
            this.publisher = new ImagePublisher(runtime.publisher(), applied);
            store.fatalHandler(this::onStoreFailure);
            final RaftNode.RaftNodeBuilder builder = RaftNode.newBuilder().setGroupId(groupId).setConfig(raftConfig)
                .setExecutor(runtime.raftExecutor()).setTransport(new NetworkTransport()).setStateMachine(stateMachine).setStore(store)
                .setClock(clock).setRandom(runtime.random()).setRaftNodeReportListener(this::onReport);
            final Optional<RestoredRaftState> restored = store.restoredState();
            if (restored.isPresent())
            {
                checkRestored(restored.get());
                builder.setRestoredState(restored.get());
            }
            else
            {
                final List<RaftEndpoint> members = new ArrayList<>();
                for (final int id : config.voters().keySet())
                {
                    members.add(new QuorumEndpoint(id, 0));
                }
                builder.setLocalEndpoint(self).setInitialGroupMembers(members);
            }
            this.node = builder.build();
            this.guard = new AppendEntriesGuard((RaftNodeImpl)node);
            stateMachine.currentTerm(() -> node.getTerm().getTerm());
        }
        catch (final RuntimeException ex)
        {
            store.close();
            throw ex;
        }
    }

    private static RaftConfig raftConfig(final ControllerQuorumConfig config)
    {
        return RaftConfig.newBuilder()
            .setLeaderElectionTimeoutMillis(config.electionTimeoutMs())
            .setLeaderHeartbeatPeriodSecs(config.heartbeatPeriodSecs())
            .setLeaderHeartbeatTimeoutSecs(config.heartbeatTimeoutSecs())
            .setCommitCountToTakeSnapshot(config.snapshotIntervalEntries())
            .setMaxPendingLogEntryCount(config.maxPendingEntries())
            .setAppendEntriesRequestBatchSize(config.appendBatchSize())
            // the leader may take extra snapshots (see repairStuckFollowers): only it serves chunks
            .setTransferSnapshotsFromFollowersEnabled(false)
            .build();
    }

    private void checkRestored(final RestoredRaftState state)
    {
        final QuorumEndpoint local = (QuorumEndpoint)state.getLocalEndpointPersistentState().getLocalEndpoint();
        final Set<Integer> persisted = new TreeSet<>();
        for (final RaftEndpoint e : state.getInitialGroupMembers().getMembers())
        {
            persisted.add(((QuorumEndpoint)e).nodeId());
        }
        if (local.nodeId() != config.nodeId())
        {
            throw new IllegalStateException(store.dir() + " belongs to controller node " + local.nodeId() + ", not node.id=" + config.nodeId());
        }
        if (!persisted.equals(config.voters().keySet()))
        {
            throw new IllegalStateException(store.dir() + " was created for voters " + persisted + " but controller.quorum.voters lists " +
                config.voters().keySet() + " (changing the voter set is not supported)");
        }
    }

    /**
     * Starts a voter on threads, the system clock and the transport (its CONTROLLER listener binds at
     * once).
     *
     * @param config  the quorum configuration ({@code node.id} must be a voter).
     * @param storage the storage seam for the Raft store.
     * @return the running controller.
     * @throws UncheckedIOException      when the store cannot be opened or the listener cannot bind.
     * @throws CorruptRaftStoreException when the store is damaged or belongs elsewhere.
     */
    public static RaftController start(final ControllerQuorumConfig config, final Storage storage)
    {
        return startThreaded(config, storage, new TransportQuorumNetwork(config.voters(), transportConfig(config),
            config.effectiveListenAddress(), Math.max(50, config.retryBackoffMs())));
    }

    static TransportConfig transportConfig(final ControllerQuorumConfig config)
    {
        return TransportConfig.builder().requestTimeoutMs(config.rpcTimeoutMs() + config.fetchWaitMs())
            .connectTimeoutMs(Math.min(config.rpcTimeoutMs(), 10_000)).build();
    }

    /**
     * Starts a voter on threads and the system clock over the given (bound) network.
     */
    static RaftController startThreaded(final ControllerQuorumConfig config, final Storage storage, final TransportQuorumNetwork network)
    {
        final int id = config.nodeId();
        final ThreadRaftNodeExecutor raftExecutor = new ThreadRaftNodeExecutor("tidemark-controller-raft-" + id);
        final ExecutorScheduler scheduler = new ExecutorScheduler("controller-" + id, SystemEpochClock.INSTANCE);
        final ExecutorService publisher = Executors.newSingleThreadExecutor(io.tidemark.engine.GuardedExecutors.threads(
            "tidemark-controller-publish-" + id, io.tidemark.engine.GuardedExecutors.processHandler()));
        final Runnable stopThreads = () ->
        {
            raftExecutor.close();
            scheduler.close();
            // let a listener call in progress finish (it may be creating or deleting a log: an interrupt would close
            // its file channels under it); queued publications return at once since the publisher is closed
            publisher.shutdown();
            try
            {
                if (!publisher.awaitTermination(10, TimeUnit.SECONDS))
                {
                    publisher.shutdownNow();
                }
            }
            catch (final InterruptedException ex)
            {
                publisher.shutdownNow();
                Thread.currentThread().interrupt();
            }
        };
        final RaftControllerRuntime runtime = new RaftControllerRuntime(raftExecutor, Clock.systemUTC(), new java.security.SecureRandom(),
            scheduler, publisher, network, termination ->
            {
                try
                {
                    termination.get(10, TimeUnit.SECONDS);
                }
                catch (final Exception ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "controller node " + id + " did not terminate cleanly: " + ex);
                }
                stopThreads.run();
            });
        try
        {
            return start(config, storage, runtime);
        }
        catch (final RuntimeException ex)
        {
            network.close();
            stopThreads.run();
            throw ex;
        }
    }

    /**
     * Starts a voter on the given seams (a simulation's, or custom threads).
     *
     * @param config  the quorum configuration.
     * @param storage the storage seam for the Raft store.
     * @param runtime executors, clock, randomness and network.
     * @return the controller; the Raft node starts on its executor.
     */
    public static RaftController start(final ControllerQuorumConfig config, final Storage storage, final RaftControllerRuntime runtime)
    {
        final RaftController controller;
        try
        {
            controller = new RaftController(config, storage, runtime);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the controller's Raft store under " + config.metadataDir(), ex);
        }
        controller.begin();
        return controller;
    }

    private void begin()
    {
        runtime.network().serve(new Inbound());
        scheduleFollowerCheck();
        node.start().whenComplete((r, e) ->
        {
            if (e != null)
            {
                LOG.log(System.Logger.Level.ERROR, "controller node " + self + " failed to start", e);
            }
        });
        for (final String line : store.recoveryReport())
        {
            LOG.log(System.Logger.Level.WARNING, "controller {0} store recovery: {1}", config.nodeId(), line);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Raft plumbing
    // ---------------------------------------------------------------------------------------------

    private ControllerOp.NewTerm newTerm(final int term)
    {
        return new ControllerOp.NewTerm(config.nodeId(), term, config.brokerDefaults(), config.defaultPartitions(),
            config.defaultReplicationFactor(), config.snapshotChunkBytes());
    }

    /** Raft thread: an entry applied or a snapshot installed. */
    private void onApplied(final long commitIndex, final ControllerOp op, final MetadataImage image, final boolean changed)
    {
        applied = image;
        final ControllerOp.NewTerm term = stateMachine.term();
        if (term != null)
        {
            termDefaults = term.brokerDefaults();
        }
        final AppliedHook hook = appliedHook;
        if (hook != null)
        {
            hook.applied(commitIndex, op, image, changed);
        }
        if (changed)
        {
            publisher.submit(image);
            onLoop(() -> imageChanged(image));
        }
        if (op instanceof ControllerOp.NewTerm t)
        {
            onLoop(() -> newTermApplied(t));
        }
    }

    private void onReport(final RaftNodeReport report)
    {
        onLoop(this::checkLeadership);
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
            LOG.log(System.Logger.Level.DEBUG, "controller loop stopped: {0}", ex.toString());
        }
    }

    private void onStoreFailure(final IOException ex)
    {
        // runs on the Raft thread inside the failing store call: cut outbound traffic before anything else
        fenced = true;
        failure = ex;
        LOG.log(System.Logger.Level.ERROR, "controller node " + config.nodeId() + " stops: its Raft store failed", ex);
        node.terminate();
        onLoop(this::resign);
    }

    /**
     * MicroRaft's transport: encodes and sends; silent once fenced.
     */
    private final class NetworkTransport implements Transport
    {
        @Override
        public void send(final RaftEndpoint target, final RaftMessage message)
        {
            if (fenced || closed)
            {
                return;
            }
            runtime.network().sendRaft(((QuorumEndpoint)target).nodeId(), RaftMessageCodec.encode(message));
        }

        @Override
        public boolean isReachable(final RaftEndpoint endpoint)
        {
            return runtime.network().isReachable(((QuorumEndpoint)endpoint).nodeId());
        }
    }

    /**
     * What this voter serves on its CONTROLLER listener.
     */
    private final class Inbound implements QuorumNetwork.Inbound
    {
        @Override
        public void onRaftMessage(final byte[] bytes)
        {
            if (fenced || closed)
            {
                return;
            }
            final RaftMessage message;
            try
            {
                message = RaftMessageCodec.decode(bytes);
            }
            catch (final CodecException ex)
            {
                invalidMessage(ex.getMessage());
                return;
            }
            if (!groupId.equals(message.getGroupId()))
            {
                invalidMessage("raft message for group " + message.getGroupId() + ", not " + groupId);
                return;
            }
            if (message instanceof AppendEntriesRequest request)
            {
                // on the Raft thread, in order with every other task, as node.handle would
                runtime.raftExecutor().execute(() -> guard.handle(request));
                return;
            }
            node.handle(message);
        }

        @Override
        public void onRequest(final int apiKey, final byte[] body, final Consumer<byte[]> respond)
        {
            if (fenced || closed)
            {
                respond.accept(null);
                return;
            }
            try
            {
                switch (apiKey)
                {
                    case ControllerApi.WRITE ->
                    {
                        final ControllerOp op = ControllerCodec.decodeOp(body);
                        if (op instanceof ControllerOp.NewTerm || op instanceof ControllerOp.FenceBroker || op instanceof ControllerOp.UnfenceBroker)
                        {
                            throw new CodecException("operation " + op.getClass().getSimpleName() + " is the controller's own");
                        }
                        onLoop(() -> serveWrite(op, respond));
                    }
                    case ControllerApi.HEARTBEAT ->
                    {
                        final WireReader r = new WireReader(body, "heartbeat");
                        final int brokerId = r.i32("brokerId");
                        final long epoch = r.i64("brokerEpoch");
                        r.end();
                        onLoop(() -> heartbeatLocal(brokerId, epoch).thenAccept(result -> respond.accept(ControllerCodec.encodeResult(result))));
                    }
                    case ControllerApi.FETCH_IMAGE ->
                    {
                        final WireReader r = new WireReader(body, "fetch image");
                        final long known = r.i64("knownVersion");
                        final int waitMs = r.i32("maxWaitMs", 0, MAX_FETCH_WAIT_MS);
                        r.end();
                        onLoop(() -> servePoll(known, waitMs, respond));
                    }
                    default -> respond.accept(new byte[0]);
                }
            }
            catch (final CodecException ex)
            {
                invalidMessage(ex.getMessage());
                respond.accept(new byte[0]);
            }
        }
    }

    private synchronized void invalidMessage(final String why)
    {
        if (invalidMessages++ % 1000 == 0)
        {
            LOG.log(System.Logger.Level.WARNING, "controller {0} dropped an invalid message ({1} so far): {2}", config.nodeId(),
                invalidMessages, LogText.escape(why));
        }
    }

    private boolean isLocalLeader()
    {
        return !fenced && !closed && self.equals(node.getTerm().getLeaderEndpoint()) && !RaftNodeStatus.isTerminal(node.getStatus());
    }

    private int leaderId()
    {
        final RaftEndpoint leader = node.getTerm().getLeaderEndpoint();
        return leader == null ? -1 : ((QuorumEndpoint)leader).nodeId();
    }

    // ---------------------------------------------------------------------------------------------
    // writes: local replication, forwarding, serving forwarded writes
    // ---------------------------------------------------------------------------------------------

    @Override
    protected CompletableFuture<ControllerResult> attempt(final Call call, final long timeoutMs)
    {
        if (isLocalLeader())
        {
            return call.op() == null ? heartbeatLocal(call.brokerId, call.brokerEpoch) : replicateLocal(call.op());
        }
        final int target = forwardTarget();
        if (target < 0)
        {
            return CompletableFuture.completedFuture(new ControllerResult.Retry(-1, "no leader known"));
        }
        return runtime.network().request(target, call.apiKey, call.body, Math.min(timeoutMs, config.rpcTimeoutMs()))
            .thenApply(ControllerCodec::decodeResult);
    }

    @Override
    protected void leaderHint(final int leaderHint)
    {
        forwardHint = leaderHint;
    }

    private int forwardTarget()
    {
        final int leader = leaderId();
        if (leader >= 0 && leader != config.nodeId())
        {
            return leader;
        }
        if (forwardHint >= 0 && forwardHint != config.nodeId() && config.voters().containsKey(forwardHint))
        {
            final int hint = forwardHint;
            forwardHint = -1;
            return hint;
        }
        if (!fenced || otherVoters.isEmpty())
        {
            // this node takes part in elections: without a leader, wait for one
            return -1;
        }
        // this node stopped (storage failure): any other voter will route the request
        return otherVoters.get(Math.floorMod(nextForward++, otherVoters.size()));
    }

    /**
     * Replicates (or, for a Validate, queries) on this node, which believes it leads.
     */
    private CompletableFuture<ControllerResult> replicateLocal(final ControllerOp op)
    {
        final CompletableFuture<ControllerResult> out = new CompletableFuture<>();
        final CompletableFuture<Ordered<Object>> raft;
        try
        {
            raft = op instanceof ControllerOp.Validate ?
                node.query(op, QueryPolicy.LINEARIZABLE, Optional.empty(), Optional.empty()) : node.replicate(op);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.completedFuture(new ControllerResult.Retry(-1, ex.toString()));
        }
        raft.whenComplete((ordered, error) ->
        {
            if (error == null)
            {
                out.complete((ControllerResult)ordered.getResult());
            }
            else
            {
                out.complete(retryFor(error));
            }
        });
        return out;
    }

    private ControllerResult.Retry retryFor(final Throwable error)
    {
        final Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        final RaftEndpoint leader = e instanceof RaftException re ? re.getLeader() : null;
        final int hint = leader == null ? -1 : ((QuorumEndpoint)leader).nodeId();
        if (e instanceof NotLeaderException)
        {
            return new ControllerResult.Retry(hint, "node " + config.nodeId() + " is not the leader");
        }
        if (e instanceof CannotReplicateException)
        {
            return new ControllerResult.Retry(hint, "the leader cannot take new entries now (back-pressure or leader change)");
        }
        if (e instanceof IndeterminateStateException)
        {
            return new ControllerResult.Retry(hint, "leadership was lost with the outcome unknown; the retry is deduplicated");
        }
        return new ControllerResult.Retry(hint, e.toString());
    }

    /** Event thread: a forwarded write. */
    private void serveWrite(final ControllerOp op, final Consumer<byte[]> respond)
    {
        if (!isLocalLeader())
        {
            respond.accept(ControllerCodec.encodeResult(new ControllerResult.Retry(leaderId(), "node " + config.nodeId() +
                " is not the leader")));
            return;
        }
        replicateLocal(op).thenAccept(result -> respond.accept(ControllerCodec.encodeResult(result)));
    }

    // ---------------------------------------------------------------------------------------------
    // broker liveness (event thread)
    // ---------------------------------------------------------------------------------------------

    private boolean isActive()
    {
        return activeTerm >= 0 && isLocalLeader() && node.getTerm().getTerm() == activeTerm;
    }

    private void newTermApplied(final ControllerOp.NewTerm term)
    {
        if (term.leaderId() == config.nodeId() && isLocalLeader() && node.getTerm().getTerm() == term.term())
        {
            if (activeTerm != term.term())
            {
                becomeActive(term.term());
            }
        }
        else if (activeTerm >= 0)
        {
            resign();
        }
    }

    private void becomeActive(final int term)
    {
        activeTerm = term;
        final long generation = ++livenessGeneration;
        final long now = scheduler.nowMs();
        sessions.clear();
        fencing.clear();
        unfencing.clear();
        // a new controller knows nothing of past heartbeats: every broker gets a full session from now
        for (final BrokerInfo b : new TreeMap<>(applied.brokers()).values())
        {
            sessions.put(b.id(), new long[] {b.epoch(), now});
        }
        LOG.log(System.Logger.Level.INFO, "controller {0} is active in epoch {1} with {2} brokers", config.nodeId(), term,
            applied.brokers().size());
        scheduleSessionCheck(generation);
    }

    private void resign()
    {
        if (activeTerm >= 0)
        {
            LOG.log(System.Logger.Level.INFO, "controller {0} is no longer active (epoch {1})", config.nodeId(), activeTerm);
        }
        activeTerm = -1;
        livenessGeneration++;
        sessions.clear();
        fencing.clear();
        unfencing.clear();
    }

    private void checkLeadership()
    {
        if (activeTerm >= 0 && !isActive())
        {
            resign();
        }
    }

    private long sessionCheckIntervalMs()
    {
        return Math.max(1, Math.min(1_000, config.sessionTimeoutMs() / 4));
    }

    private void scheduleSessionCheck(final long generation)
    {
        scheduler.schedule(sessionCheckIntervalMs(), () ->
        {
            if (generation != livenessGeneration || closed)
            {
                return;
            }
            checkSessions();
            scheduleSessionCheck(generation);
        });
    }

    private void checkSessions()
    {
        if (!isActive())
        {
            resign();
            return;
        }
        final long now = scheduler.nowMs();
        // in id order: the fencing order must not depend on hash order (simulations replay by seed)
        for (final BrokerInfo b : new TreeMap<>(applied.brokers()).values())
        {
            final long[] session = sessions.get(b.id());
            if (session == null || session[0] != b.epoch())
            {
                // registered (again) since this controller became active: its session starts now
                sessions.put(b.id(), new long[] {b.epoch(), now});
                continue;
            }
            if (!b.fenced() && now - session[1] > config.sessionTimeoutMs() && fencing.add(b.id()))
            {
                LOG.log(System.Logger.Level.INFO, "broker {0} (epoch {1}) sent no heartbeat for {2} ms: fencing it", b.id(), b.epoch(),
                    now - session[1]);
                final int id = b.id();
                replicateLocal(new ControllerOp.FenceBroker(id, b.epoch())).whenComplete((r, e) -> onLoop(() -> fencing.remove(id)));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // stuck followers (event thread)
    // ---------------------------------------------------------------------------------------------

    private long heartbeatTimeoutMs()
    {
        return config.heartbeatTimeoutSecs() * 1000L;
    }

    private void scheduleFollowerCheck()
    {
        scheduler.schedule(config.heartbeatPeriodSecs() * 1000L, () ->
        {
            if (closed || fenced)
            {
                return;
            }
            if (isLocalLeader())
            {
                node.getReport().whenComplete((report, error) -> onLoop(() ->
                {
                    if (error == null && isLocalLeader())
                    {
                        repairStuckFollowers(report.getResult());
                    }
                }));
            }
            else
            {
                followerProgress.clear();
            }
            scheduleFollowerCheck();
        });
    }

    /**
     * A second line of defence behind {@link AppendEntriesGuard} (which fixes MicroRaft 0.7's
     * follower-side bug where it arises): when a responsive follower's match index stays below the
     * leader's commit index for two heartbeat timeouts, the leader takes a fresh snapshot, so the
     * follower's next index falls below it and it catches up through InstallSnapshot. At most once
     * per four heartbeat timeouts.
     */
    private void repairStuckFollowers(final RaftNodeReport report)
    {
        final long now = clock.millis();
        final long commit = report.getLog().getCommitIndex();
        boolean stuck = false;
        for (final Map.Entry<RaftEndpoint, Long> e : report.getLog().getFollowerMatchIndices().entrySet())
        {
            final Long lastResponse = report.getHeartbeatTimestamps().get(e.getKey());
            final boolean responsive = lastResponse != null && now - lastResponse < heartbeatTimeoutMs();
            final long match = e.getValue();
            final long[] progress = followerProgress.get(e.getKey());
            if (!responsive || match >= commit || progress == null || progress[0] != match)
            {
                followerProgress.put(e.getKey(), new long[] {match, now});
            }
            else if (now - progress[1] >= 2 * heartbeatTimeoutMs())
            {
                stuck = true;
                LOG.log(System.Logger.Level.WARNING, "controller follower {0} is stuck at index {1} (commit index {2}): " +
                    "taking a snapshot so that it catches up through InstallSnapshot", e.getKey(), match, commit);
                followerProgress.put(e.getKey(), new long[] {match, now});
            }
        }
        if (stuck && now - lastRepairSnapshotMs >= 4 * heartbeatTimeoutMs())
        {
            lastRepairSnapshotMs = now;
            repairSnapshots++;
            node.takeSnapshot();
        }
    }

    /** Event thread: a heartbeat at this node. */
    private CompletableFuture<ControllerResult> heartbeatLocal(final int brokerId, final long brokerEpoch)
    {
        if (!isActive())
        {
            return CompletableFuture.completedFuture(new ControllerResult.Retry(isLocalLeader() ? config.nodeId() : leaderId(),
                "node " + config.nodeId() + " is not the active controller"));
        }
        final BrokerInfo b = applied.brokers().get(brokerId);
        if (b == null || b.epoch() != brokerEpoch)
        {
            return CompletableFuture.completedFuture(new ControllerResult.Refused(ControllerException.Reason.STALE,
                "broker " + brokerId + " with epoch " + brokerEpoch + " is not the registered incarnation" +
                    (b == null ? " (not registered)" : " (registered epoch " + b.epoch() + ")")));
        }
        sessions.put(brokerId, new long[] {brokerEpoch, scheduler.nowMs()});
        if (!b.fenced() || !unfencing.add(brokerId))
        {
            return CompletableFuture.completedFuture(ControllerResult.OK);
        }
        // a fenced broker is back: unfence it, and answer once that is applied
        return replicateLocal(new ControllerOp.UnfenceBroker(brokerId, brokerEpoch)).handle((r, e) ->
        {
            onLoop(() -> unfencing.remove(brokerId));
            return r instanceof ControllerResult.Retry retry ? retry : ControllerResult.OK;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // image long polls (event thread)
    // ---------------------------------------------------------------------------------------------

    private void servePoll(final long knownVersion, final int waitMs, final Consumer<byte[]> respond)
    {
        final MetadataImage image = applied;
        if (image.version() > knownVersion || waitMs == 0)
        {
            respond.accept(pollAnswer(image, image.version() > knownVersion));
            return;
        }
        final Poll[] poll = new Poll[1];
        poll[0] = new Poll(knownVersion, respond, scheduler.schedule(waitMs, () ->
        {
            if (polls.remove(poll[0]))
            {
                respond.accept(pollAnswer(applied, applied.version() > knownVersion));
            }
        }));
        polls.add(poll[0]);
    }

    private void imageChanged(final MetadataImage image)
    {
        for (final Iterator<Poll> it = polls.iterator(); it.hasNext();)
        {
            final Poll p = it.next();
            if (image.version() > p.knownVersion())
            {
                it.remove();
                p.timer().cancel();
                p.respond().accept(pollAnswer(image, true));
            }
        }
    }

    private byte[] pollAnswer(final MetadataImage image, final boolean newer)
    {
        final WireWriter w = new WireWriter();
        w.i32(leaderId()).bool(newer);
        if (newer)
        {
            if (encodedVersion != image.version() || encodedImage == null)
            {
                encodedImage = MetadataImageCodec.encode(image);
                encodedVersion = image.version();
            }
            w.bytes(encodedImage);
        }
        return w.toByteArray();
    }

    // ---------------------------------------------------------------------------------------------
    // Controller API
    // ---------------------------------------------------------------------------------------------

    @Override
    public MetadataImage image()
    {
        return applied;
    }

    @Override
    public void addListener(final Consumer<MetadataImage> listener)
    {
        publisher.add(listener);
    }

    @Override
    public Map<String, String> brokerDefaults()
    {
        return termDefaults;
    }

    private UUID newTopicId()
    {
        synchronized (ids)
        {
            // version 4 layout, from the seeded source
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

    // ---------------------------------------------------------------------------------------------
    // state for operators and tests
    // ---------------------------------------------------------------------------------------------

    /**
     * @return this node's id.
     */
    public int nodeId()
    {
        return config.nodeId();
    }

    /**
     * @return the voter this node believes leads, or -1.
     */
    public int leader()
    {
        return leaderId();
    }

    /**
     * @return the current Raft term (the controller epoch once its first entry applied).
     */
    public int term()
    {
        return node.getTerm().getTerm();
    }

    /**
     * @return the storage failure that stopped this node, or null.
     */
    public IOException failure()
    {
        return failure;
    }

    /**
     * @return what the store's recovery did at start.
     */
    public List<String> recoveryReport()
    {
        return store.recoveryReport();
    }

    /**
     * @return AppendEntries requests the guard had to fix on this node (tests).
     */
    long appendEntriesFixes()
    {
        return guard.fixes();
    }

    /**
     * @return snapshots taken to unstick a follower (tests).
     */
    long repairSnapshots()
    {
        return repairSnapshots;
    }

    RaftNode raftNode()
    {
        return node;
    }

    ControllerStateMachine stateMachine()
    {
        return stateMachine;
    }

    /**
     * Told of every applied entry or installed snapshot, on the Raft thread (tests).
     */
    interface AppliedHook
    {
        /**
         * @param commitIndex the entry's index (the snapshot's for an install).
         * @param op          the operation, null for a snapshot install.
         * @param image       the image after it.
         * @param changed     whether the image changed.
         */
        void applied(long commitIndex, ControllerOp op, MetadataImage image, boolean changed);
    }

    /**
     * @param hook told of every applied entry (tests).
     */
    void appliedHook(final AppliedHook hook)
    {
        this.appliedHook = hook;
    }

    /**
     * @return whether this node is the active controller (event thread only; tests).
     */
    boolean activeOnLoop()
    {
        return isActive();
    }

    /**
     * Hands the controller's leadership to another voter (if this node leads and another voter is
     * reachable), waiting at most {@code timeoutMs}, then {@link #close()}s: the quorum fails over in
     * a round trip instead of a heartbeat timeout. Blocks the caller; not for the controller's own
     * threads or future callbacks.
     *
     * @param timeoutMs longest wait for the transfer.
     */
    public void closeGracefully(final long timeoutMs)
    {
        if (isLocalLeader())
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            for (final int other : otherVoters)
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                if (leftMs <= 0 || !runtime.network().isReachable(other))
                {
                    continue;
                }
                try
                {
                    node.transferLeadership(new QuorumEndpoint(other, 0)).get(leftMs, TimeUnit.MILLISECONDS);
                    LOG.log(System.Logger.Level.INFO, "controller {0} handed leadership to {1}", config.nodeId(), other);
                    break;
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    break;
                }
                catch (final ExecutionException | TimeoutException ex)
                {
                    LOG.log(System.Logger.Level.INFO, "controller {0} could not hand leadership to {1}: {2}", config.nodeId(), other,
                        ex.toString());
                }
            }
        }
        close();
    }

    /**
     * Stops the node at once (no leadership transfer: the other voters elect a new leader after the
     * heartbeat timeout), fails pending calls, stops serving, closes the store. Idempotent.
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
        fenced = true;
        closeCalls();
        publisher.close();
        runtime.network().close();
        final CompletableFuture<?> termination = node.terminate();
        runtime.shutdown().accept(termination);
        try
        {
            store.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "closing the controller store failed: " + ex);
        }
    }

    @Override
    public String toString()
    {
        return "RaftController{node=" + config.nodeId() + ", term=" + node.getTerm().getTerm() + ", leader=" + leaderId() + ", version=" +
            applied.version() + ", failure=" + failure + "}";
    }
}
