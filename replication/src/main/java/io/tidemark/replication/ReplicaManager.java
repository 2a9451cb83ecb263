package io.tidemark.replication;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.tidemark.engine.CorruptBatch;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.TopicPartition;
import io.tidemark.transport.LogText;
import org.agrona.DirectBuffer;

/**
 * The partitions hosted on one broker. Applies partition states decided by the controller (becoming
 * leader or follower), routes produces and fetches to the partitions, runs one {@link ReplicaFetcher}
 * per leader broker it follows, shrinks and expands the ISR of the partitions it leads through the
 * controller, and expires acks=all produces that did not commit in time.
 */
public final class ReplicaManager implements AutoCloseable
{
    /**
     * Sends ISR changes to the controller (AlterPartition).
     */
    @FunctionalInterface
    public interface IsrChanger
    {
        /**
         * @param state        the partition's state the change is based on.
         * @param newIsr       the proposed ISR.
         * @param brokerEpochs broker epochs of the members as seen in their fetches.
         * @return completes when the controller decided.
         */
        CompletableFuture<?> alterIsr(PartitionState state, List<Integer> newIsr, Map<Integer, Long> brokerEpochs);
    }

    private static final System.Logger LOG = System.getLogger(ReplicaManager.class.getName());

    private final ReplicationConfig config;
    private final LogManager logManager;
    private final Scheduler scheduler;
    private final ReplicationLink link;
    private final IsrChanger isrChanger;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    private final ReplicationStats stats = new ReplicationStats();
    private volatile long brokerEpoch = -1;
    private volatile java.util.concurrent.Executor logRemover = Runnable::run;
    private volatile boolean closed;
    private long lastIsrCheckMs;
    private Scheduler.Cancellable tick;

    /**
     * @param config     replication settings.
     * @param logManager where the logs live.
     * @param scheduler  time and timers.
     * @param link       the replication RPCs to leaders, or null for a single-node broker.
     * @param isrChanger sends ISR changes, or null for a single-node broker.
     */
    public ReplicaManager(
        final ReplicationConfig config,
        final LogManager logManager,
        final Scheduler scheduler,
        final ReplicationLink link,
        final IsrChanger isrChanger)
    {
        this.config = config;
        this.logManager = logManager;
        this.scheduler = scheduler;
        this.link = link;
        this.isrChanger = isrChanger;
        this.lastIsrCheckMs = scheduler.nowMs();
        scheduleTick();
    }

    private void scheduleTick()
    {
        tick = scheduler.schedule(config.producePurgatoryTickMs(), () ->
        {
            if (!closed)
            {
                tick();
                scheduleTick();
            }
        });
    }

    /**
     * @return the counters of this broker's replication (ISR shrinks and expands), for the broker's metrics.
     */
    public ReplicationStats stats()
    {
        return stats;
    }

    /**
     * @return this broker's id.
     */
    public int brokerId()
    {
        return config.brokerId();
    }

    /**
     * @return the settings.
     */
    public ReplicationConfig config()
    {
        return config;
    }

    /**
     * @return the scheduler the replication components run on.
     */
    public Scheduler scheduler()
    {
        return scheduler;
    }

    /**
     * @return the broker epoch this broker registered with (sent in replica fetches), -1 before.
     */
    public long brokerEpoch()
    {
        return brokerEpoch;
    }

    /**
     * @param epoch the broker epoch from registration.
     */
    public void brokerEpoch(final long epoch)
    {
        brokerEpoch = epoch;
    }

    /**
     * @param tp a partition.
     * @return it, or null if not hosted here.
     */
    public Partition partition(final TopicPartition tp)
    {
        return partitions.get(tp);
    }

    /**
     * @return the partitions hosted here.
     */
    public Collection<Partition> partitions()
    {
        return List.copyOf(partitions.values());
    }

    /**
     * Applies the controller's decision for a partition: host it (creating its log), lead it or follow.
     * A state that does not list this broker as a replica stops hosting it (the log is kept).
     *
     * @param state the decided state.
     * @return the partition, or null if it is not hosted here.
     */
    public synchronized Partition applyState(final PartitionState state)
    {
        final TopicPartition tp = state.topicPartition();
        final int me = config.brokerId();
        if (!state.isReplica(me))
        {
            stopReplica(tp, false);
            return null;
        }
        Partition partition = partitions.get(tp);
        final boolean created = partition == null;
        if (created)
        {
            final Log log = logManager.getOrCreate(tp, state.logConfig());
            partition = new Partition(tp, me, log, scheduler::nowMs, state);
            partitions.put(tp, partition);
        }
        final PartitionState previous = partition.state();
        final boolean epochChanged = created || previous.leaderEpoch() != state.leaderEpoch();
        if (state.isLeader(me))
        {
            stopFetching(tp);
            if (!created && partition.isLeader())
            {
                // led before and after: whether its own AlterPartition or the controller (a fenced broker) changed it
                stats.isrChanged(previous.isr().size(), state.isr().size());
            }
            if (!partition.isLeader() || epochChanged)
            {
                partition.makeLeader(state);
            }
            else
            {
                partition.updateState(state);
            }
        }
        else if (partition.isLeader() || epochChanged)
        {
            partition.makeFollower(state);
            stopFetching(tp);
            if (state.leader() >= 0 && link != null)
            {
                fetcherFor(state.leader()).add(partition, state.leaderEpoch());
            }
        }
        if (!partition.log().corruptBatches().isEmpty() && (epochChanged || partition.isLeader()))
        {
            scheduler.execute(() -> repair(tp));
        }
        else
        {
            partition.updateState(state);
        }
        return partition;
    }

