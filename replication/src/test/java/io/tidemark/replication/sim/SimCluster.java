package io.tidemark.replication.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

import io.tidemark.engine.FileSlice;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.WriterMode;
import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.replication.EpochEndOffsets;
import io.tidemark.replication.LeaderFetchService;
import io.tidemark.replication.Partition;
import io.tidemark.replication.ReplicaFetchRequest;
import io.tidemark.replication.ReplicaFetchResponse;
import io.tidemark.replication.ReplicaManager;
import io.tidemark.replication.ReplicationConfig;
import io.tidemark.replication.ReplicationError;
import io.tidemark.replication.ReplicationLink;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.InMemoryController;
import io.tidemark.replication.controller.MetadataApplier;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.replication.controller.TopicConfigs;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A deterministic in-process cluster: brokers with crash-simulating storage, replica managers and
 * fetchers, an in-memory controller, and a simulated network with seeded latency, cuts and drops, all
 * on one {@link SimScheduler}. Faults: power cut of a broker (only synced bytes survive), restart,
 * disk wipe, pause (a stopped process) and resume, network cuts between any two endpoints.
 */
final class SimCluster
{
    static final int CONTROLLER = -1;
    static final int CLIENT = -2;
    static final long REQUEST_TIMEOUT_MS = 3_000;
    static final long SESSION_TIMEOUT_MS = 2_000;
    static final long HEARTBEAT_MS = 300;
    static final long REPLICA_LAG_MS = 1_500;

    final long seed;
    final Random random;
    final SimScheduler sim = new SimScheduler();
    final SimScheduler.Owner controllerOwner = new SimScheduler.Owner("controller");
    final InMemoryController controller;
    final Map<Integer, SimBroker> brokers = new TreeMap<>();
    final Map<String, String> brokerDefaults;
    private final Set<Long> cuts = new HashSet<>();
    double dropRate;
    final List<String> trace = new ArrayList<>();

    SimCluster(final long seed, final int brokerCount, final FlushPolicy flushPolicy)
    {
        this.seed = seed;
        this.random = new Random(seed);
        this.brokerDefaults = Map.of(TopicConfigs.FLUSH_POLICY, flushPolicy.toString(),
            TopicConfigs.SEGMENT_BYTES, "16384", TopicConfigs.INDEX_INTERVAL_BYTES, "512",
            TopicConfigs.SEGMENT_INDEX_BYTES, "1024", TopicConfigs.SEGMENT_PREALLOCATE_BYTES, "16384",
            TopicConfigs.MAX_MESSAGE_BYTES, "8192");
        final Random ids = new Random(seed ^ 0x5DEECE66DL);
        controller = new InMemoryController(sim.view(controllerOwner), "sim-cluster", brokerDefaults, 1, (short)3,
            SESSION_TIMEOUT_MS, () -> new UUID(ids.nextLong(), ids.nextLong()));
        controller.addListener(this::publish);
        for (int id = 1; id <= brokerCount; id++)
        {
            final SimBroker b = new SimBroker(id);
            brokers.put(id, b);
            b.start();
        }
    }

    static final boolean VERBOSE = Boolean.getBoolean("sim.verbose");

    void log(final String line)
    {
        trace.add(String.format("%8d %s", sim.nowMs() - SimScheduler.EPOCH_MS, line));
    }

