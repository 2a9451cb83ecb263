package io.tidemark.replication;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tidemark.engine.AppendResult;
import io.tidemark.engine.LeaderEpochCache;
import io.tidemark.engine.Log;
import io.tidemark.engine.TopicPartition;
import io.tidemark.transport.LogText;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Pulls the partitions this broker follows from one leader broker.
 *
 * <pre>
 *   new leader epoch ──► TRUNCATING ──(OffsetForLeaderEpoch)──► truncate to the end of the largest
 *                                                               common epoch (KIP-101/279)
 *                         │
 *                         ▼
 *                      FETCHING ──(fetch: my LEO, my durable offset)──► append the leader's batches as
 *                                                                       they are; HW = min(leader HW, LEO)
 * </pre>
 *
 * A fetch is sent only after the appends of the previous response completed, so the offsets reported
 * are real (under the {@code batch} flush policy the durable offset reported covers them). All state
 * is touched on the scheduler's thread only.
 */
final class ReplicaFetcher
{
    private enum Phase
    {
        TRUNCATING,
        FETCHING,
        PAUSED
    }

    private static final class FetchState
    {
        final Partition partition;
        final int leaderEpoch;
        Phase phase = Phase.TRUNCATING;
        long pausedUntilMs;
        int errorStreak;

        FetchState(final Partition partition, final int leaderEpoch)
        {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private static final System.Logger LOG = System.getLogger(ReplicaFetcher.class.getName());
    /** First retry after a partition error, milliseconds; doubled per further error, capped by replica.fetch.backoff.ms. */
    static final long FIRST_RETRY_MS = 10;

    private final int leaderId;
    private final ReplicaManager owner;
    private final ReplicationLink link;
    private final Scheduler scheduler;
    private final ReplicationConfig config;
    private final Map<TopicPartition, FetchState> states = new LinkedHashMap<>();
    private boolean inFlight;
    private boolean scheduled;
    private boolean closed;
    private Scheduler.Cancellable pendingRetry;
    private boolean retryWaitsOnPausesOnly;
    private long retryGeneration;

    ReplicaFetcher(final int leaderId, final ReplicaManager owner, final ReplicationLink link, final Scheduler scheduler,
        final ReplicationConfig config)
    {
        this.leaderId = leaderId;
        this.owner = owner;
        this.link = link;
        this.scheduler = scheduler;
        this.config = config;
    }

    int leaderId()
    {
        return leaderId;
    }

    /**
     * Follows {@code partition} under {@code leaderEpoch}; starts by truncating to the common epoch end.
     */
    void add(final Partition partition, final int leaderEpoch)
    {
        scheduler.execute(() ->
        {
            states.put(partition.topicPartition(), new FetchState(partition, leaderEpoch));
            if (pendingRetry != null && retryWaitsOnPausesOnly)
            {
                // every other partition is paused: the new one need not wait for their timer
                cancelRetry();
            }
            wake();
        });
    }

    /**
     * Drops a range of this replica's log found corrupt: truncates to before it, so the next fetch gets it
     * again from the leader (which holds everything committed). Runs on the scheduler's thread, in order with
     * the fetches; nothing happens if the partition is no longer fetched from this leader.
     *
     * @param partition the partition.
     * @param firstBad  the first offset of the bad range.
     */
    void repair(final Partition partition, final long firstBad)
    {
        scheduler.execute(() ->
        {
            final FetchState s = states.get(partition.topicPartition());
            final Log log = partition.log();
            if (closed || s == null || s.partition != partition || firstBad >= log.logEndOffset())
            {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: truncating from {1} to {2}, before offsets found corrupt here, to fetch them " +
                "again from leader {3}", partition.topicPartition(), log.logEndOffset(), firstBad, leaderId);
            try
            {
                log.truncateTo(firstBad);
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.ERROR, partition.topicPartition() + ": truncation before a corrupt range failed", ex);
                return;
            }
            wake();
        });
    }

    void remove(final TopicPartition tp)
    {
        scheduler.execute(() -> states.remove(tp));
    }

    boolean isEmpty()
    {
        return states.isEmpty();
    }

    void close()
    {
        scheduler.execute(() ->
        {
            closed = true;
            states.clear();
            cancelRetry();
        });
    }

    private void wake()
    {
        if (!inFlight && !scheduled && !closed)
        {
            scheduled = true;
            scheduler.execute(this::doWork);
        }
    }