    private ReplicaFetcher fetcherFor(final int leaderId)
    {
        return fetchers.computeIfAbsent(leaderId, id -> new ReplicaFetcher(id, this, link, scheduler, config));
    }

    private void stopFetching(final TopicPartition tp)
    {
        for (final ReplicaFetcher f : fetchers.values())
        {
            f.remove(tp);
        }
    }

    /**
     * @param remover where the files of deleted logs are removed (default: at once, on the calling thread).
     *                A broker gives a background executor, so applying metadata never waits for a large log's
     *                files to go.
     */
    public void logRemover(final java.util.concurrent.Executor remover)
    {
        logRemover = java.util.Objects.requireNonNull(remover, "remover");
    }

    /**
     * Stops hosting a partition; optionally deletes its log.
     *
     * @param tp        the partition.
     * @param deleteLog true to delete the data (topic deleted or replica moved away).
     */
    public synchronized void stopReplica(final TopicPartition tp, final boolean deleteLog)
    {
        stopFetching(tp);
        final Partition partition = partitions.remove(tp);
        if (partition != null)
        {
            partition.makeFollower(partition.state());
        }
        if (deleteLog)
        {
            logManager.delete(tp, logRemover);
        }
    }

    /**
     * Appends one producer batch to a partition this broker leads.
     *
     * @param tp         the partition.
     * @param batch      the batch.
     * @param offset     where it starts.
     * @param length     its length.
     * @param acks       0, 1 or -1.
     * @param timeoutMs  acks=all wait bound.
     * @param flags      0, or 1 to stamp log append time.
     * @param completion called once.
     */
    public void append(
        final TopicPartition tp,
        final DirectBuffer batch,
        final int offset,
        final int length,
        final short acks,
        final long timeoutMs,
        final int flags,
        final ProduceCompletion completion)
    {
        final Partition partition = partitions.get(tp);
        if (partition == null)
        {
            completion.onComplete(ReplicationError.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, -1, 0, tp + " is not hosted here");
            return;
        }
        partition.appendAsLeader(batch, offset, length, acks, timeoutMs, flags, completion);
    }

