package io.tidemark.replication;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.tidemark.engine.AppendResult;
import io.tidemark.engine.CorruptRecordException;
import io.tidemark.engine.FileSlice;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.Log;
import io.tidemark.engine.OffsetOutOfRangeException;
import io.tidemark.engine.StorageException;
import io.tidemark.engine.TopicPartition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;

/**
 * One partition hosted on this broker: its log and, while this broker leads it, the state of its
 * followers, the ISR, the high watermark and the acks=all produces waiting for it.
 *
 * <h2>High watermark</h2>
 * On the leader, HW = the minimum over the ISR (leader included) of each replica's log end offset, or
 * of its durable offset when the topic's flush policy is {@code batch}; it advances only while the
 * ISR has at least {@code min.insync.replicas} members (KIP-966) and never goes backwards. An
 * acks=all produce completes when the HW passes its last offset.
 *
 * <p>Thread safety: appends complete on the log's writer thread, follower updates arrive on request
 * threads; the HW, the follower states and the waiting produces are guarded by this object's lock.
 * Completions and watchers are called outside the lock.
 */
public final class Partition
{
    /** Pause after a refused or failed ISR change before proposing another. */
    static final long ALTER_RETRY_BACKOFF_MS = 500;

    /** On a follower: the leader's high watermark in its last fetch answer, -1 before one (read by metrics). */
    private volatile long lastLeaderHighWatermark = -1;

    /**
     * What the leader knows about one follower.
     */
    static final class ReplicaProgress
    {
        long logEndOffset = -1;
        long durableOffset = -1;
        long lastFetchTimeMs;
        long lastCaughtUpTimeMs;
        long brokerEpoch = -1;
    }

    private static final class WaitingProduce
    {
        final long requiredOffset;
        final long baseOffset;
        final long logAppendTimeMs;
        final long deadlineMs;
        final ProduceCompletion completion;
        boolean done;

        WaitingProduce(final long requiredOffset, final long baseOffset, final long logAppendTimeMs, final long deadlineMs,
            final ProduceCompletion completion)
        {
            this.requiredOffset = requiredOffset;
            this.baseOffset = baseOffset;
            this.logAppendTimeMs = logAppendTimeMs;
            this.deadlineMs = deadlineMs;
            this.completion = completion;
        }
    }

    private final TopicPartition topicPartition;
    private final int localBrokerId;
    private final Log log;
    private final EpochClock clock;
    private final CopyOnWriteArrayList<PartitionWatcher> watchers = new CopyOnWriteArrayList<>();
    private final Map<Integer, ReplicaProgress> followers = new HashMap<>();
    private final ArrayDeque<WaitingProduce> waiting = new ArrayDeque<>();
    private volatile PartitionState state;
    private volatile boolean leader;
    private int previousEpoch = -1;
    private long leaderEpochStartOffset;
    private boolean alterPending;
    private long alterRetryNotBeforeMs;
    private long alterSinceMs;
    private List<Integer> pendingIsr = List.of();

    Partition(final TopicPartition topicPartition, final int localBrokerId, final Log log, final EpochClock clock,
        final PartitionState state)
    {
        this.topicPartition = topicPartition;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.clock = clock;
        this.state = state;
        log.listener(l -> onLogProgress());
    }

    /**
     * @return the partition.
     */
    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    /**
     * @return its log.
     */
    public Log log()
    {
        return log;
    }

    /**
     * @return the state last applied.
     */
    public PartitionState state()
    {
        return state;
    }

    /**
     * @return true while this broker leads the partition.
     */
    public boolean isLeader()
    {
        return leader;
    }

    /**
     * @return the high watermark.
     */
    public long highWatermark()
    {
        return log.highWatermark();
    }

    /**
     * @param watcher told on progress until removed.
     */
    public void addWatcher(final PartitionWatcher watcher)
    {
        watchers.add(watcher);
    }

    /**
     * @param watcher a watcher added before.
     */
    public void removeWatcher(final PartitionWatcher watcher)
    {
        watchers.remove(watcher);
    }

    // ----------------------------------------------------------------------------------------------
    // state changes
    // ----------------------------------------------------------------------------------------------