    void verbose(final String line)
    {
        if (VERBOSE)
        {
            log(line);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // network
    // ---------------------------------------------------------------------------------------------

    void cut(final int a, final int b)
    {
        cuts.add(key(a, b));
        cuts.add(key(b, a));
        log("cut " + a + " <-> " + b);
    }

    void heal()
    {
        cuts.clear();
        dropRate = 0;
        log("heal network");
    }

    private static long key(final int from, final int to)
    {
        return ((long)from << 32) | (to & 0xFFFFFFFFL);
    }

    private boolean up(final int id)
    {
        if (id < 0)
        {
            return true;
        }
        final SimBroker b = brokers.get(id);
        return b != null && b.running();
    }

    /**
     * Delivers {@code message} from one endpoint to another after a seeded latency, unless the link is
     * cut, the message is dropped, or the receiver is down; lost messages are simply never delivered.
     */
    void send(final int from, final int to, final Runnable message)
    {
        if (cuts.contains(key(from, to)) || !up(to) || (dropRate > 0 && random.nextDouble() < dropRate))
        {
            return;
        }
        final SimScheduler.Owner receiver = to >= 0 ? brokers.get(to).owner : to == CONTROLLER ? controllerOwner : null;
        sim.at(1 + random.nextInt(5), receiver, () ->
        {
            if (!cuts.contains(key(from, to)) && up(to))
            {
                message.run();
            }
        });
    }

    private String lastPublished = "";

    private void publish(final MetadataImage image)
    {
        final String now = image.topics().values().toString() + image.brokers().values().stream().filter(BrokerInfo::fenced)
            .map(b -> b.id()).toList();
        if (!now.equals(lastPublished))
        {
            lastPublished = now;
            for (final io.tidemark.replication.controller.TopicInfo t : image.topics().values())
            {
                for (final PartitionInfo p : t.partitions())
                {
                    verbose("controller: " + p + " fenced=" + image.brokers().values().stream().filter(BrokerInfo::fenced)
                        .map(b -> b.id()).toList());
                }
            }
        }
        for (final SimBroker b : brokers.values())
        {
            if (b.running())
            {
                send(CONTROLLER, b.id, () -> b.applyImage(image));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // brokers
    // ---------------------------------------------------------------------------------------------

    final class SimBroker
    {
        final int id;
        SimScheduler.Owner owner;
        CrashSimulatingStorage storage = new CrashSimulatingStorage();
        UUID incarnation;
        LogManager logs;
        ReplicaManager replicas;
        LeaderFetchService fetchService;
        MetadataApplier applier;
        long brokerEpoch = -1;
        int incarnations;
        boolean crashed;

        SimBroker(final int id)
        {
            this.id = id;
            this.incarnation = new UUID(seed, id);
        }

        boolean running()
        {
            return owner != null && owner.alive && !owner.paused && !crashed;
        }

        void start()
        {
            crashed = false;
            brokerEpoch = -1;
            owner = new SimScheduler.Owner("broker-" + id + "#" + (++incarnations));
            final SimScheduler.Owner me = owner;
            logs = LogManager.open(LogManagerConfig.builder(Path.of("/sim/broker-" + id))
                .storage(storage)
                .writerMode(WriterMode.INVOKER)
                .nanoClock(() -> (sim.nowMs() - SimScheduler.EPOCH_MS) * 1_000_000L)
                .epochClock(sim::nowMs)
                .writerRingBytes(1 << 20)
                .defaultLogConfig(LogConfig.builder().segmentBytes(16384).indexIntervalBytes(512).segmentIndexBytes(1024)
                    .preallocateBytes(16384).maxBatchBytes(8192).build())
                .build());
            final boolean clean = logs.openedCleanly();
            replicas = new ReplicaManager(new ReplicationConfig(id, REPLICA_LAG_MS, 64 * 1024, 200, 100, 10), logs, sim.view(me),
                new Link(), (state, newIsr, epochs) ->
                {
                    final CompletableFuture<Object> f = new CompletableFuture<>();
                    send(id, CONTROLLER, () -> controller.alterPartition(state.topicPartition().topic(),
                        state.topicPartition().partition(), id, state.leaderEpoch(), state.partitionEpoch(), newIsr, epochs)
                        .whenComplete((r, e) -> send(CONTROLLER, id, () -> f.complete(null))));
                    return f;
                });
            fetchService = new LeaderFetchService(replicas, sim.view(me));
            applier = new MetadataApplier(replicas, brokerDefaults);
            log("broker " + id + " starts (" + (clean ? "clean" : "unclean") + "), incarnation " + incarnations);
            sim.at(0, me, this::driveWriters);
            final Map<TopicPartition, ReplicaLogSummary> summaries = new HashMap<>();
            for (final io.tidemark.engine.Log log : logs.logs())
            {
                summaries.put(log.topicPartition(), new ReplicaLogSummary(id, log.epochCache().latestEpoch(), log.logEndOffset()));
            }
            register(me, clean, summaries);
        }

        /**
         * Registers, and registers again until an answer arrives (messages may be lost).
         */
        private void register(final SimScheduler.Owner me, final boolean clean, final Map<TopicPartition, ReplicaLogSummary> summaries)
        {
            send(id, CONTROLLER, () ->
            {
                final BrokerInfo info = new BrokerInfo(id, 0, incarnation, "sim", 9000 + id, null, false, Map.of());
                final long epoch = controller.registerBroker(info, incarnation, clean, summaries).join();
                send(CONTROLLER, id, () ->
                {
                    if (brokerEpoch >= 0)
                    {
                        return;
                    }
                    brokerEpoch = epoch;
                    replicas.brokerEpoch(epoch);
                    applyImage(controller.image());
                    heartbeat();
                });
            });
            sim.at(1_000, me, () ->
            {
                if (brokerEpoch < 0)
                {
                    register(me, clean, summaries);
                }
            });
        }

        private void driveWriters()
        {
            int guard = 0;
            while (logs.doWork() > 0 && guard++ < 1000)
            {
                // drain what the writers have
            }
            sim.at(1, owner, this::driveWriters);
        }

        /**
         * Heartbeats keep the session alive and bring back the latest metadata (as brokers follow the
         * metadata log), so a lost image is not missed for good.
         */
        private void heartbeat()
        {
            final long epoch = brokerEpoch;
            final SimScheduler.Owner me = owner;
            send(id, CONTROLLER, () ->
            {
                final boolean accepted = !controller.heartbeat(id, epoch).isCompletedExceptionally();
                final MetadataImage latest = controller.image();
                send(CONTROLLER, id, () ->
                {
                    if (!accepted && brokerEpoch == epoch)
                    {
                        // the controller does not know this epoch (a lost registration answer raced a retry):
                        // register again; the process kept its data, so this is not an unclean restart
                        log("broker " + id + " re-registers after a refused heartbeat");
                        brokerEpoch = -1;
                        register(me, true, Map.of());
                        return;
                    }
                    applyImage(latest);
                });
            });
            sim.at(HEARTBEAT_MS, owner, () ->
            {
                if (brokerEpoch >= 0)
                {
                    heartbeat();
                }
            });
        }

        void applyImage(final MetadataImage image)
        {
            if (brokerEpoch < 0)
            {
                return;
            }
            applier.apply(image);
        }

        /**
         * Power cut: the process dies and its disk keeps only what was synced.
         */
        void crash()
        {
            log("broker " + id + " loses power");
            owner.alive = false;
            crashed = true;
            storage = storage.powerCut(random.nextLong());
        }

        /**
         * kill -9: the process dies, the page cache survives (every written byte is kept).
         */
        void kill()
        {
            log("broker " + id + " killed (kill -9)");
            owner.alive = false;
            crashed = true;
            storage = storage.tearMode(CrashSimulatingStorage.TearMode.NEW).powerCut(random.nextLong());
        }

        /**
         * Clean shutdown: controlled shutdown at the controller, then logs closed with the clean marker.
         */
        void shutdown()
        {
            log("broker " + id + " shuts down cleanly");
            final long epoch = brokerEpoch;
            controller.controlledShutdown(id, epoch).join();
            replicas.close();
            logs.close();
            owner.alive = false;
            crashed = true;
            storage = storage.tearMode(CrashSimulatingStorage.TearMode.NEW).powerCut(random.nextLong());
        }

        void restart()
        {
            start();
        }

        void wipe()
        {
            log("broker " + id + " disk wiped");
            storage = new CrashSimulatingStorage();
            incarnation = new UUID(random.nextLong(), random.nextLong());
        }

        void pause()
        {
            log("broker " + id + " paused");
            owner.paused = true;
        }

        void resume()
        {
            log("broker " + id + " resumed");
            sim.resume(owner);
        }

        /**
         * The follower's view of the network: requests to leaders and their responses.
         */
        private final class Link implements ReplicationLink
        {
            @Override
            public void fetch(final int leaderId, final ReplicaFetchRequest request,
                final BiConsumer<ReplicaFetchResponse, Throwable> callback)
            {
                final Once<ReplicaFetchResponse> once = new Once<>(callback);
                verbose("broker " + id + " fetch from " + leaderId + ": " + request.partitions().get(0) + " leo now " +
                    replicas.partition(request.partitions().get(0).topicPartition()).log().logEndOffset());
                sim.at(REQUEST_TIMEOUT_MS, owner, () -> once.fail(new TimeoutException("replica fetch to " + leaderId)));
                send(id, leaderId, () ->
                {
                    final SimBroker leader = brokers.get(leaderId);
                    leader.fetchService.handleFetch(request, response ->
                    {
                        final ReplicaFetchResponse copied = copy(response);
                        response.release();
                        send(leaderId, id, () -> once.ok(copied));
                    });
                });
            }

            @Override
            public void epochEndOffsets(final int leaderId, final List<EpochEndOffsets.Query> queries,
                final BiConsumer<List<EpochEndOffsets.Answer>, Throwable> callback)
            {
                final Once<List<EpochEndOffsets.Answer>> once = new Once<>(callback);
                sim.at(REQUEST_TIMEOUT_MS, owner, () -> once.fail(new TimeoutException("epoch query to " + leaderId)));
                send(id, leaderId, () ->
                {
                    final List<EpochEndOffsets.Answer> answers = brokers.get(leaderId).fetchService.handleEpochQueries(queries);
                    verbose("broker " + id + " asked " + leaderId + " " + queries.get(0) + " -> " + answers.get(0));
                    send(leaderId, id, () -> once.ok(answers));
                });
            }
        }
    }

    private static final class Once<T>
    {
        private final BiConsumer<T, Throwable> callback;
        private boolean done;

        Once(final BiConsumer<T, Throwable> callback)
        {
            this.callback = callback;
        }

        void ok(final T value)
        {
            if (!done)
            {
                done = true;
                callback.accept(value, null);
            }
        }

        void fail(final Throwable error)
        {
            if (!done)
            {
                done = true;
                callback.accept(null, error);
            }
        }
    }

    /**
     * What goes over the wire: the slices' bytes.
     */
    static ReplicaFetchResponse copy(final ReplicaFetchResponse response)
    {
        final List<ReplicaFetchResponse.PartitionData> out = new ArrayList<>();
        for (final ReplicaFetchResponse.PartitionData p : response.partitions())
        {
            ByteBuffer bytes = null;
            final FileSlice slice = p.slice();
            if (slice != null)
            {
                bytes = ByteBuffer.allocate(slice.length());
                try
                {
                    long position = slice.position();
                    while (bytes.hasRemaining())
                    {
                        final int n = slice.channel().read(bytes, position);
                        if (n <= 0)
                        {
                            throw new IOException("short slice");
                        }
                        position += n;
                    }
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
                bytes.flip();
            }
            out.add(new ReplicaFetchResponse.PartitionData(p.topicPartition(), p.error(), p.highWatermark(), p.logStartOffset(),
                p.logEndOffset(), p.leaderEpoch(), null, bytes));
        }
        return new ReplicaFetchResponse(out);
    }

    // ---------------------------------------------------------------------------------------------
    // clients
    // ---------------------------------------------------------------------------------------------

    /**
     * What happened to one produce, as the client saw it.
     */
    static final class ProduceOutcome
    {
        final TopicPartition tp;
        final String value;
        final long sentMs;
        short acks;
        ReplicationError error;
        long offset = -1;
        boolean done;

        ProduceOutcome(final TopicPartition tp, final String value, final long sentMs)
        {
            this.tp = tp;
            this.value = value;
            this.sentMs = sentMs;
        }

        boolean acked()
        {
            return done && error == ReplicationError.NONE;
        }
    }

    final List<ProduceOutcome> produced = new ArrayList<>();

    /**
     * Sends one record to the partition's current leader (as the controller's metadata says).
     */
    ProduceOutcome produce(final TopicPartition tp, final String value, final short acks)
    {
        final ProduceOutcome outcome = new ProduceOutcome(tp, value, sim.nowMs());
        outcome.acks = acks;
        produced.add(outcome);
        final PartitionInfo info = controller.image().topics().get(tp.topic()).partitions().get(tp.partition());
        final int leader = info.leader();
        if (leader < 0)
        {
            outcome.error = ReplicationError.NOT_LEADER_OR_FOLLOWER;
            outcome.done = true;
            return outcome;
        }
        final UnsafeBuffer batch = SimRecords.batch(sim.nowMs(), value);
        final boolean[] finished = new boolean[1];
        sim.at(REQUEST_TIMEOUT_MS + 500, null, () ->
        {
            if (!finished[0])
            {
                finished[0] = true;
                outcome.error = ReplicationError.REQUEST_TIMED_OUT;
                outcome.done = true;
            }
        });
        send(CLIENT, leader, () -> brokers.get(leader).replicas.append(tp, batch, 0, batch.capacity(), acks, REQUEST_TIMEOUT_MS, 0,
            (error, base, time, start, code, message) -> send(leader, CLIENT, () ->
            {
                if (!finished[0])
                {
                    finished[0] = true;
                    outcome.error = error;
                    outcome.offset = base;
                    outcome.done = true;
                }
            })));
        return outcome;
    }

    // ---------------------------------------------------------------------------------------------
    // inspection
    // ---------------------------------------------------------------------------------------------

    /**
     * @return the partition on broker {@code id} if it is running and hosts it.
     */
    Partition partitionOn(final int id, final TopicPartition tp)
    {
        final SimBroker b = brokers.get(id);
        return b != null && b.running() && b.replicas != null ? b.replicas.partition(tp) : null;
    }

    PartitionInfo info(final TopicPartition tp)
    {
        return controller.image().topics().get(tp.topic()).partitions().get(tp.partition());
    }

    /**
     * Runs until every replica of {@code tp} is in the ISR, leads or follows the same leader epoch, and
     * has the leader's log end offset, or fails after {@code maxMs}.
     */
    boolean awaitConverged(final TopicPartition tp, final long maxMs)
    {
        return sim.runUntil(() ->
        {
            final PartitionInfo p = info(tp);
            if (p.leader() < 0 || p.isr().size() != p.replicas().size())
            {
                return false;
            }
            final Partition leader = partitionOn(p.leader(), tp);
            if (leader == null || !leader.isLeader())
            {
                return false;
            }
            for (final int r : p.replicas())
            {
                final Partition replica = partitionOn(r, tp);
                if (replica == null || replica.state().leaderEpoch() != p.leaderEpoch() ||
                    replica.log().logEndOffset() != leader.log().logEndOffset() ||
                    replica.highWatermark() != leader.highWatermark())
                {
                    return false;
                }
            }
            return true;
        }, maxMs);
    }

    String describe(final TopicPartition tp)
    {
        final StringBuilder sb = new StringBuilder();
        for (final SimBroker b : brokers.values())
        {
            final BrokerInfo registered = controller.image().brokers().get(b.id);
            final Partition p = partitionOn(b.id, tp);
            sb.append("broker ").append(b.id).append(": running=").append(b.running()).append(" epoch=").append(b.brokerEpoch)
                .append(" registered=").append(registered == null ? "-" : registered.epoch() + (registered.fenced() ? " fenced" : ""))
                .append(" partition=").append(p == null ? "-" : "leader=" + p.isLeader() + " epoch=" + p.state().leaderEpoch() +
                    " leo=" + p.log().logEndOffset() + " hw=" + p.highWatermark() + " latestEpoch=" + p.log().epochCache().latestEpoch())
                .append('\n');
        }
        return sb.toString();
    }

    Map<Integer, Long> leos(final TopicPartition tp)
    {
        final Map<Integer, Long> result = new HashMap<>();
        for (final SimBroker b : brokers.values())
        {
            final Partition p = partitionOn(b.id, tp);
            if (p != null)
            {
                result.put(b.id, p.log().logEndOffset());
            }
        }
        return result;
    }
}