    /**
     * Reads a partition for a consumer or replica fetch.
     *
     * @param tp                 the partition.
     * @param fetchOffset        first offset wanted.
     * @param maxBytes           soft size bound.
     * @param isolation          consumer or replica bound.
     * @param currentLeaderEpoch the fetcher's leader epoch, or -1.
     * @return the result.
     */
    public ReadResult read(
        final TopicPartition tp, final long fetchOffset, final int maxBytes, final FetchIsolation isolation,
        final int currentLeaderEpoch)
    {
        final Partition partition = partitions.get(tp);
        if (partition == null)
        {
            return ReadResult.failed(ReplicationError.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return partition.read(fetchOffset, maxBytes, isolation, currentLeaderEpoch);
    }

    /**
     * Records a follower's progress (tests and tools; replica fetches go through {@link LeaderFetchService}).
     *
     * @param tp            the partition.
     * @param replicaId     the follower.
     * @param logEndOffset  its log end offset.
     * @param durableOffset its durable offset.
     * @return NONE or why not.
     */
    public ReplicationError updateFollowerState(
        final TopicPartition tp, final int replicaId, final long logEndOffset, final long durableOffset)
    {
        final Partition partition = partitions.get(tp);
        if (partition == null)
        {
            return ReplicationError.UNKNOWN_TOPIC_OR_PARTITION;
        }
        final ReplicationError e = partition.updateFollowerState(replicaId, -1, logEndOffset, durableOffset, scheduler.nowMs());
        maybeExpandIsr(partition);
        return e;
    }

    /**
     * After a follower's fetch: propose adding caught-up replicas to the ISR.
     */
    void maybeExpandIsr(final Partition partition)
    {
        if (isrChanger == null)
        {
            return;
        }
        final List<Integer> shrunk = partition.proposeIsrShrinkBelowHighWatermark();
        if (shrunk != null)
        {
            sendIsrChange(partition, shrunk);
            return;
        }
        // a live follower fetches again within replica.fetch.wait.max.ms of its last answer
        final long maxFetchAgeMs = Math.max(config.replicaLagTimeMaxMs() / 2, 2L * config.replicaFetchWaitMaxMs());
        final List<Integer> expanded = partition.proposeIsrExpand(scheduler.nowMs(), maxFetchAgeMs);
        if (expanded != null)
        {
            sendIsrChange(partition, expanded);
        }
    }

    private void sendIsrChange(final Partition partition, final List<Integer> newIsr)
    {
        final PartitionState state = partition.state();
        LOG.log(System.Logger.Level.INFO, "{0}: proposing ISR {1} (was {2}, partition epoch {3})",
            partition.topicPartition(), newIsr, state.isr(), state.partitionEpoch());
        try
        {
            // On success the change stays pending until the new partition state reaches this broker
            // (its partition epoch changes): until then the joining replicas keep counting for the HW.
            isrChanger.alterIsr(state, newIsr, partition.followerBrokerEpochs())
                .whenComplete((r, ex) ->
                {
                    if (ex != null)
                    {
                        partition.alterFinished();
                    }
                });
        }
        catch (final RuntimeException ex)
        {
            partition.alterFinished();
        }
    }

    /**
     * A batch of a hosted log was found corrupt (its offsets are already refused): repairs the range from an
     * in-sync replica. A leader asks the controller to elect another member of the ISR (AlterPartition
     * without itself) and, once a follower, truncates and fetches the range again; a follower truncates to
     * before the range and fetches it from its leader, which holds everything committed. Nothing is truncated
     * while no other in-sync replica holds the data: the only copy stays, refused.
     *
     * <p>Thread: any (the scrubber's); the repair runs on the replication scheduler.
     *
     * @param batch the finding.
     */
    public void onCorruptBatch(final CorruptBatch batch)
    {
        scheduler.execute(() -> repair(batch.topicPartition()));
    }

    private synchronized void repair(final TopicPartition tp)
    {
        final Partition partition = partitions.get(tp);
        if (closed || partition == null)
        {
            return;
        }
        final List<CorruptBatch> bad = partition.log().corruptBatches();
        if (bad.isEmpty())
        {
            return;
        }
        final PartitionState state = partition.state();
        final int me = config.brokerId();
        if (partition.isLeader())
        {
            final List<Integer> others = new ArrayList<>(state.isr());
            others.remove(Integer.valueOf(me));
            if (others.isEmpty() || isrChanger == null)
            {
                LOG.log(System.Logger.Level.WARNING, "{0}: offsets {1}..{2} are corrupt here and no other in-sync replica holds " +
                    "them: they stay refused, not truncated", tp, bad.get(0).firstOffset(), bad.get(0).lastOffset());
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: offsets {1}..{2} are corrupt here: asking the controller to move leadership " +
                "to one of the in-sync replicas {3}", tp, bad.get(0).firstOffset(), bad.get(0).lastOffset(), others);
            try
            {
                isrChanger.alterIsr(state, others, partition.followerBrokerEpochs()).whenComplete((r, ex) ->
                {
                    if (ex != null)
                    {
                        // refused (a concurrent ISR change made the request stale) or lost: try again
                        scheduler.schedule(Partition.ALTER_RETRY_BACKOFF_MS, () -> repair(tp));
                    }
                });
            }
            catch (final RuntimeException ex)
            {
                scheduler.schedule(Partition.ALTER_RETRY_BACKOFF_MS, () -> repair(tp));
            }
        }
        else if (state.leader() >= 0 && state.leader() != me && link != null)
        {
            fetcherFor(state.leader()).repair(partition, bad.get(0).firstOffset());
        }
    }

    private void tick()
    {
        final long now = scheduler.nowMs();
        final boolean checkIsr = isrChanger != null && now - lastIsrCheckMs >= config.replicaLagTimeMaxMs() / 2;
        if (checkIsr)
        {
            lastIsrCheckMs = now;
        }
        for (final Partition p : partitions.values())
        {
            try
            {
                p.expireWaiting(now);
                if (checkIsr)
                {
                    p.expireAlter(now, 2 * config.replicaLagTimeMaxMs());
                    final List<Integer> shrunk = p.proposeIsrShrink(now, config.replicaLagTimeMaxMs());
                    if (shrunk != null)
                    {
                        sendIsrChange(p, shrunk);
                    }
                    else
                    {
                        maybeExpandIsr(p);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "replica tick failed for " + p.topicPartition(), LogText.safe(ex));
            }
        }
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        if (tick != null)
        {
            tick.cancel();
        }
        for (final ReplicaFetcher f : fetchers.values())
        {
            f.close();
        }
        fetchers.clear();
        for (final Partition p : partitions.values())
        {
            p.makeFollower(p.state());
        }
        partitions.clear();
    }
}
