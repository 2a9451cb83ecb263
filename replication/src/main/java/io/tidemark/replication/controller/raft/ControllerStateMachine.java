package io.tidemark.replication.controller.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import io.microraft.statemachine.StateMachine;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerBrokers;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.ControllerProducerIds;
import io.tidemark.replication.controller.ControllerTopics;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.MetadataImageCodec;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.transport.LogText;

/**
 * The controller's replicated state machine: the {@link MetadataImage}, the defaults of the current
 * controller term, and the answers given to recent client requests (for deduplicating retries). It
 * applies {@link ControllerTopics} and {@link ControllerBrokers} in log order; every input comes from
 * the log entry or the log index, so all voters compute the same state. Refusals are returned as
 * {@link ControllerResult.Refused}, never thrown.
 *
 * <p>The image's version is the log index of the last entry that changed it, so equal versions mean
 * equal images on every voter, versions only grow, and a broker epoch (the index of the broker's
 * registration) is unique and increasing.
 *
 * <p>Snapshot: the canonical bytes below, cut into chunks of the size the current term's leader
 * chose (so every voter cuts identically and followers can serve chunks too):
 * <pre>
 *   u32 magic 'TMCS', u16 version 1, i64 commitIndex
 *   bool hasTerm, [NewTerm op]                      (ControllerCodec)
 *   i32 n, image bytes                              (MetadataImageCodec text)
 *   i32 sessions, (i64 id, i64 lastUsedIndex, i64 ackedBelow, i32 n, (i64 seq, result)*n)*sessions   (sorted)
 * </pre>
 *
 * <p>Runs on the Raft thread only (MicroRaft calls it serially).
 */
final class ControllerStateMachine implements StateMachine
{
    private static final System.Logger LOG = System.getLogger(ControllerStateMachine.class.getName());

    /** Answers kept per client session. */
    static final int MAX_RESULTS_PER_SESSION = 1024;
    /** Client sessions remembered; the least recently used is forgotten first. */
    static final int MAX_SESSIONS = 4096;
    /** Snapshot chunk size when no term has set one (never used by a started node). */
    static final int DEFAULT_CHUNK_BYTES = 128 * 1024;

    private static final int MAGIC = 0x544D4353;
    private static final short VERSION = 1;

    /**
     * Told of every change, on the Raft thread; must not block.
     */
    interface Observer
    {
        /**
         * An entry was applied (or a snapshot installed, with {@code op} null).
         *
         * @param commitIndex its log index.
         * @param op          the operation, or null for a snapshot.
         * @param image       the image after it.
         * @param changed     whether the image changed.
         */
        void applied(long commitIndex, ControllerOp op, MetadataImage image, boolean changed);
    }

    /**
     * Creates this node's new-term operation when it becomes leader.
     */
    interface NewTermFactory
    {
        /**
         * @param term the new term.
         * @return the operation.
         */
        ControllerOp.NewTerm create(int term);
    }

    private static final class Session
    {
        long lastUsedIndex;
        long ackedBelow;
        final TreeMap<Long, ControllerResult> results = new TreeMap<>();
    }

    private final int localNodeId;
    private final NewTermFactory newTermFactory;
    private final Observer observer;
    private IntSupplier currentTerm = () -> 0;
    private MetadataImage image;
    private ControllerOp.NewTerm term;
    private final TreeMap<Long, Session> sessions = new TreeMap<>();
    private long lastApplied;
    private long deduplicated;

    /**
     * @param clusterId      cluster id of the empty image.
     * @param localNodeId    this node (for logging only).
     * @param newTermFactory makes this node's new-term operation.
     * @param observer       told of every change.
     */
    ControllerStateMachine(final String clusterId, final int localNodeId, final NewTermFactory newTermFactory, final Observer observer)
    {
        this.localNodeId = localNodeId;
        this.newTermFactory = newTermFactory;
        this.observer = observer;
        this.image = new MetadataImage(clusterId, -1, 0, Map.of(), Map.of(), 0);
    }

