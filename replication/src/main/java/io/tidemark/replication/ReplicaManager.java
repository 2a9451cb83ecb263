package io.tidemark.replication;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.Log;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.TopicPartition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;

/**
 * The partitions hosted on one broker. Applies partition states decided by the controller (becoming
 * leader or follower), routes produces and fetches to the partitions, and expires acks=all produces
 * that did not commit in time.
 */
public final class ReplicaManager implements AutoCloseable
{
    private final ReplicationConfig config;
    private final LogManager logManager;
    private final EpochClock clock;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * @param config     replication settings.
     * @param logManager where the logs live.
     * @param clock      wall clock for deadlines.
     */
    public ReplicaManager(final ReplicationConfig config, final LogManager logManager, final EpochClock clock)
    {
        this.config = config;
        this.logManager = logManager;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "tidemark-replica-timer-" + config.brokerId());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::tick, config.producePurgatoryTickMs(), config.producePurgatoryTickMs(),
            TimeUnit.MILLISECONDS);
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
        if (partition == null)
        {
            final Log log = logManager.getOrCreate(tp, state.logConfig());
            partition = new Partition(tp, me, log, clock, state);
            partitions.put(tp, partition);
        }
        final PartitionState previous = partition.state();
        if (state.isLeader(me))
        {
            if (!partition.isLeader() || previous.leaderEpoch() != state.leaderEpoch())
            {
                partition.makeLeader(state);
            }
            else
            {
                partition.updateState(state);
            }
        }
        else if (partition.isLeader() || previous.leaderEpoch() != state.leaderEpoch())
        {
            partition.makeFollower(state);
        }
        else
        {
            partition.updateState(state);
        }
        return partition;
    }

    /**
     * Stops hosting a partition; optionally deletes its log.
     *
     * @param tp        the partition.
     * @param deleteLog true to delete the data (topic deleted or replica moved away).
     */
    public synchronized void stopReplica(final TopicPartition tp, final boolean deleteLog)
    {
        final Partition partition = partitions.remove(tp);
        if (partition != null)
        {
            partition.makeFollower(partition.state());
        }
        if (deleteLog)
        {
            logManager.delete(tp);
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
     * Records a follower's progress from its fetch.
     *
     * @param tp            the partition.
     * @param replicaId     the follower.
     * @param logEndOffset  its log end offset (its fetch offset).
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
        return partition.updateFollowerState(replicaId, logEndOffset, durableOffset, clock.time());
    }

    private void tick()
    {
        final long now = clock.time();
        for (final Partition p : partitions.values())
        {
            try
            {
                p.expireWaiting(now);
            }
            catch (final RuntimeException ex)
            {
                // a completion threw: it is the caller's bug, keep expiring the others
            }
        }
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
        try
        {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final Partition p : partitions.values())
        {
            p.makeFollower(p.state());
        }
        partitions.clear();
    }
}