    /**
     * Runs the next round after {@code delayMs}. {@code pausesOnly}: the round waits only for paused
     * partitions, so a partition added meanwhile may start it at once (after a link error it may not: the
     * leader is unreachable for the new partition too).
     */
    private void retryLater(final long delayMs, final boolean pausesOnly)
    {
        if (closed)
        {
            return;
        }
        scheduled = true;
        retryWaitsOnPausesOnly = pausesOnly;
        final long generation = ++retryGeneration;
        pendingRetry = scheduler.schedule(delayMs, () ->
        {
            if (generation != retryGeneration)
            {
                return; // cancelled after it had been handed to the executor
            }
            pendingRetry = null;
            scheduled = false;
            wake();
        });
    }

    private void cancelRetry()
    {
        if (pendingRetry != null)
        {
            retryGeneration++;
            pendingRetry.cancel();
            pendingRetry = null;
            scheduled = false;
        }
    }

    private void doWork()
    {
        scheduled = false;
        if (closed || inFlight || states.isEmpty())
        {
            return;
        }
        final long now = scheduler.nowMs();
        final List<EpochEndOffsets.Query> queries = new ArrayList<>();
        final List<ReplicaFetchRequest.PartitionFetch> fetches = new ArrayList<>();
        long nextPause = Long.MAX_VALUE;
        for (final FetchState s : states.values())
        {
            if (s.phase == Phase.PAUSED)
            {
                if (now < s.pausedUntilMs)
                {
                    nextPause = Math.min(nextPause, s.pausedUntilMs);
                    continue;
                }
                s.phase = Phase.TRUNCATING;
            }
            final Log log = s.partition.log();
            if (s.phase == Phase.TRUNCATING)
            {
                final int latest = log.epochCache().latestEpoch();
                if (latest == LeaderEpochCache.UNDEFINED_EPOCH)
                {
                    s.phase = Phase.FETCHING;
                }
                else
                {
                    queries.add(new EpochEndOffsets.Query(s.partition.topicPartition(), s.leaderEpoch, latest));
                    continue;
                }
            }
            fetches.add(new ReplicaFetchRequest.PartitionFetch(s.partition.topicPartition(), s.leaderEpoch,
                log.logEndOffset(), log.durableOffset()));
        }
        if (!queries.isEmpty())
        {
            inFlight = true;
            link.epochEndOffsets(leaderId, queries, (answers, error) -> scheduler.execute(() -> onEpochAnswers(answers, error)));
        }
        else if (!fetches.isEmpty())
        {
            inFlight = true;
            final ReplicaFetchRequest request = new ReplicaFetchRequest(config.brokerId(), owner.brokerEpoch(),
                config.replicaFetchWaitMaxMs(), 1, config.replicaFetchMaxBytes(), fetches);
            link.fetch(leaderId, request, (response, error) -> scheduler.execute(() -> onFetchResponse(response, error)));
        }
        else if (nextPause != Long.MAX_VALUE)
        {
            retryLater(nextPause - now, true);
        }
    }

    private void onEpochAnswers(final List<EpochEndOffsets.Answer> answers, final Throwable error)
    {
        inFlight = false;
        if (closed)
        {
            return;
        }
        if (error != null)
        {
            retryLater(config.replicaFetchBackoffMs(), false);
            return;
        }
        for (final EpochEndOffsets.Answer a : answers)
        {
            final FetchState s = states.get(a.topicPartition());
            if (s == null || s.phase != Phase.TRUNCATING)
            {
                continue;
            }
            if (a.error() != ReplicationError.NONE)
            {
                pause(s);
                continue;
            }
            truncate(s, a);
        }
        wake();
    }

    /**
     * KIP-279: if the leader knows the epoch asked about, truncate to where it ended on the leader;
     * if it answers with an older epoch, truncate to the smaller of the leader's end of that epoch and
     * ours. Never to the high watermark alone.
     */
    private void truncate(final FetchState s, final EpochEndOffsets.Answer a)
    {
        final Log log = s.partition.log();
        final long leo = log.logEndOffset();
        long target;
        if (a.leaderEpoch() == LeaderEpochCache.UNDEFINED_EPOCH || a.endOffset() < 0)
        {
            // the leader has no epoch at or below ours: none of our epochs are shared
            target = log.logStartOffset();
        }
        else
        {
            target = a.endOffset();
            final int ours = log.epochCache().latestEpoch();
            if (a.leaderEpoch() < ours)
            {
                final long ourEnd = log.epochCache().endOffsetFor(a.leaderEpoch(), leo).endOffset();
                if (ourEnd >= 0)
                {
                    target = Math.min(target, ourEnd);
                }
            }
        }
        if (target < leo)
        {
            LOG.log(System.Logger.Level.INFO, "{0}: truncating from {1} to {2} (leader {3} says epoch {4} ends at {5})",
                s.partition.topicPartition(), leo, target, leaderId, a.leaderEpoch(), a.endOffset());
        }
        try
        {
            // also when nothing is cut: the log then drops an epoch that starts at its end without any batch
            // (this replica led it and lost leadership or power before appending), which the leader never had
            log.truncateTo(target);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, s.partition.topicPartition() + ": truncation failed", LogText.safe(ex));
            pause(s);
            return;
        }
        s.errorStreak = 0;
        s.phase = Phase.FETCHING;
    }