    /**
     * @param term reads the Raft node's current term (set once the node exists).
     */
    void currentTerm(final IntSupplier term)
    {
        this.currentTerm = term;
    }

    MetadataImage image()
    {
        return image;
    }

    long lastApplied()
    {
        return lastApplied;
    }

    /**
     * @return the current term's new-term operation, or null before the first one.
     */
    ControllerOp.NewTerm term()
    {
        return term;
    }

    @Override
    public Object getNewTermOperation()
    {
        return newTermFactory.create(currentTerm.getAsInt());
    }

    @Override
    public Object runOperation(final long commitIndex, final Object operation)
    {
        if (operation instanceof ControllerOp.Validate v)
        {
            // a query: runs against the current image, changes nothing
            return transform(v.op(), commitIndex).result;
        }
        if (!(operation instanceof ControllerOp op))
        {
            // MicroRaft's internal no-op of a plain wait-for-commit query
            return null;
        }
        if (commitIndex <= lastApplied)
        {
            throw new IllegalStateException("entry " + commitIndex + " applied after " + lastApplied);
        }
        lastApplied = commitIndex;
        final ControllerResult result;
        final MetadataImage before = image;
        final ControllerOp.RequestId id = op.id();
        final Session session = id.session() == 0 ? null : session(id, commitIndex);
        final ControllerResult remembered = session == null ? null : session.results.get(id.seq());
        if (remembered != null)
        {
            // a retry of a request applied before (its first answer was lost with a leader)
            result = remembered;
            deduplicated++;
        }
        else if (session != null && id.seq() < session.ackedBelow)
        {
            result = new ControllerResult.Refused(ControllerException.Reason.UNKNOWN,
                "request " + id.seq() + " of session " + id.session() + " was answered before");
        }
        else
        {
            final Outcome outcome = transform(op, commitIndex);
            if (outcome.image != image)
            {
                image = withVersion(outcome.image, commitIndex);
            }
            result = outcome.result;
            if (op instanceof ControllerOp.NewTerm t)
            {
                term = t;
            }
            if (session != null)
            {
                session.results.put(id.seq(), result);
                while (session.results.size() > MAX_RESULTS_PER_SESSION)
                {
                    session.results.pollFirstEntry();
                }
            }
        }
        observer.applied(commitIndex, op, image, image != before);
        return result;
    }

    private Session session(final ControllerOp.RequestId id, final long commitIndex)
    {
        Session s = sessions.get(id.session());
        if (s == null)
        {
            s = new Session();
            sessions.put(id.session(), s);
            if (sessions.size() > MAX_SESSIONS)
            {
                evictLeastRecentlyUsed(id.session());
            }
        }
        s.lastUsedIndex = commitIndex;
        if (id.ackedBelow() > s.ackedBelow)
        {
            s.ackedBelow = id.ackedBelow();
            s.results.headMap(s.ackedBelow).clear();
        }
        return s;
    }

    private void evictLeastRecentlyUsed(final long keep)
    {
        long victim = 0;
        long oldest = Long.MAX_VALUE;
        for (final Map.Entry<Long, Session> e : sessions.entrySet())
        {
            if (e.getKey() != keep && e.getValue().lastUsedIndex < oldest)
            {
                oldest = e.getValue().lastUsedIndex;
                victim = e.getKey();
            }
        }
        sessions.remove(victim);
    }

    private record Outcome(MetadataImage image, ControllerResult result)
    {
    }

    private Map<String, String> defaults()
    {
        return term == null ? Map.of() : term.brokerDefaults();
    }

    /**
     * Computes what {@code op} does to the current image (without changing anything).
     */
    private Outcome transform(final ControllerOp op, final long commitIndex)
    {
        try
        {
            return apply(op, commitIndex);
        }
        catch (final ControllerException ex)
        {
            return new Outcome(image, new ControllerResult.Refused(ex.reason(), ex.getMessage()));
        }
        catch (final RuntimeException ex)
        {
            // deterministic too (same code, same inputs), but unexpected: say so loudly
            LOG.log(System.Logger.Level.WARNING, "controller operation " + LogText.escape(op) + " failed at " + commitIndex, LogText.safe(ex));
            return new Outcome(image, new ControllerResult.Refused(ControllerException.Reason.UNKNOWN,
                ex.getClass().getSimpleName() + ": " + ex.getMessage()));
        }
    }

