package io.tidemark.broker.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogCursor;
import io.tidemark.engine.record.RecordFlyweight;
import io.tidemark.replication.Partition;
import io.tidemark.replication.ReplicaManager;
import io.tidemark.replication.ReplicationError;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.transport.LogText;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * The group coordinator of one broker: it coordinates the groups whose {@code __consumer_offsets}
 * partition ({@code abs(groupId.hashCode()) % offsets.topic.num.partitions}, Kafka's rule) this broker
 * leads.
 *
 * <h2>Leadership</h2>
 * Every metadata image is checked (after the partitions were applied to the replica manager): when this
 * broker becomes leader of an offsets partition (or is leader under a new leader epoch) the partition is
 * loaded on the loader thread: its log is read from the start to the end, groups and committed offsets
 * rebuilt in log order (the last record of a key wins, tombstones delete). Until the load finishes
 * requests for its groups get COORDINATOR_LOAD_IN_PROGRESS. When this broker stops leading a partition,
 * its groups are dropped (waiting joins and syncs are answered NOT_COORDINATOR) and requests get
 * NOT_COORDINATOR, so clients look for the new coordinator, which loads the same partition.
 *
 * <h2>Writes</h2>
 * Offset commits and group metadata are appended to the group's partition as ordinary record batches
 * with acks=all ({@code offsets.commit.timeout.ms}): an answer of success means the high watermark
 * passed the record. The cache is changed only after that, and a record replaces what the cache holds
 * only if it is later in the log, so the cache always equals a replay of the committed log.
 *
 * <p>Threads: request handler threads call the API methods; each group is guarded by its monitor;
 * a timer thread ticks every loaded group (session and rebalance timeouts); a loader thread loads; the
 * outcomes of appends are handled on a callback thread.
 */
public final class GroupCoordinator implements AutoCloseable
{
    /** The internal topic. */
    public static final String OFFSETS_TOPIC = "__consumer_offsets";

    private static final System.Logger LOG = System.getLogger(GroupCoordinator.class.getName());
    private static final long TICK_MS = 50;
    private static final long LOAD_RETRY_MS = 20;

    private final GroupConfig config;
    private final MetadataView metadata;
    private final ReplicaManager replicas;
    private final EpochClock clock;
    private final int localBrokerId;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService loader;
    private final ExecutorService callbacks;
    private final AtomicReference<CompletableFuture<TopicInfo>> creating = new AtomicReference<>();
    private final ClassicGroup.Store store = new GroupStore();
    private volatile boolean closed;

    /**
     * The state of one offsets partition this broker leads.
     */
    static final class Shard
    {
        final int partition;
        final int leaderEpoch;
        final Map<String, ClassicGroup> groups = new ConcurrentHashMap<>();
        volatile boolean loaded;
        volatile boolean unloaded;

        Shard(final int partition, final int leaderEpoch)
        {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    /**
     * @param config        the settings.
     * @param metadata      the metadata view (topics, leaders, brokers; creates the offsets topic).
     * @param replicas      the partitions hosted here.
     * @param clock         the wall clock.
     */
    public GroupCoordinator(final GroupConfig config, final MetadataView metadata, final ReplicaManager replicas, final EpochClock clock)
    {
        this(config, metadata, replicas, clock, io.tidemark.engine.GuardedExecutors.processHandler());
    }

    /**
     * Threads: the timer's periodic tick logs a runtime exception and keeps its schedule; an {@link Error} in
     * any of the three threads goes to {@code fatalErrorHandler}.
     *
     * @param config            the settings.
     * @param metadata          the metadata view (topics, leaders, brokers; creates the offsets topic).
     * @param replicas          the partitions hosted here.
     * @param clock             the wall clock.
     * @param fatalErrorHandler gets an {@link Error} met by a group thread.
     */
    public GroupCoordinator(final GroupConfig config, final MetadataView metadata, final ReplicaManager replicas, final EpochClock clock,
        final io.tidemark.engine.FatalErrorHandler fatalErrorHandler)
    {
        this.config = config;
        this.metadata = metadata;
        this.replicas = replicas;
        this.clock = clock;
        this.localBrokerId = metadata.localBrokerId();
        this.timer = io.tidemark.engine.GuardedExecutors.singleThreadScheduled("tidemark-group-timer", fatalErrorHandler);
        this.loader = Executors.newSingleThreadExecutor(io.tidemark.engine.GuardedExecutors.threads("tidemark-group-loader", fatalErrorHandler));
        this.callbacks = Executors.newSingleThreadExecutor(io.tidemark.engine.GuardedExecutors.threads("tidemark-group-appended",
            fatalErrorHandler));
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::expireOffsetsAndGroups, config.offsetsRetentionCheckIntervalMs(),
            config.offsetsRetentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * @return the settings.
     */
    public GroupConfig config()
    {
        return config;
    }

    /**
     * @return the metadata view.
     */
    MetadataView metadata()
    {
        return metadata;
    }

    /**
     * @param groupId a group.
     * @param partitions partitions of the offsets topic.
     * @return its offsets partition: Kafka's {@code Utils.abs(groupId.hashCode()) % partitions}.
     */
    public static int partitionFor(final String groupId, final int partitions)
    {
        final int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % partitions;
    }

    /**
     * @param groupId a group.
     * @return its offsets partition under the current topic (or the configured count before it exists).
     */
    public int partitionFor(final String groupId)
    {
        final TopicInfo topic = metadata.topic(OFFSETS_TOPIC);
        return partitionFor(groupId, topic != null ? topic.partitions().size() : config.offsetsTopicPartitions());
    }

    /**
     * For metrics (the metrics thread; allocates): the committed offsets of every group this broker
     * coordinates, by group then by Kafka's topic-partition, and each group's state.
     *
     * @param sink told each group's id, state name and committed offsets (a copy).
     */
    public void forEachGroup(final GroupSink sink)
    {
        for (final Shard shard : shards.values())
        {
            for (final ClassicGroup g : shard.groups.values())
            {
                final Map<org.apache.kafka.common.TopicPartition, Long> committed = new java.util.HashMap<>();
                final String state;
                synchronized (g)
                {
                    state = g.state.name();
                    for (final Map.Entry<org.apache.kafka.common.TopicPartition, ClassicGroup.Committed> e : g.offsets.entrySet())
                    {
                        committed.put(e.getKey(), e.getValue().value().offset());
                    }
                }
                sink.group(g.groupId, state, committed);
            }
        }
    }

    /**
     * Receives groups from {@link #forEachGroup(GroupSink)}.
     */
    @FunctionalInterface
    public interface GroupSink
    {
        /**
         * @param groupId   the group.
         * @param state     its state (Kafka's names, e.g. {@code STABLE}).
         * @param committed its committed offsets.
         */
        void group(String groupId, String state, Map<org.apache.kafka.common.TopicPartition, Long> committed);
    }

    // ---------------------------------------------------------------------------------------------
    // leadership of offsets partitions
    // ---------------------------------------------------------------------------------------------

    /**
     * Called with every metadata image, after the replica manager applied it: loads partitions this
     * broker now leads and unloads those it no longer leads.
     *
     * @param image the image.
     */
    public synchronized void onMetadata(final MetadataImage image)
    {
        if (closed)
        {
            return;
        }
        final TopicInfo topic = image.topics().get(OFFSETS_TOPIC);
        for (final Shard shard : List.copyOf(shards.values()))
        {
            final PartitionInfo p = topic == null || shard.partition >= topic.partitions().size() ? null :
                topic.partitions().get(shard.partition);
            if (p == null || p.leader() != localBrokerId || p.leaderEpoch() != shard.leaderEpoch)
            {
                unload(shard);
            }
        }
        if (topic == null)
        {
            return;
        }
        for (final PartitionInfo p : topic.partitions())
        {
            if (p.leader() == localBrokerId && !shards.containsKey(p.partition()))
            {
                final Shard shard = new Shard(p.partition(), p.leaderEpoch());
                shards.put(p.partition(), shard);
                scheduleLoad(shard, 0);
            }
        }
    }

    private void unload(final Shard shard)
    {
        shards.remove(shard.partition, shard);
        shard.unloaded = true;
        for (final ClassicGroup g : shard.groups.values())
        {
            synchronized (g)
            {
                g.markDead(Errors.NOT_COORDINATOR);
            }
        }
        LOG.log(System.Logger.Level.INFO, "unloaded " + OFFSETS_TOPIC + "-" + shard.partition + " (" + shard.groups.size() + " groups)");
    }

    private void scheduleLoad(final Shard shard, final long delayMs)
    {
        final Runnable task = () ->
        {
            try
            {
                loader.execute(() -> load(shard));
            }
            catch (final RejectedExecutionException ex)
            {
                // closing
            }
        };
        if (delayMs == 0)
        {
            task.run();
        }
        else
        {
            try
            {
                timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
            }
            catch (final RejectedExecutionException ex)
            {
                // closing
            }
        }
    }

    private void load(final Shard shard)
    {
        if (shard.unloaded || closed)
        {
            return;
        }
        final Partition partition = replicas.partition(new io.tidemark.engine.TopicPartition(OFFSETS_TOPIC, shard.partition));
        if (partition == null || !partition.isLeader() || partition.state().leaderEpoch() != shard.leaderEpoch)
        {
            scheduleLoad(shard, LOAD_RETRY_MS); // the replica manager has not applied the leadership yet
            return;
        }
        final long startNs = System.nanoTime();
        int records = 0;
        final Log log = partition.log();
        try (LogCursor cursor = log.cursor())
        {
            cursor.seek(log.logStartOffset());
            while (cursor.nextRecord())
            {
                final RecordFlyweight r = cursor.record();
                final byte[] key = r.keyBytes();
                if (key == null)
                {
                    continue;
                }
                replay(shard, key, r.valueBytes(), r.offset());
                records++;
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "loading " + OFFSETS_TOPIC + "-" + shard.partition + " failed; retrying", LogText.safe(ex));
            shard.groups.clear();
            scheduleLoad(shard, 1000);
            return;
        }
        if (shard.unloaded)
        {
            return; // leadership moved while loading: the groups read are dropped with the shard
        }
        shard.loaded = true;
        LOG.log(System.Logger.Level.INFO, "loaded " + OFFSETS_TOPIC + "-" + shard.partition + " at leader epoch " + shard.leaderEpoch + ": " +
            shard.groups.size() + " groups from " + records + " records in " + (System.nanoTime() - startNs) / 1_000_000 + " ms");
    }

    private void replay(final Shard shard, final byte[] key, final byte[] value, final long logOffset)
    {
        final OffsetsRecords.Key k;
        try
        {
            k = OffsetsRecords.readKey(key);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "skipping an unknown record at offset " + logOffset + " of " + OFFSETS_TOPIC + "-" + shard.partition);
            return;
        }
        final ClassicGroup g = shard.groups.computeIfAbsent(k.group(), id -> new ClassicGroup(id, shard.partition, store));
        synchronized (g)
        {
            if (k.type() == OffsetsRecords.OFFSET_KEY)
            {
                g.applyOffset(new TopicPartition(k.topic(), k.partition()), value == null ? null : OffsetsRecords.readOffsetValue(value),
                    logOffset);
            }
            else
            {
                g.loadMetadata(value == null ? null : OffsetsRecords.readGroupValue(value), clock.time());
            }
        }
        if (k.type() == OffsetsRecords.GROUP_KEY && value == null)
        {
            shard.groups.remove(k.group());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // finding groups
    // ---------------------------------------------------------------------------------------------

    /**
     * Where a group lives, or why it cannot be served here.
     *
     * @param error NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
     * @param shard the partition state when NONE.
     */
    record Lookup(Errors error, Shard shard)
    {
    }

    /**
     * @param groupId a group.
     * @return its partition state here, or why not.
     */
    Lookup lookup(final String groupId)
    {
        if (closed)
        {
            return new Lookup(Errors.NOT_COORDINATOR, null);
        }
        final Shard shard = shards.get(partitionFor(groupId));
        if (shard == null || shard.unloaded)
        {
            return new Lookup(Errors.NOT_COORDINATOR, null);
        }
        if (!shard.loaded)
        {
            return new Lookup(Errors.COORDINATOR_LOAD_IN_PROGRESS, null);
        }
        return new Lookup(Errors.NONE, shard);
    }

    /**
     * @param shard   a loaded partition.
     * @param groupId a group.
     * @param create  create an empty group if there is none.
     * @return the group, or null.
     */
    ClassicGroup group(final Shard shard, final String groupId, final boolean create)
    {
        return create ? shard.groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, shard.partition, store)) : shard.groups.get(groupId);
    }

    /**
     * @return every loaded group here.
     */
    List<ClassicGroup> loadedGroups()
    {
        final List<ClassicGroup> all = new ArrayList<>();
        for (final Shard s : shards.values())
        {
            if (s.loaded && !s.unloaded)
            {
                all.addAll(s.groups.values());
            }
        }
        return all;
    }

    /**
     * @param shard   the group's partition.
     * @param groupId the group to forget (deleted).
     */
    void forget(final Shard shard, final String groupId)
    {
        shard.groups.remove(groupId);
    }

    /**
     * @return the time now.
     */
    long nowMs()
    {
        return clock.time();
    }

    // ---------------------------------------------------------------------------------------------
    // the offsets topic
    // ---------------------------------------------------------------------------------------------

    /**
     * @return the offsets topic, created first if it does not exist (with min(replication factor, live brokers)).
     */
    CompletableFuture<TopicInfo> offsetsTopic()
    {
        final TopicInfo existing = metadata.topic(OFFSETS_TOPIC);
        if (existing != null)
        {
            return CompletableFuture.completedFuture(existing);
        }
        final CompletableFuture<TopicInfo> mine = new CompletableFuture<>();
        final CompletableFuture<TopicInfo> running = creating.compareAndExchange(null, mine);
        if (running != null)
        {
            return running;
        }
        final short rf = (short)Math.max(1, Math.min(config.offsetsTopicReplicationFactor(), metadata.liveBrokers().size()));
        metadata.controller().createTopic(OFFSETS_TOPIC, config.offsetsTopicPartitions(), rf, null, Map.of(), false)
            .whenComplete((topic, ex) ->
            {
                creating.set(null);
                final TopicInfo now = metadata.topic(OFFSETS_TOPIC);
                if (now != null)
                {
                    mine.complete(now);
                }
                else if (ex != null)
                {
                    mine.completeExceptionally(ex);
                }
                else
                {
                    mine.complete(topic);
                }
            });
        return mine;
    }

    // ---------------------------------------------------------------------------------------------
    // writes
    // ---------------------------------------------------------------------------------------------

    /**
     * Appends records to an offsets partition with acks=all.
     *
     * @param partition the offsets partition.
     * @param records   the records.
     * @param done      called once with NONE and the base offset, or the coordinator error.
     */
    void append(final int partition, final List<SimpleRecord> records, final AppendDone done)
    {
        final MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, records.toArray(new SimpleRecord[0]));
        final ByteBuffer bytes = batch.buffer();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes, bytes.position(), bytes.remaining());
        try
        {
            // outcomes are handled on our own thread: the log writer never waits for a group's lock, while a
            // request thread holding one may wait for the writer (a full ring)
            replicas.append(new io.tidemark.engine.TopicPartition(OFFSETS_TOPIC, partition), buffer, 0, bytes.remaining(), (short)-1,
                config.commitTimeoutMs(), 0, (error, baseOffset, logAppendTimeMs, logStartOffset, rejectCode, message) ->
                    completeOnCallbackThread(done, toCoordinatorError(error), baseOffset));
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "append to " + OFFSETS_TOPIC + "-" + partition + " failed", LogText.safe(ex));
            done.done(Errors.COORDINATOR_NOT_AVAILABLE, -1);
        }
    }

    private void completeOnCallbackThread(final AppendDone done, final Errors error, final long baseOffset)
    {
        try
        {
            callbacks.execute(() -> done.done(error, baseOffset));
        }
        catch (final RejectedExecutionException ex)
        {
            done.done(Errors.NOT_COORDINATOR, -1); // closing: the client finds the coordinator again
        }
    }

    /**
     * The outcome of an append.
     */
    @FunctionalInterface
    interface AppendDone
    {
        /**
         * @param error      NONE or the error for the client.
         * @param baseOffset the first record's offset when NONE.
         */
        void done(Errors error, long baseOffset);
    }

    /**
     * Kafka's mapping of log append errors to coordinator errors.
     */
    static Errors toCoordinatorError(final ReplicationError error)
    {
        return switch (error)
        {
            case NONE -> Errors.NONE;
            case NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH -> Errors.NOT_COORDINATOR;
            case NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR -> Errors.COORDINATOR_NOT_AVAILABLE;
            case MESSAGE_TOO_LARGE, INVALID_RECORD, CORRUPT_MESSAGE -> Errors.INVALID_COMMIT_OFFSET_SIZE;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }

    private final class GroupStore implements ClassicGroup.Store
    {
        @Override
        public long nowMs()
        {
            return clock.time();
        }

        @Override
        public GroupConfig config()
        {
            return config;
        }

        @Override
        public void writeGroup(final ClassicGroup group, final Consumer<Errors> done)
        {
            final byte[] value = OffsetsRecords.groupValue(group.toValue());
            append(group.offsetsPartition, List.of(new SimpleRecord(clock.time(), OffsetsRecords.groupKey(group.groupId), value)),
                (error, base) ->
                {
                    if (error != Errors.NONE)
                    {
                        LOG.log(System.Logger.Level.WARNING, "writing group " + LogText.escape(group.groupId) + " failed: " + error);
                    }
                    done.accept(error == Errors.INVALID_COMMIT_OFFSET_SIZE ? Errors.UNKNOWN_SERVER_ERROR : error);
                });
        }
    }

    // ---------------------------------------------------------------------------------------------
    // timers and shutdown
    // ---------------------------------------------------------------------------------------------

    private void tick()
    {
        try
        {
            final long now = clock.time();
            for (final ClassicGroup g : loadedGroups())
            {
                synchronized (g)
                {
                    g.tick(now);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "group timer failed", LogText.safe(ex));
        }
    }

    /**
     * Kafka's offsets cleanup, every {@code offsets.retention.check.interval.ms} on the timer thread: expired
     * offsets of empty groups get tombstones, and an empty group left without offsets is removed with its own
     * tombstone, so that groups named once by a client (a JoinGroup whose member went away, a random group id)
     * do not stay in memory for ever (issue 12, finding 2).
     */
    void expireOffsetsAndGroups()
    {
        try
        {
            final long now = clock.time();
            for (final Shard shard : shards.values())
            {
                if (!shard.loaded || shard.unloaded)
                {
                    continue;
                }
                for (final ClassicGroup g : shard.groups.values())
                {
                    expire(shard, g, now);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "offsets retention check failed", ex);
        }
    }

    private void expire(final Shard shard, final ClassicGroup g, final long now)
    {
        final List<SimpleRecord> tombstones = new ArrayList<>();
        final boolean dead;
        synchronized (g)
        {
            for (final TopicPartition tp : g.expire(now, config.offsetsRetentionMs()))
            {
                tombstones.add(new SimpleRecord(now, OffsetsRecords.offsetKey(g.groupId, tp.topic(), tp.partition()), null));
            }
            dead = g.state == GroupState.DEAD;
            if (dead)
            {
                tombstones.add(new SimpleRecord(now, OffsetsRecords.groupKey(g.groupId), null));
            }
        }
        if (tombstones.isEmpty())
        {
            return;
        }
        append(g.offsetsPartition, tombstones, (error, base) ->
        {
            if (!dead)
            {
                return;
            }
            synchronized (g)
            {
                if (error == Errors.NONE)
                {
                    forget(shard, g.groupId);
                }
                else
                {
                    g.state = GroupState.EMPTY; // kept: the next check tries again
                }
            }
        });
    }

    /**
     * Stops the timers; groups waiting in a join or sync are told NOT_COORDINATOR.
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
        for (final Shard s : List.copyOf(shards.values()))
        {
            unload(s);
        }
        timer.shutdownNow();
        loader.shutdownNow();
        callbacks.shutdown(); // outcomes already queued are still delivered
        try
        {
            timer.awaitTermination(10, TimeUnit.SECONDS);
            loader.awaitTermination(10, TimeUnit.SECONDS);
            callbacks.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