    /**
     * Becomes leader under {@code newState}: followers start unknown (not caught up), the epoch is
     * stamped on new appends.
     */
    void makeLeader(final PartitionState newState)
    {
        final List<WaitingProduce> failed;
        synchronized (this)
        {
            failed = newState.leaderEpoch() != state.leaderEpoch() ? drainWaiting() : List.of();
            state = newState;
            leader = true;
            log.updateConfig(newState.logConfig());
            alterPending = false;
            pendingIsr = List.of();
            final long now = clock.time();
            final Map<Integer, ReplicaProgress> previous = new HashMap<>(followers);
            followers.clear();
            for (final int replica : newState.replicas())
            {
                if (replica != localBrokerId)
                {
                    final ReplicaProgress p = previous.getOrDefault(replica, new ReplicaProgress());
                    if (newState.leaderEpoch() != previousEpoch)
                    {
                        p.logEndOffset = -1;
                        p.durableOffset = -1;
                        p.lastCaughtUpTimeMs = now;
                        p.lastFetchTimeMs = now;
                    }
                    followers.put(replica, p);
                }
            }
            previousEpoch = newState.leaderEpoch();
        }
        // the new epoch starts at our log end: OffsetForLeaderEpoch for older epochs ends there
        log.assignLeaderEpoch(newState.leaderEpoch());
        synchronized (this)
        {
            leaderEpochStartOffset = log.logEndOffset();
        }
        failAll(failed, ReplicationError.NOT_LEADER_OR_FOLLOWER, "leadership moved");
        maybeIncrementHighWatermark();
        notifyWatchers();
    }

    /**
     * Stops leading (becomes follower or stops hosting): waiting produces fail.
     */
    void makeFollower(final PartitionState newState)
    {
        final List<WaitingProduce> failed;
        synchronized (this)
        {
            failed = drainWaiting();
            state = newState;
            leader = false;
            followers.clear();
            previousEpoch = newState.leaderEpoch();
            log.leaderEpoch(newState.leaderEpoch());
            log.updateConfig(newState.logConfig());
        }
        failAll(failed, ReplicationError.NOT_LEADER_OR_FOLLOWER, "this broker is no longer the leader");
        notifyWatchers();
    }

    /**
     * Applies a new ISR or configuration under the same leader epoch.
     */
    void updateState(final PartitionState newState)
    {
        synchronized (this)
        {
            if (newState.partitionEpoch() != state.partitionEpoch())
            {
                alterPending = false;
                pendingIsr = List.of();
            }
            state = newState;
            log.updateConfig(newState.logConfig());
        }
        maybeIncrementHighWatermark();
        notifyWatchers();
    }

    private List<WaitingProduce> drainWaiting()
    {
        final List<WaitingProduce> drained = new ArrayList<>(waiting);
        waiting.clear();
        return drained;
    }