    private Outcome apply(final ControllerOp op, final long commitIndex)
    {
        if (op instanceof ControllerOp.NewTerm t)
        {
            return new Outcome(new MetadataImage(image.clusterId(), t.leaderId(), image.version(), image.brokers(), image.topics(),
                image.nextProducerId()),
                ControllerResult.OK);
        }
        if (op instanceof ControllerOp.CreateTopic c)
        {
            return createTopic(c);
        }
        if (op instanceof ControllerOp.DeleteTopic d)
        {
            return new Outcome(ControllerTopics.deleteTopic(image, d.name()), ControllerResult.OK);
        }
        if (op instanceof ControllerOp.CreatePartitions c)
        {
            final MetadataImage next = ControllerTopics.createPartitions(image, c.name(), c.totalCount());
            return new Outcome(next, new ControllerResult.Ok(next.topics().get(c.name())));
        }
        if (op instanceof ControllerOp.AlterConfigs a)
        {
            final MetadataImage next = ControllerTopics.alterConfigs(image, a.name(), a.changes(), defaults());
            return new Outcome(next, new ControllerResult.Ok(next.topics().get(a.name())));
        }
        if (op instanceof ControllerOp.RegisterBroker r)
        {
            return register(r, commitIndex);
        }
        if (op instanceof ControllerOp.FenceBroker f)
        {
            final BrokerInfo b = image.brokers().get(f.brokerId());
            if (b == null || b.epoch() != f.brokerEpoch() || b.fenced())
            {
                return new Outcome(image, ControllerResult.OK);
            }
            return elections(ControllerBrokers.fence(image, f.brokerId(), defaults()), "fencing of broker " + f.brokerId(), ControllerResult.OK);
        }
        if (op instanceof ControllerOp.UnfenceBroker u)
        {
            final BrokerInfo b = image.brokers().get(u.brokerId());
            if (b == null || b.epoch() != u.brokerEpoch() || !b.fenced())
            {
                return new Outcome(image, ControllerResult.OK);
            }
            return elections(ControllerBrokers.unfence(image, u.brokerId(), defaults()), "unfencing of broker " + u.brokerId(),
                ControllerResult.OK);
        }
        if (op instanceof ControllerOp.AlterPartition a)
        {
            final MetadataImage next = ControllerBrokers.alterPartition(image, a.topic(), a.partition(), a.leaderId(), a.leaderEpoch(),
                a.partitionEpoch(), a.newIsr(), a.brokerEpochs(), defaults());
            return new Outcome(next, new ControllerResult.Ok(next.topics().get(a.topic()).partitions().get(a.partition())));
        }
        if (op instanceof ControllerOp.ControlledShutdown s)
        {
            final BrokerInfo b = image.brokers().get(s.brokerId());
            if (b == null || b.epoch() != s.brokerEpoch())
            {
                throw new ControllerException(ControllerException.Reason.STALE,
                    "broker " + s.brokerId() + " with epoch " + s.brokerEpoch() + " is not registered" +
                        (b == null ? "" : " (its registered epoch is " + b.epoch() + ")"));
            }
            return elections(ControllerBrokers.controlledShutdown(image, s.brokerId(), defaults()),
                "controlled shutdown of broker " + s.brokerId(), ControllerResult.OK);
        }
        if (op instanceof ControllerOp.ElectLeaders e)
        {
            final ControllerBrokers.Result r = ControllerBrokers.electLeaders(image, e.preferred(), e.partitions(), defaults());
            // the answer is every partition whose leader changed, read from the images (not from the
            // transformation's election notes, which need not list every kind of election)
            final List<TopicPartition> changed = new ArrayList<>();
            for (final TopicInfo after : r.image().topics().values())
            {
                final TopicInfo before = image.topics().get(after.name());
                for (final PartitionInfo p : after.partitions())
                {
                    if (before != null && p.partition() < before.partitions().size() &&
                        before.partitions().get(p.partition()).leader() != p.leader())
                    {
                        changed.add(new TopicPartition(after.name(), p.partition()));
                    }
                }
            }
            changed.sort(null);
            return elections(r, e.preferred() ? "preferred leader election" : "unclean leader election",
                new ControllerResult.Ok(List.copyOf(changed)));
        }
        if (op instanceof ControllerOp.AllocateProducerIds a)
        {
            final ControllerProducerIds.Allocation allocation = ControllerProducerIds.allocate(image, a.brokerId(), a.brokerEpoch());
            return new Outcome(allocation.image(), new ControllerResult.Ok(allocation.block()));
        }
        throw new ControllerException(ControllerException.Reason.UNKNOWN, "not an operation that changes metadata: " + op);
    }

