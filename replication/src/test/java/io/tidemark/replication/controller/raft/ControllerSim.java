package io.tidemark.replication.controller.raft;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import io.microraft.RaftEndpoint;
import io.microraft.RaftNodeStatus;
import io.microraft.executor.RaftNodeExecutor;
import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.engine.storage.FaultyStorage;
import io.tidemark.engine.storage.Storage;
import io.tidemark.replication.Scheduler;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.MetadataImageCodec;

/**
 * A deterministic simulation of a controller quorum: every voter is a real {@link RaftController}
 * (real MicroRaft, state machine, {@link FileRaftStore} on {@link CrashSimulatingStorage}) running on
 * one seeded event loop with a virtual clock (starting far from 0) and an in-memory network with
 * seeded latency, message loss and cuts. Nodes can be killed (a process crash: the page cache
 * survives) or lose power (only synced bytes survive, unsynced pages tear) and restart from their
 * storage. Co-located brokers register and heartbeat through their node's controller.
 *
 * <p>Invariants checked as the run goes: at most one leader per term, an index once applied never
 * holds another operation, equal image versions are equal images on every node.
 */
final class ControllerSim
{
    static final long EPOCH_MS = 1_700_000_000_000L;
    static final String CLUSTER = "sim";
    static final long SESSION_TIMEOUT_MS = 3_000;
    static final long BROKER_HEARTBEAT_MS = 500;

    // ---------------------------------------------------------------------------------------------
    // event loop
    // ---------------------------------------------------------------------------------------------

    static final class Owner
    {
        final String name;
        boolean alive = true;