    /**
     * Pauses a partition after an error. Most errors here are transient and short: a leader that has not
     * applied the metadata naming it yet (a new topic, a new leader) answers NOT_LEADER_OR_FOLLOWER or
     * UNKNOWN_TOPIC_OR_PARTITION for a moment. The first retry comes after {@value #FIRST_RETRY_MS} ms and
     * each further one waits twice as long, up to {@code replica.fetch.backoff.ms}; a successful answer resets
     * it. (A fixed 1 s pause held a new topic's high watermark for up to a second: the paused follower is in
     * the ISR.)
     */
    private void pause(final FetchState s)
    {
        final long backoff = Math.min(config.replicaFetchBackoffMs(), FIRST_RETRY_MS << Math.min(s.errorStreak, 20));
        s.errorStreak++;
        s.phase = Phase.PAUSED;
        s.pausedUntilMs = scheduler.nowMs() + backoff;
    }

    private void onFetchResponse(final ReplicaFetchResponse response, final Throwable error)
    {
        if (closed)
        {
            inFlight = false;
            return;
        }
        if (error != null)
        {
            inFlight = false;
            retryLater(config.replicaFetchBackoffMs(), false);
            return;
        }
        final Map<FetchState, ReplicaFetchResponse.PartitionData> toAppend = new HashMap<>();
        for (final ReplicaFetchResponse.PartitionData p : response.partitions())
        {
            final FetchState s = states.get(p.topicPartition());
            if (s == null || s.phase != Phase.FETCHING)
            {
                continue;
            }
            switch (p.error())
            {
                case NONE ->
                {
                    s.errorStreak = 0;
                    toAppend.put(s, p);
                }
                case OFFSET_OUT_OF_RANGE -> onOutOfRange(s, p);
                default -> pause(s);
            }
        }
        if (toAppend.isEmpty())
        {
            inFlight = false;
            wake();
            return;
        }
        final int[] outstanding = { toAppend.size() };
        for (final Map.Entry<FetchState, ReplicaFetchResponse.PartitionData> e : toAppend.entrySet())
        {
            append(e.getKey(), e.getValue(), () ->
            {
                if (--outstanding[0] == 0)
                {
                    inFlight = false;
                    wake();
                }
            });
        }
    }

    private void onOutOfRange(final FetchState s, final ReplicaFetchResponse.PartitionData p)
    {
        final Log log = s.partition.log();
        if (log.logEndOffset() < p.logStartOffset())
        {
            // the leader deleted what we lack: start over at its log start
            log.truncateFullyAndStartAt(p.logStartOffset());
        }
        else
        {
            s.phase = Phase.TRUNCATING;
        }
    }

    private void append(final FetchState s, final ReplicaFetchResponse.PartitionData p, final Runnable done)
    {
        final Log log = s.partition.log();
        final ByteBuffer records = p.records();
        if (records == null || !records.hasRemaining())
        {
            s.partition.updateFollowerHighWatermark(p.highWatermark());
            done.run();
            return;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(records, records.position(), records.remaining());
        final int code = log.tryAppendAsReplica(buffer, 0, buffer.capacity(), r ->
        {
            final AppendResult result = r.copy();
            scheduler.execute(() ->
            {
                if (result.succeeded())
                {
                    s.partition.updateFollowerHighWatermark(p.highWatermark());
                }
                else if (result.status() == AppendResult.OFFSET_MISMATCH)
                {
                    s.phase = Phase.TRUNCATING;
                }
                else
                {
                    LOG.log(System.Logger.Level.WARNING, "{0}: replica append failed: {1}", s.partition.topicPartition(), LogText.escape(result));
                    pause(s);
                }
                done.run();
            });
        });
        if (code == Log.BACK_PRESSURED)
        {
            scheduler.schedule(1, () -> append(s, p, done));
        }
    }
}