    private Outcome createTopic(final ControllerOp.CreateTopic c)
    {
        final int partitions = c.partitions() < 0 && term != null ? term.defaultPartitions() : c.partitions();
        final int rf = c.replicationFactor() < 0 && term != null ? term.defaultReplicationFactor() : c.replicationFactor();
        // ControllerTopics refuses more than MAX_PARTITIONS_PER_OPERATION partitions before placing any
        final MetadataImage next = ControllerTopics.createTopic(image, c.name(), c.topicId(), partitions, rf, c.assignment(), c.configs(),
            defaults());
        return new Outcome(next, new ControllerResult.Ok(next.topics().get(c.name())));
    }

    private Outcome register(final ControllerOp.RegisterBroker r, final long commitIndex)
    {
        final BrokerInfo b = r.broker();
        final BrokerInfo broker = new BrokerInfo(b.id(), commitIndex, b.incarnation(), b.host(), b.port(), b.rack(), false, b.endpoints());
        return elections(ControllerBrokers.register(image, broker, commitIndex, r.cleanShutdown(), r.logSummaries(), defaults()),
            "registration of broker " + b.id() + " with epoch " + commitIndex, new ControllerResult.Ok(commitIndex));
    }

    private Outcome elections(final ControllerBrokers.Result r, final String cause, final ControllerResult result)
    {
        if (!r.elections().isEmpty() && image.controllerId() == localNodeId)
        {
            for (final Map.Entry<TopicPartition, String> e : new TreeMap<>(r.elections()).entrySet())
            {
                if (e.getValue().startsWith("unclean"))
                {
                    LOG.log(System.Logger.Level.WARNING, "UNCLEAN leader election for {0} after {1}: a replica outside the ISR " +
                        "leads; acknowledged records may be lost", e.getKey(), cause);
                }
                else
                {
                    LOG.log(System.Logger.Level.INFO, "{0} election for {1} after {2}", e.getValue(), e.getKey(), cause);
                }
            }
        }
        return new Outcome(r.image(), result);
    }

    private static MetadataImage withVersion(final MetadataImage image, final long version)
    {
        return new MetadataImage(image.clusterId(), image.controllerId(), version, image.brokers(), image.topics(),
            image.nextProducerId());
    }

    // ---------------------------------------------------------------------------------------------
    // snapshots
    // ---------------------------------------------------------------------------------------------