        Owner(final String name)
        {
            this.name = name;
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    private record Event(long timeMs, long seq, Owner owner, Runnable task) implements Comparable<Event>
    {
        @Override
        public int compareTo(final Event o)
        {
            final int c = Long.compare(timeMs, o.timeMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    final long seed;
    final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now = EPOCH_MS;
    private long seq;
    long events;
    final List<String> trace = new ArrayList<>();
    private final CRC32C traceHash = new CRC32C();

    final Clock clock = new Clock()
    {
        @Override
        public ZoneId getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone)
        {
            return this;
        }

        @Override
        public Instant instant()
        {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public long millis()
        {
            return now;
        }
    };

    long nowMs()
    {
        return now;
    }

    long elapsedMs()
    {
        return now - EPOCH_MS;
    }

    void at(final long delayMs, final Owner owner, final Runnable task)
    {
        queue.add(new Event(now + Math.max(0, delayMs), seq++, owner, task));
    }

    boolean step()
    {
        final Event e = queue.poll();
        if (e == null)
        {
            return false;
        }
        now = Math.max(now, e.timeMs());
        if (e.owner() != null && !e.owner().alive)
        {
            return true;
        }
        e.task().run();
        events++;
        checkLeaders();
        return true;
    }

    /**
     * Runs events until the condition holds or {@code maxMs} of virtual time pass.
     */
    boolean runUntil(final BooleanSupplier condition, final long maxMs)
    {
        final long deadline = now + maxMs;
        while (!condition.getAsBoolean())
        {
            final Event next = queue.peek();
            if (next == null || next.timeMs() > deadline)
            {
                now = Math.max(now, deadline);
                return condition.getAsBoolean();
            }
            step();
        }
        return true;
    }

    void runFor(final long ms)
    {
        final long deadline = now + ms;
        while (true)
        {
            final Event next = queue.peek();
            if (next == null || next.timeMs() > deadline)
            {
                now = deadline;
                return;
            }
            step();
        }
    }

    /**
     * Runs until the future completes and returns its value, or fails naming what was awaited.
     */
    <T> T await(final CompletableFuture<T> future, final long maxMs, final String what)
    {
        if (!runUntil(future::isDone, maxMs))
        {
            throw new AssertionError(context() + ": " + what + " did not complete within " + maxMs + " ms");
        }
        return future.join();
    }

    void log(final String line)
    {
        final String entry = String.format("%8d %s", elapsedMs(), line);
        trace.add(entry);
        traceHash.update(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    long traceHash()
    {
        return traceHash.getValue();
    }

    String context()
    {
        final StringBuilder sb = new StringBuilder("seed ").append(seed).append(" at ").append(elapsedMs()).append(" ms");
        for (final SimNode n : nodes.values())
        {
            sb.append("\n  ").append(n);
        }
        sb.append("\n  last events:");
        for (final String line : trace.subList(Math.max(0, trace.size() - Integer.getInteger("sim.context.lines", 25)), trace.size()))
        {
            sb.append("\n    ").append(line);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // network
    // ---------------------------------------------------------------------------------------------

    private final Set<Long> cuts = new HashSet<>();
    double dropRate;
    boolean traceMessages;
    long delivered;
    long dropped;

    private static long link(final int from, final int to)
    {
        return ((long)from << 32) | (to & 0xFFFFFFFFL);
    }

    void cut(final int a, final int b)
    {
        cuts.add(link(a, b));
        cuts.add(link(b, a));
        log("cut " + a + " <-> " + b);
    }

    void cutOneWay(final int from, final int to)
    {
        cuts.add(link(from, to));
        log("cut " + from + " -> " + to);
    }

    void isolate(final int id)
    {
        for (final int other : allIds())
        {
            if (other != id)
            {
                cuts.add(link(id, other));
                cuts.add(link(other, id));
            }
        }
        log("isolate " + id);
    }

    void heal()
    {
        cuts.clear();
        dropRate = 0;
        log("heal");
    }

    private List<Integer> allIds()
    {
        final List<Integer> ids = new ArrayList<>(nodes.keySet());
        ids.addAll(clients.keySet());
        return ids;
    }

    private boolean passes(final int from, final int to)
    {
        if (cuts.contains(link(from, to)))
        {
            return false;
        }
        if (dropRate > 0 && random.nextDouble() < dropRate)
        {
            return false;
        }
        return true;
    }

    private long latency()
    {
        return 1 + random.nextInt(5);
    }

    /**
     * One endpoint's view of the network.
     */
    final class SimNetwork implements QuorumNetwork
    {
        final int self;
        final Owner owner;
        QuorumNetwork.Inbound inbound;
        boolean closed;
        long sent;

        SimNetwork(final int self, final Owner owner)
        {
            this.self = self;
            this.owner = owner;
        }

        @Override
        public void serve(final Inbound handler)
        {
            this.inbound = handler;
        }

        private SimNetwork target(final int id)
        {
            final SimNode n = nodes.get(id);
            return n == null || !n.owner.alive || n.network.closed ? null : n.network;
        }

        @Override
        public void sendRaft(final int nodeId, final byte[] message)
        {
            sent++;
            if (closed || !passes(self, nodeId))
            {
                dropped++;
                return;
            }
            final SimNetwork to = target(nodeId);
            if (to == null)
            {
                dropped++;
                return;
            }
            final byte[] copy = message.clone();
            at(latency(), to.owner, () ->
            {
                if (to.closed || to.inbound == null)
                {
                    return;
                }
                if (traceMessages)
                {
                    log(self + "->" + nodeId + " " + RaftMessageCodec.decode(copy).toString().replaceAll("groupMembers=.*?\\], ", ""));
                }
                delivered++;
                to.inbound.onRaftMessage(copy);
            });
        }

        @Override
        public CompletableFuture<byte[]> request(final int nodeId, final int apiKey, final byte[] body, final long timeoutMs)
        {
            final CompletableFuture<byte[]> result = new CompletableFuture<>();
            at(timeoutMs, owner, () -> result.completeExceptionally(new TimeoutException("no answer from " + nodeId + " within " +
                timeoutMs + " ms")));
            final SimNetwork to = target(nodeId);
            if (closed || to == null || !passes(self, nodeId))
            {
                return result;
            }
            final byte[] copy = body.clone();
            at(latency(), to.owner, () ->
            {
                if (to.closed || to.inbound == null)
                {
                    return;
                }
                to.inbound.onRequest(apiKey, copy, response ->
                {
                    if (!passes(nodeId, self))
                    {
                        return;
                    }
                    at(latency(), owner, () ->
                    {
                        if (response == null)
                        {
                            result.completeExceptionally(new IllegalStateException("node " + nodeId + " is unavailable"));
                        }
                        else if (response.length == 0)
                        {
                            result.completeExceptionally(new IllegalStateException("node " + nodeId + " says: malformed"));
                        }
                        else
                        {
                            result.complete(response.clone());
                        }
                    });
                });
            });
            return result;
        }

        @Override
        public boolean isReachable(final int nodeId)
        {
            return target(nodeId) != null && !cuts.contains(link(self, nodeId));
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // seams
    // ---------------------------------------------------------------------------------------------

    private final class SimExecutor implements RaftNodeExecutor
    {
        private final Owner owner;

        SimExecutor(final Owner owner)
        {
            this.owner = owner;
        }

        @Override
        public void execute(final Runnable task)
        {
            at(0, owner, task);
        }

        @Override
        public void submit(final Runnable task)
        {
            at(0, owner, task);
        }

        @Override
        public void schedule(final Runnable task, final long delay, final TimeUnit unit)
        {
            // query timeouts come in nanoseconds
            at(unit.toMillis(delay), owner, task);
        }
    }

    Scheduler scheduler(final Owner owner)
    {
        return new Scheduler()
        {
            @Override
            public long nowMs()
            {
                return now;
            }

            @Override
            public Cancellable schedule(final long delayMs, final Runnable task)
            {
                final boolean[] cancelled = new boolean[1];
                at(delayMs, owner, () ->
                {
                    if (!cancelled[0])
                    {
                        task.run();
                    }
                });
                return () -> cancelled[0] = true;
            }

            @Override
            public void execute(final Runnable task)
            {
                at(0, owner, task);
            }
        };
    }

    // ---------------------------------------------------------------------------------------------
    // nodes
    // ---------------------------------------------------------------------------------------------

    final Map<Integer, InetSocketAddress> voterAddresses = new TreeMap<>();
    final Map<Integer, SimNode> nodes = new TreeMap<>();
    final Map<Integer, SimClient> clients = new TreeMap<>();
    final Map<Integer, SimBroker> brokers = new TreeMap<>();
    private final java.util.function.UnaryOperator<ControllerQuorumConfig.Builder> tune;

    /**
     * A voter: its storage survives its incarnations.
     */
    final class SimNode
    {
        final int id;
        Storage storage;
        CrashSimulatingStorage disk;
        FaultyStorage faulty;
        int incarnation;
        Owner owner = new Owner("none");
        SimNetwork network;
        RaftController controller;
        boolean up;

        SimNode(final int id)
        {
            this.id = id;
            this.disk = new CrashSimulatingStorage();
            this.storage = disk;
        }

        void start()
        {
            incarnation++;
            owner = new Owner("node" + id + "#" + incarnation);
            network = new SimNetwork(id, owner);
            final RaftControllerRuntime runtime = new RaftControllerRuntime(new SimExecutor(owner), clock,
                new Random(seed * 1_000_003L + id * 1009L + incarnation), scheduler(owner), task -> at(0, owner, task), network,
                termination ->
                {
                });
            controller = RaftController.start(config(id), storage, runtime);
            controller.appliedHook((index, op, image, changed) -> onApplied(this, index, op, image, changed));
            up = true;
            log("start node " + id + " (incarnation " + incarnation + ", restored: " + !controller.recoveryReport().isEmpty() + ")");
        }

        /**
         * A process crash (kill -9): nothing runs any more; the page cache survives.
         */
        void crash()
        {
            stop("crash");
            disk.tearMode(CrashSimulatingStorage.TearMode.NEW);
            disk = disk.powerCut(random.nextLong());
            storage = disk;
            faulty = null;
        }

        /**
         * Power loss: only synced bytes survive, unsynced pages tear.
         */
        void powerLoss()
        {
            powerLoss(CrashSimulatingStorage.TearMode.RANDOM);
        }

        /**
         * Power loss with a given fate of unsynced pages.
         */
        void powerLoss(final CrashSimulatingStorage.TearMode mode)
        {
            stop("power loss");
            disk.tearMode(mode);
            disk = disk.powerCut(random.nextLong());
            storage = disk;
            faulty = null;
        }

        private void stop(final String how)
        {
            owner.alive = false;
            if (network != null)
            {
                network.closed = true;
            }
            up = false;
            log(how + " of node " + id);
        }

        /**
         * From now on every fsync of this node fails (EIO).
         */
        void failFsyncs()
        {
            if (faulty == null)
            {
                throw new IllegalStateException("node " + id + " was not started on a faulty storage");
            }
            faulty.failForces(true);
            log("fsync EIO on node " + id);
        }

        boolean isLeader()
        {
            return up && controller.raftNode().getTerm().getLeaderEndpoint() != null &&
                ((QuorumEndpoint)controller.raftNode().getTerm().getLeaderEndpoint()).nodeId() == id &&
                !RaftNodeStatus.isTerminal(controller.raftNode().getStatus());
        }

        @Override
        public String toString()
        {
            return "node " + id + (up ? "" : " (down)") + ": " + (controller == null ? "-" : controller.toString());
        }
    }

    /**
     * A broker-only node following the quorum through a {@link RemoteController}.
     */
    final class SimClient
    {
        final int id;
        final Owner owner;
        final RemoteController controller;

        SimClient(final int id)
        {
            this.id = id;
            this.owner = new Owner("client" + id);
            final SimNetwork network = new SimNetwork(id, owner);
            controller = RemoteController.start(config(id), scheduler(owner), task -> at(0, owner, task), network,
                new Random(seed * 7919L + id), () ->
                {
                });
        }
    }

    /**
     * A co-located broker: registers and heartbeats through a controller.
     */
    final class SimBroker
    {
        final int id;
        UUID incarnation;
        Controller via;
        long epoch = -1;
        boolean heartbeating = true;
        boolean inFlight;
        long generation;

        SimBroker(final int id)
        {
            this.id = id;
            this.incarnation = new UUID(seed, id);
        }

        BrokerInfo info()
        {
            return new BrokerInfo(id, 0, incarnation, "broker" + id, 9092, null, false, Map.of("REPLICATION", "broker" + id + ":9093"));
        }

        /**
         * Registers (again) and starts heartbeating through {@code controller}.
         */
        CompletableFuture<Long> register(final Controller controller, final boolean clean)
        {
            via = controller;
            inFlight = false;
            final long gen = ++generation;
            final CompletableFuture<Long> registered = controller.registerBroker(info(), incarnation, clean, Map.of());
            registered.whenComplete((e, error) ->
            {
                if (error == null && gen == generation)
                {
                    epoch = e;
                    log("broker " + id + " registered with epoch " + e);
                    scheduleHeartbeat(gen);
                }
            });
            return registered;
        }

        private void scheduleHeartbeat(final long gen)
        {
            at(BROKER_HEARTBEAT_MS, null, () ->
            {
                if (gen != generation)
                {
                    return;
                }
                if (heartbeating && !inFlight && hostAlive())
                {
                    inFlight = true;
                    via.heartbeat(id, epoch).whenComplete((v, e) ->
                    {
                        inFlight = false;
                        if (e != null && e.getCause() instanceof ControllerException ce && ce.reason() == ControllerException.Reason.STALE)
                        {
                            log("broker " + id + " heartbeat refused: " + ce.getMessage());
                        }
                    });
                }
                scheduleHeartbeat(gen);
            });
        }

        private boolean hostAlive()
        {
            final SimNode host = nodes.get(id);
            return host == null || host.up;
        }

        void stop()
        {
            generation++;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // construction and configuration
    // ---------------------------------------------------------------------------------------------

    /**
     * @param seed   the run's seed.
     * @param voters how many voters (ids 1..n).
     * @param tune   adjusts the configuration (tests).
     */
    ControllerSim(final long seed, final int voters, final java.util.function.UnaryOperator<ControllerQuorumConfig.Builder> tune)
    {
        this.seed = seed;
        this.random = new Random(seed);
        this.tune = tune;
        this.traceMessages = Boolean.getBoolean("sim.trace");
        for (int id = 1; id <= voters; id++)
        {
            voterAddresses.put(id, InetSocketAddress.createUnresolved("node" + id, 9000 + id));
            nodes.put(id, new SimNode(id));
        }
    }

    ControllerSim(final long seed)
    {
        this(seed, 3, b -> b);
    }

    ControllerQuorumConfig config(final int id)
    {
        return tune.apply(ControllerQuorumConfig.builder(id, CLUSTER, Path.of("/sim/node" + id)).voters(voterAddresses)
            .raftTimings(1, 2, 400).snapshotIntervalEntries(25).maxPendingEntries(100).snapshotChunkBytes(512).logSegmentBytes(4096)
            .sessionTimeoutMs(SESSION_TIMEOUT_MS).requestTimeoutMs(15_000).rpcTimeoutMs(1_000).retryBackoffMs(50).fetchWaitMs(500)
            .topicDefaults(1, (short)3, Map.of())).build();
    }

    /**
     * Makes node {@code id} run on a storage that can fail fsyncs (before it starts).
     */
    void faultyStorage(final int id)
    {
        final SimNode n = nodes.get(id);
        n.faulty = new FaultyStorage(n.disk, seed);
        n.storage = n.faulty;
    }

    void startAll()
    {
        for (final SimNode n : nodes.values())
        {
            n.start();
        }
    }

    SimNode node(final int id)
    {
        return nodes.get(id);
    }

    RaftController controller(final int id)
    {
        return nodes.get(id).controller;
    }

    SimClient client(final int id)
    {
        return clients.computeIfAbsent(id, SimClient::new);
    }

    SimBroker broker(final int id)
    {
        return brokers.computeIfAbsent(id, SimBroker::new);
    }

    /**
     * @return the live node that leads (and whose term is highest), or null.
     */
    SimNode leader()
    {
        SimNode best = null;
        for (final SimNode n : nodes.values())
        {
            if (n.isLeader() && (best == null || n.controller.term() > best.controller.term()))
            {
                best = n;
            }
        }
        return best;
    }

    /**
     * @return a live node that does not lead.
     */
    SimNode follower()
    {
        final SimNode leader = leader();
        for (final SimNode n : nodes.values())
        {
            if (n.up && n != leader)
            {
                return n;
            }
        }
        return null;
    }

    /**
     * Waits until a leader exists whose term's first entry applied on it (the active controller).
     */
    SimNode awaitActive(final long maxMs)
    {
        if (!runUntil(() -> leader() != null && leader().controller.image().controllerId() == leader().id &&
            termApplied(leader()), maxMs))
        {
            throw new AssertionError(context() + ": no active controller within " + maxMs + " ms");
        }
        return leader();
    }

    private boolean termApplied(final SimNode n)
    {
        final ControllerOp.NewTerm t = n.controller.stateMachine().term();
        return t != null && t.term() == n.controller.term() && t.leaderId() == n.id;
    }

    /**
     * Waits until every live voter has applied the same image (and the broker-only clients hold it).
     */
    boolean awaitConverged(final long maxMs)
    {
        return runUntil(this::converged, maxMs);
    }

    boolean converged()
    {
        MetadataImage reference = null;
        for (final SimNode n : nodes.values())
        {
            if (!n.up)
            {
                continue;
            }
            final MetadataImage image = n.controller.image();
            if (reference == null)
            {
                reference = image;
            }
            else if (!reference.equals(image))
            {
                return false;
            }
        }
        for (final SimClient c : clients.values())
        {
            if (reference != null && !reference.equals(c.controller.image()))
            {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // invariants
    // ---------------------------------------------------------------------------------------------

    /** Term to leader id, as seen by any node at any event. */
    final Map<Integer, Integer> leaders = new TreeMap<>();
    /** Index to the operation applied there (encoded), by any node. */
    final Map<Long, byte[]> committed = new HashMap<>();
    /** Image version to the image applied at that version, by any node. */
    final Map<Long, MetadataImage> images = new HashMap<>();
    long maxCommitted;
    long snapshotInstalls;

    private void checkLeaders()
    {
        for (final SimNode n : nodes.values())
        {
            if (n.isLeader())
            {
                final int term = n.controller.term();
                final Integer previous = leaders.putIfAbsent(term, n.id);
                if (previous != null && previous != n.id)
                {
                    throw new AssertionError(context() + ": two leaders in term " + term + ": " + previous + " and " + n.id);
                }
            }
        }
    }

    private void onApplied(final SimNode node, final long index, final ControllerOp op, final MetadataImage image, final boolean changed)
    {
        if (op == null)
        {
            snapshotInstalls++;
            log("node " + node.id + " installed a snapshot at " + index + " (image version " + image.version() + ")");
        }
        else
        {
            final byte[] bytes = ControllerCodec.encodeOp(op);
            final byte[] previous = committed.putIfAbsent(index, bytes);
            if (previous != null && !Arrays.equals(previous, bytes))
            {
                throw new AssertionError(context() + ": node " + node.id + " applied " + op + " at index " + index +
                    " where another node applied " + ControllerCodec.decodeOp(previous));
            }
            maxCommitted = Math.max(maxCommitted, index);
            log("node " + node.id + " applied " + index + " " + op.getClass().getSimpleName());
        }
        final MetadataImage previousImage = images.putIfAbsent(image.version(), image);
        if (previousImage != null && !previousImage.equals(image))
        {
            throw new AssertionError(context() + ": node " + node.id + " has image version " + image.version() + "\n" +
                new String(MetadataImageCodec.encode(image), java.nio.charset.StandardCharsets.UTF_8) + "\nbut another node had\n" +
                new String(MetadataImageCodec.encode(previousImage), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /**
     * @return retried requests answered from the state machine's record, summed over live nodes.
     */
    long deduplicated()
    {
        long n = 0;
        for (final SimNode node : nodes.values())
        {
            if (node.up)
            {
                n = Math.max(n, node.controller.stateMachine().deduplicated());
            }
        }
        return n;
    }

    /**
     * @param listener told of every image a node publishes (for listener-order checks).
     * @return a list the images of node {@code id} are appended to.
     */
    List<MetadataImage> recordPublished(final int id)
    {
        final List<MetadataImage> published = new ArrayList<>();
        final Consumer<MetadataImage> listener = published::add;
        controller(id).addListener(listener);
        return published;
    }

    /**
     * Raft endpoint of a node id.
     */
    static RaftEndpoint endpoint(final int id)
    {
        return new QuorumEndpoint(id, 0);
    }
}