    private static void failAll(final List<WaitingProduce> list, final ReplicationError error, final String message)
    {
        for (final WaitingProduce w : list)
        {
            if (!w.done)
            {
                w.done = true;
                w.completion.onComplete(error, -1, -1, -1, 0, message);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // produce
    // ----------------------------------------------------------------------------------------------

    /**
     * Appends one producer batch as leader.
     *
     * @param batch      the batch bytes (copied before this returns).
     * @param offset     where it starts.
     * @param length     its length.
     * @param acks       0, 1 or -1 (all).
     * @param timeoutMs  how long acks=all may wait for the high watermark.
     * @param flags      0, or 1 to stamp log append time.
     * @param completion called once with the outcome.
     */
    public void appendAsLeader(
        final DirectBuffer batch,
        final int offset,
        final int length,
        final short acks,
        final long timeoutMs,
        final int flags,
        final ProduceCompletion completion)
    {
        final PartitionState s = state;
        if (!leader)
        {
            completion.onComplete(ReplicationError.NOT_LEADER_OR_FOLLOWER, -1, -1, -1, 0,
                "broker " + localBrokerId + " does not lead " + topicPartition);
            return;
        }
        if (acks == -1 && s.isr().size() < s.minInsyncReplicas())
        {
            completion.onComplete(ReplicationError.NOT_ENOUGH_REPLICAS, -1, -1, log.logStartOffset(), 0,
                "ISR " + s.isr() + " has fewer than min.insync.replicas=" + s.minInsyncReplicas() + " members");
            return;
        }
        final long deadlineMs = clock.time() + timeoutMs;
        final int epoch = s.leaderEpoch();
        while (log.tryAppend(batch, offset, length, epoch, flags, r -> onAppended(r, acks, deadlineMs, completion)) ==
            Log.BACK_PRESSURED)
        {
            Thread.onSpinWait();
        }
    }

    private void onAppended(final AppendResult r, final short acks, final long deadlineMs, final ProduceCompletion completion)
    {
        if (!r.succeeded())
        {
            completion.onComplete(mapError(r), -1, -1, log.logStartOffset(), r.rejectCode(),
                r.error() != null ? r.error().getMessage() : AppendResult.statusName(r.status()));
            return;
        }
        if (acks != -1)
        {
            completion.onComplete(ReplicationError.NONE, r.baseOffset(), r.logAppendTimeMs(), log.logStartOffset(), 0, null);
            return;
        }
        final long required = r.lastOffset() + 1;
        final int outcome;
        synchronized (this)
        {
            if (!leader)
            {
                outcome = 2;
            }
            else if (log.highWatermark() >= required)
            {
                outcome = 1;
            }
            else
            {
                waiting.add(new WaitingProduce(required, r.baseOffset(), r.logAppendTimeMs(), deadlineMs, completion));
                outcome = 0;
            }
        }
        switch (outcome)
        {
            case 2 -> completion.onComplete(ReplicationError.NOT_LEADER_OR_FOLLOWER, -1, -1, -1, 0, "leadership moved");
            case 1 -> completion.onComplete(ReplicationError.NONE, r.baseOffset(), r.logAppendTimeMs(), log.logStartOffset(), 0, null);
            default -> maybeIncrementHighWatermark();
        }
    }

    static ReplicationError mapError(final AppendResult r)
    {
        return switch (r.status())
        {
            case AppendResult.INVALID_RECORD, AppendResult.OFFSET_MISMATCH -> ReplicationError.CORRUPT_MESSAGE;
            case AppendResult.RECORD_TOO_LARGE -> ReplicationError.MESSAGE_TOO_LARGE;
            case AppendResult.REJECTED -> ReplicationError.PRODUCER_REJECTED;
            case AppendResult.CLOSED -> ReplicationError.NOT_LEADER_OR_FOLLOWER;
            default -> ReplicationError.KAFKA_STORAGE_ERROR;
        };
    }

    /**
     * Fails waiting acks=all produces whose deadline passed.
     */
    void expireWaiting(final long nowMs)
    {
        final List<WaitingProduce> expired = new ArrayList<>();
        final boolean enoughReplicas;
        synchronized (this)
        {
            for (final WaitingProduce w : waiting)
            {
                if (!w.done && w.deadlineMs <= nowMs)
                {
                    w.done = true;
                    expired.add(w);
                }
            }
            waiting.removeIf(w -> w.done);
            enoughReplicas = state.isr().size() >= state.minInsyncReplicas();
        }
        for (final WaitingProduce w : expired)
        {
            if (enoughReplicas)
            {
                w.completion.onComplete(ReplicationError.REQUEST_TIMED_OUT, -1, -1, log.logStartOffset(), 0,
                    "not replicated to the ISR within the request timeout");
            }
            else
            {
                w.completion.onComplete(ReplicationError.NOT_ENOUGH_REPLICAS_AFTER_APPEND, -1, -1, log.logStartOffset(), 0,
                    "appended on the leader, but the ISR fell below min.insync.replicas=" + state.minInsyncReplicas());
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // high watermark
    // ----------------------------------------------------------------------------------------------

    private void onLogProgress()
    {
        maybeIncrementHighWatermark();
        notifyWatchers();
    }

    /**
     * Recomputes the high watermark from the ISR and completes the produces it passed.
     *
     * @return true if it advanced.
     */
    boolean maybeIncrementHighWatermark()
    {
        final List<WaitingProduce> done = new ArrayList<>();
        final boolean advanced;
        synchronized (this)
        {
            if (!leader)
            {
                return false;
            }
            final PartitionState s = state;
            if (s.isr().size() < s.minInsyncReplicas())
            {
                return false;
            }
            final boolean durable = log.config().flushPolicy().kind() == FlushPolicy.Kind.BATCH;
            long candidate = durable ? log.durableOffset() : log.logEndOffset();
            final List<Integer> members = new ArrayList<>(s.isr());
            for (final int r : pendingIsr)
            {
                if (!members.contains(r))
                {
                    members.add(r);
                }
            }
            for (final int replica : members)
            {
                if (replica == localBrokerId)
                {
                    continue;
                }
                final ReplicaProgress p = followers.get(replica);
                if (p == null)
                {
                    return false;
                }
                candidate = Math.min(candidate, durable ? p.durableOffset : p.logEndOffset);
            }
            final long current = log.highWatermark();
            advanced = candidate > current;
            if (advanced)
            {
                log.highWatermark(candidate);
            }
            final long hw = log.highWatermark();
            while (!waiting.isEmpty() && (waiting.peekFirst().done || waiting.peekFirst().requiredOffset <= hw))
            {
                final WaitingProduce w = waiting.pollFirst();
                if (!w.done)
                {
                    w.done = true;
                    done.add(w);
                }
            }
        }
        for (final WaitingProduce w : done)
        {
            w.completion.onComplete(ReplicationError.NONE, w.baseOffset, w.logAppendTimeMs, log.logStartOffset(), 0, null);
        }
        if (advanced)
        {
            notifyWatchers();
        }
        return advanced;
    }

    void notifyWatchers()
    {
        for (final PartitionWatcher w : watchers)
        {
            w.onPartitionProgress(this);
        }
    }

    /**
     * On a follower: adopts the leader's high watermark, bounded by what this replica has.
     */
    void updateFollowerHighWatermark(final long leaderHighWatermark)
    {
        if (leader)
        {
            return;
        }
        lastLeaderHighWatermark = leaderHighWatermark;
        final long before = log.highWatermark();
        log.highWatermark(Math.min(leaderHighWatermark, log.logEndOffset()));
        if (log.highWatermark() != before)
        {
            notifyWatchers();
        }
    }

    /**
     * KIP-279 on the leader: where did {@code epoch} end here?
     *
     * @param currentLeaderEpoch the epoch the asking follower believes current, or -1.
     * @param epoch              the epoch asked about.
     * @return the answer.
     */
    public EpochEndOffsets.Answer endOffsetForEpoch(final int currentLeaderEpoch, final int epoch)
    {
        final PartitionState s = state;
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch < s.leaderEpoch())
        {
            return new EpochEndOffsets.Answer(topicPartition, ReplicationError.FENCED_LEADER_EPOCH, -1, -1);
        }
        if (currentLeaderEpoch > s.leaderEpoch())
        {
            return new EpochEndOffsets.Answer(topicPartition, ReplicationError.UNKNOWN_LEADER_EPOCH, -1, -1);
        }
        if (!leader)
        {
            return new EpochEndOffsets.Answer(topicPartition, ReplicationError.NOT_LEADER_OR_FOLLOWER, -1, -1);
        }
        final io.tidemark.engine.LeaderEpochCache.EpochEndOffset end = log.epochCache().endOffsetFor(epoch, log.logEndOffset());
        return new EpochEndOffsets.Answer(topicPartition, ReplicationError.NONE, end.epoch(), end.endOffset());
    }

    // ----------------------------------------------------------------------------------------------
    // follower state on the leader (replica fetches)
    // ----------------------------------------------------------------------------------------------

    /**
     * Records what a follower reported in a fetch: it has everything below {@code logEndOffset} and
     * has synced everything below {@code durableOffset}.
     *
     * @return NONE, or why the fetch is refused.
     */
    ReplicationError updateFollowerState(
        final int replicaId, final long brokerEpoch, final long logEndOffset, final long durableOffset, final long nowMs)
    {
        synchronized (this)
        {
            if (!leader)
            {
                return ReplicationError.NOT_LEADER_OR_FOLLOWER;
            }
            final ReplicaProgress p = followers.get(replicaId);
            if (p == null)
            {
                return ReplicationError.NOT_LEADER_OR_FOLLOWER;
            }
            if (brokerEpoch >= 0 && brokerEpoch < p.brokerEpoch)
            {
                // a fetch from an older incarnation of the broker (delayed in the network): ignore it
                return ReplicationError.NOT_LEADER_OR_FOLLOWER;
            }
            p.brokerEpoch = brokerEpoch;
            p.logEndOffset = logEndOffset;
            p.durableOffset = Math.min(durableOffset, logEndOffset);
            p.lastFetchTimeMs = nowMs;
            if (logEndOffset >= log.logEndOffset())
            {
                p.lastCaughtUpTimeMs = nowMs;
            }
        }
        maybeIncrementHighWatermark();
        return ReplicationError.NONE;
    }

    /**
     * ISR shrink (leader): followers that have not caught up to the log end offset for longer than
     * {@code lagMaxMs} leave. Returns the proposed ISR and marks a change pending, or null.
     */
    synchronized List<Integer> proposeIsrShrink(final long nowMs, final long lagMaxMs)
    {
        if (!leader || alterPending || nowMs < alterRetryNotBeforeMs)
        {
            return null;
        }
        final List<Integer> isr = new ArrayList<>(state.isr());
        final boolean changed = isr.removeIf(r ->
        {
            if (r == localBrokerId)
            {
                return false;
            }
            final ReplicaProgress p = followers.get(r);
            return p == null || nowMs - p.lastCaughtUpTimeMs > lagMaxMs;
        });
        if (!changed)
        {
            return null;
        }
        alterPending = true;
        alterSinceMs = nowMs;
        return isr;
    }

    /**
     * ISR shrink (leader) of followers that reported a log end below the high watermark: they lost committed
     * records (a follower truncates below the HW only to drop a range its scrubber found corrupt) and must not
     * count as holding them, nor be elected, until they have fetched them again. Returns the proposed ISR and
     * marks a change pending, or null.
     */
    synchronized List<Integer> proposeIsrShrinkBelowHighWatermark()
    {
        if (!leader || alterPending || clock.time() < alterRetryNotBeforeMs)
        {
            return null;
        }
        final long hw = log.highWatermark();
        final List<Integer> isr = new ArrayList<>(state.isr());
        final boolean changed = isr.removeIf(r ->
        {
            final ReplicaProgress p = followers.get(r);
            return r != localBrokerId && p != null && p.logEndOffset >= 0 && p.logEndOffset < hw;
        });
        if (!changed)
        {
            return null;
        }
        alterPending = true;
        alterSinceMs = clock.time();
        return isr;
    }

    /**
     * ISR expansion (leader): a replica outside the ISR rejoins once it has caught up in the current
     * leader epoch (its log end reaches both the high watermark and the epoch's start offset) and is still
     * fetching: its last fetch is at most {@code maxFetchAgeMs} old. The last condition keeps a replica
     * that crashed or was fenced after catching up from being proposed again and again on its stale
     * progress, each proposal holding the HW back (a pending joiner counts for it) until the controller
     * refuses it; Kafka reaches the same end by not proposing fenced brokers (KIP-841).
     * Returns the proposed ISR and marks a change pending, or null.
     *
     * @param nowMs         now (the clock of the followers' fetch times).
     * @param maxFetchAgeMs how recent the replica's last fetch must be.
     */
    synchronized List<Integer> proposeIsrExpand(final long nowMs, final long maxFetchAgeMs)
    {
        if (!leader || alterPending || clock.time() < alterRetryNotBeforeMs)
        {
            return null;
        }
        final long hw = log.highWatermark();
        final List<Integer> isr = new ArrayList<>(state.isr());
        for (final int r : state.replicas())
        {
            if (r == localBrokerId || isr.contains(r))
            {
                continue;
            }
            final ReplicaProgress p = followers.get(r);
            if (p != null && p.logEndOffset >= hw && p.logEndOffset >= leaderEpochStartOffset && nowMs - p.lastFetchTimeMs <= maxFetchAgeMs)
            {
                isr.add(r);
            }
        }
        if (isr.size() == state.isr().size())
        {
            return null;
        }
        alterPending = true;
        alterSinceMs = clock.time();
        // until the controller decides, the joining replicas count for the HW (Kafka's "maximal ISR"):
        // should one of them become leader right after joining, it must hold everything committed
        pendingIsr = List.copyOf(isr);
        return isr;
    }

    /**
     * Gives up on a proposed ISR change with no decision for {@code timeoutMs} (a lost request or
     * answer): another may be proposed.
     */
    synchronized void expireAlter(final long nowMs, final long timeoutMs)
    {
        if (alterPending && nowMs - alterSinceMs > timeoutMs)
        {
            alterPending = false;
            pendingIsr = List.of();
        }
    }

    /**
     * A proposed ISR change finished (committed, refused or failed): another may be proposed.
     */
    synchronized void alterFinished()
    {
        alterPending = false;
        pendingIsr = List.of();
        // refused or failed: do not propose again on the very next fetch (a fenced follower fetches every
        // few milliseconds and the controller would refuse it every time)
        alterRetryNotBeforeMs = clock.time() + ALTER_RETRY_BACKOFF_MS;
    }

    /**
     * @return for each follower, the broker epoch seen in its fetches (-1 if none yet).
     */
    synchronized Map<Integer, Long> followerBrokerEpochs()
    {
        final Map<Integer, Long> result = new HashMap<>();
        for (final Map.Entry<Integer, ReplicaProgress> e : followers.entrySet())
        {
            result.put(e.getKey(), e.getValue().brokerEpoch);
        }
        return result;
    }

    /**
     * On a follower, Kafka's {@code FetcherLagMetrics} {@code ConsumerLag}: the leader's high watermark in its
     * last fetch answer less this replica's log end offset, never below 0. Any thread.
     *
     * @return the lag in records, or -1 when this replica leads or has had no answer yet.
     */
    public long followerLag()
    {
        final long leaderHw = lastLeaderHighWatermark;
        if (leader || leaderHw < 0)
        {
            return -1;
        }
        return Math.max(0, leaderHw - log.logEndOffset());
    }

    /**
     * @return a snapshot of follower progress: replica id to {LEO, durable, lastCaughtUpMs} (leader only;
     *         empty on a follower). Any thread; allocates, so for metrics and tests, not a hot path.
     */
    public synchronized Map<Integer, long[]> followerProgress()
    {
        final Map<Integer, long[]> result = new HashMap<>();
        for (final Map.Entry<Integer, ReplicaProgress> e : followers.entrySet())
        {
            final ReplicaProgress p = e.getValue();
            result.put(e.getKey(), new long[] { p.logEndOffset, p.durableOffset, p.lastCaughtUpTimeMs });
        }
        return result;
    }

    // ----------------------------------------------------------------------------------------------
    // fetch
    // ----------------------------------------------------------------------------------------------

    /**
     * Reads for a fetch.
     *
     * @param fetchOffset        the first offset wanted.
     * @param maxBytes           soft size bound.
     * @param isolation          consumer (below HW) or replica (to LEO).
     * @param currentLeaderEpoch the leader epoch the fetcher believes in, or -1 to skip the check.
     * @return the result; close its slice after sending.
     */
    public ReadResult read(final long fetchOffset, final int maxBytes, final FetchIsolation isolation, final int currentLeaderEpoch)
    {
        final PartitionState s = state;
        if (currentLeaderEpoch >= 0)
        {
            if (currentLeaderEpoch < s.leaderEpoch())
            {
                return ReadResult.failed(ReplicationError.FENCED_LEADER_EPOCH);
            }
            if (currentLeaderEpoch > s.leaderEpoch())
            {
                return ReadResult.failed(ReplicationError.UNKNOWN_LEADER_EPOCH);
            }
        }
        if (!leader)
        {
            return ReadResult.failed(ReplicationError.NOT_LEADER_OR_FOLLOWER);
        }
        final long hw = log.highWatermark();
        final long leo = log.logEndOffset();
        final long start = log.logStartOffset();
        final long max = isolation == FetchIsolation.HIGH_WATERMARK ? hw : leo;
        try
        {
            final FileSlice slice = log.slice(fetchOffset, max, maxBytes);
            return new ReadResult(ReplicationError.NONE, slice, hw, start, leo, s.leaderEpoch());
        }
        catch (final OffsetOutOfRangeException ex)
        {
            return new ReadResult(ReplicationError.OFFSET_OUT_OF_RANGE, null, hw, ex.logStartOffset(), ex.logEndOffset(),
                s.leaderEpoch());
        }
        catch (final CorruptRecordException ex)
        {
            // The range is known corrupt here (Log#corruptBatches) and never served. While another in-sync replica
            // holds it, leadership is moving there (ReplicaManager#onCorruptBatch): KAFKA_STORAGE_ERROR, Kafka's
            // "this replica cannot serve it from its storage", makes clients refresh metadata and retry at the new
            // leader. As the only in-sync copy nothing will repair it: CORRUPT_MESSAGE, Kafka's answer when a log
            // read meets a corrupt batch, which its consumer raises to the application.
            final ReplicationError error = s.isr().size() > 1 ? ReplicationError.KAFKA_STORAGE_ERROR : ReplicationError.CORRUPT_MESSAGE;
            return new ReadResult(error, null, hw, start, leo, s.leaderEpoch());
        }
        catch (final StorageException ex)
        {
            return new ReadResult(ReplicationError.KAFKA_STORAGE_ERROR, null, hw, start, leo, s.leaderEpoch());
        }
    }

    @Override
    public String toString()
    {
        return "Partition{" + topicPartition + ", leader=" + leader + ", state=" + state + ", " + log + '}';
    }
}