    @Override
    public void takeSnapshot(final long commitIndex, final Consumer<Object> snapshotChunkConsumer)
    {
        final byte[] bytes = snapshotBytes(commitIndex);
        final int chunkBytes = term == null ? DEFAULT_CHUNK_BYTES : term.snapshotChunkBytes();
        for (int offset = 0; offset < bytes.length; offset += chunkBytes)
        {
            snapshotChunkConsumer.accept(new SnapshotChunkBytes(Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + chunkBytes))));
        }
    }

    byte[] snapshotBytes(final long commitIndex)
    {
        final WireWriter w = new WireWriter(4096);
        w.i32(MAGIC).i16(VERSION).i64(commitIndex).bool(term != null);
        if (term != null)
        {
            ControllerCodec.writeOp(w, term);
        }
        w.bytes(MetadataImageCodec.encode(image));
        w.i32(sessions.size());
        for (final Map.Entry<Long, Session> e : sessions.entrySet())
        {
            final Session s = e.getValue();
            w.i64(e.getKey()).i64(s.lastUsedIndex).i64(s.ackedBelow).i32(s.results.size());
            for (final Map.Entry<Long, ControllerResult> r : s.results.entrySet())
            {
                w.i64(r.getKey());
                ControllerCodec.writeResult(w, r.getValue());
            }
        }
        return w.toByteArray();
    }

    @Override
    public void installSnapshot(final long commitIndex, final List<Object> snapshotChunks)
    {
        int total = 0;
        for (final Object chunk : snapshotChunks)
        {
            total += ((SnapshotChunkBytes)chunk).bytes().length;
        }
        final byte[] bytes = new byte[total];
        int offset = 0;
        for (final Object chunk : snapshotChunks)
        {
            final byte[] part = ((SnapshotChunkBytes)chunk).bytes();
            System.arraycopy(part, 0, bytes, offset, part.length);
            offset += part.length;
        }
        final WireReader r = new WireReader(bytes, "controller snapshot at " + commitIndex);
        ControllerCodec.decode(r, reader ->
        {
            if (reader.i32("magic") != MAGIC || reader.i16("version") != VERSION)
            {
                throw reader.error("not a controller snapshot (magic or version)");
            }
            final long index = reader.i64("commitIndex");
            if (index != commitIndex)
            {
                throw reader.error("snapshot of index " + index + " installed as " + commitIndex);
            }
            ControllerOp.NewTerm restoredTerm = null;
            if (reader.bool("hasTerm"))
            {
                if (!(ControllerCodec.readOp(reader) instanceof ControllerOp.NewTerm t))
                {
                    throw reader.error("the term record is not a NewTerm");
                }
                restoredTerm = t;
            }
            final MetadataImage restoredImage;
            try
            {
                restoredImage = MetadataImageCodec.decode(reader.bytes("image", Integer.MAX_VALUE));
            }
            catch (final IllegalArgumentException ex)
            {
                throw reader.error("bad image: " + ex.getMessage());
            }
            final TreeMap<Long, Session> restoredSessions = new TreeMap<>();
            final int n = reader.count("sessions", 28);
            for (int i = 0; i < n; i++)
            {
                final Session s = new Session();
                final long id = reader.i64("session");
                s.lastUsedIndex = reader.i64("lastUsedIndex");
                s.ackedBelow = reader.i64("ackedBelow");
                final int results = reader.count("results", 10);
                for (int k = 0; k < results; k++)
                {
                    s.results.put(reader.i64("seq"), ControllerCodec.readResult(reader));
                }
                restoredSessions.put(id, s);
            }
            term = restoredTerm;
            image = restoredImage;
            sessions.clear();
            sessions.putAll(restoredSessions);
            return null;
        });
        lastApplied = commitIndex;
        observer.applied(commitIndex, null, image, true);
    }

    /**
     * @return requests answered from the record of their first application.
     */
    long deduplicated()
    {
        return deduplicated;
    }

    /**
     * @return the number of client sessions remembered, for tests.
     */
    int sessionCount()
    {
        return sessions.size();
    }

    /**
     * @param id a session.
     * @return its remembered sequence numbers, for tests.
     */
    List<Long> rememberedSeqs(final long id)
    {
        final Session s = sessions.get(id);
        final List<Long> seqs = new ArrayList<>();
        if (s != null)
        {
            for (final Iterator<Long> it = s.results.keySet().iterator(); it.hasNext();)
            {
                seqs.add(it.next());
            }
        }
        return seqs;
    }

    /**
     * @param topic a topic name.
     * @return the topic in the current image, or null.
     */
    TopicInfo topic(final String topic)
    {
        return image.topics().get(topic);
    }
}
