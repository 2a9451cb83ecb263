package io.tidemark.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The leader's side of replication: answers replica fetches (recording each follower's log end and
 * durable offsets first, which is what moves the high watermark) and OffsetForLeaderEpoch queries.
 * A fetch with nothing to return waits (long poll) until a partition it asks for makes progress or
 * its {@code maxWaitMs} passes.
 */
public final class LeaderFetchService
{
    private final ReplicaManager replicaManager;
    private final Scheduler scheduler;

    /**
     * @param replicaManager this broker's partitions.
     * @param scheduler      timers for long polls.
     */
    public LeaderFetchService(final ReplicaManager replicaManager, final Scheduler scheduler)
    {
        this.replicaManager = replicaManager;
        this.scheduler = scheduler;
    }

    /**
     * Handles a replica fetch. {@code respond} is called once, possibly later and on another thread;
     * the caller releases the response's slices after sending it.
     *
     * @param request the fetch.
     * @param respond receives the response.
     */
    public void handleFetch(final ReplicaFetchRequest request, final Consumer<ReplicaFetchResponse> respond)
    {
        final List<Partition> partitions = new ArrayList<>(request.partitions().size());
        boolean anyError = false;
        for (final ReplicaFetchRequest.PartitionFetch p : request.partitions())
        {
            final Partition partition = replicaManager.partition(p.topicPartition());
            partitions.add(partition);
            if (partition == null)
            {
                anyError = true;
                continue;
            }
            final int epoch = partition.state().leaderEpoch();
            if (p.currentLeaderEpoch() != epoch || !partition.isLeader())
            {
                anyError = true;
                continue;
            }
            final ReplicationError e = partition.updateFollowerState(request.replicaId(), request.brokerEpoch(),
                p.fetchOffset(), p.durableOffset(), scheduler.nowMs());
            anyError |= e != ReplicationError.NONE;
            if (e == ReplicationError.NONE)
            {
                replicaManager.maybeExpandIsr(partition);
            }
        }
        final ReplicaFetchResponse now = read(request, partitions);
        if (anyError || request.maxWaitMs() <= 0 || bytes(now) >= request.minBytes())
        {
            respond.accept(now);
            return;
        }
        now.release();
        final AtomicBoolean done = new AtomicBoolean();
        final PartitionWatcher[] watcher = new PartitionWatcher[1];
        final Scheduler.Cancellable[] timer = new Scheduler.Cancellable[1];
        final Runnable complete = () ->
        {
            if (done.compareAndSet(false, true))
            {
                for (final Partition p : partitions)
                {
                    if (p != null)
                    {
                        p.removeWatcher(watcher[0]);
                    }
                }
                if (timer[0] != null)
                {
                    timer[0].cancel();
                }
                respond.accept(read(request, partitions));
            }
        };
        watcher[0] = p -> complete.run();
        for (final Partition p : partitions)
        {
            if (p != null)
            {
                p.addWatcher(watcher[0]);
            }
        }
        timer[0] = scheduler.schedule(request.maxWaitMs(), complete);
        // progress may have happened between the first read and the registration
        final ReplicaFetchResponse again = read(request, partitions);
        final boolean ready = bytes(again) >= request.minBytes();
        again.release();
        if (ready)
        {
            complete.run();
        }
    }

    private static int bytes(final ReplicaFetchResponse response)
    {
        int total = 0;
        for (final ReplicaFetchResponse.PartitionData p : response.partitions())
        {
            total += p.recordBytes();
        }
        return total;
    }

    private ReplicaFetchResponse read(final ReplicaFetchRequest request, final List<Partition> partitions)
    {
        final List<ReplicaFetchResponse.PartitionData> data = new ArrayList<>(partitions.size());
        for (int i = 0; i < partitions.size(); i++)
        {
            final ReplicaFetchRequest.PartitionFetch p = request.partitions().get(i);
            final Partition partition = partitions.get(i);
            if (partition == null)
            {
                data.add(new ReplicaFetchResponse.PartitionData(p.topicPartition(), ReplicationError.UNKNOWN_TOPIC_OR_PARTITION,
                    -1, -1, -1, -1, null, null));
                continue;
            }
            final ReadResult r = partition.read(p.fetchOffset(), request.maxBytes(), FetchIsolation.LOG_END, p.currentLeaderEpoch());
            data.add(new ReplicaFetchResponse.PartitionData(p.topicPartition(), r.error(), r.highWatermark(), r.logStartOffset(),
                r.logEndOffset(), r.leaderEpoch(), r.slice(), null));
        }
        return new ReplicaFetchResponse(data);
    }

    /**
     * Answers OffsetForLeaderEpoch queries.
     *
     * @param queries the questions.
     * @return one answer each.
     */
    public List<EpochEndOffsets.Answer> handleEpochQueries(final List<EpochEndOffsets.Query> queries)
    {
        final List<EpochEndOffsets.Answer> answers = new ArrayList<>(queries.size());
        for (final EpochEndOffsets.Query q : queries)
        {
            final Partition partition = replicaManager.partition(q.topicPartition());
            answers.add(partition == null ?
                new EpochEndOffsets.Answer(q.topicPartition(), ReplicationError.UNKNOWN_TOPIC_OR_PARTITION, -1, -1) :
                partition.endOffsetForEpoch(q.currentLeaderEpoch(), q.leaderEpoch()));
        }
        return answers;
    }
}
