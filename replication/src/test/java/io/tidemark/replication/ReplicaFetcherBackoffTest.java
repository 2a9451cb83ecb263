package io.tidemark.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.function.BiConsumer;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.engine.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower whose leader has not applied the metadata naming it yet (a new topic) gets
 * NOT_LEADER_OR_FOLLOWER for a moment: it retries after 10 ms, then twice as long each time, up to
 * {@code replica.fetch.backoff.ms}, not after a fixed second (which held a new topic's high watermark, the
 * paused follower being in the ISR). Driven on a manual scheduler: the delays are the ones asked for, not
 * measured.
 */
class ReplicaFetcherBackoffTest
{
    private static final TopicPartition TP = new TopicPartition("fresh", 0);
    private static final Long FIRST_RETRY = ReplicaFetcher.FIRST_RETRY_MS;

    @TempDir
    Path dir;

    private LogManager logs;
    private ReplicaManager replicas;

    /** Runs executed tasks in order; records scheduled ones with their delays and runs them on demand. */
    private static final class ManualScheduler implements Scheduler
    {
        final Queue<Runnable> ready = new ArrayDeque<>();
        final List<Long> delays = new ArrayList<>();
        final List<Runnable> timed = new ArrayList<>();
        final List<Long> due = new ArrayList<>();
        long now = 1_000_000;

        @Override
        public long nowMs()
        {
            return now;
        }

        @Override
        public Cancellable schedule(final long delayMs, final Runnable task)
        {
            delays.add(delayMs);
            timed.add(task);
            due.add(now + delayMs);
            return () ->
            {
                final int i = timed.indexOf(task);
                if (i >= 0)
                {
                    timed.remove(i);
                    due.remove(i);
                }
            };
        }

        /** Moves the clock to the last scheduled task's time and runs it. */
        void runLastTimed()
        {
            final int i = timed.size() - 1;
            final Runnable task = timed.remove(i);
            now = Math.max(now, due.remove(i));
            task.run();
        }

        @Override
        public void execute(final Runnable task)
        {
            ready.add(task);
        }

        void runReady()
        {
            Runnable r;
            while ((r = ready.poll()) != null)
            {
                r.run();
            }
        }
    }

    /** A leader that answers NOT_LEADER_OR_FOLLOWER for the partition, to fetches and epoch queries (it has not applied the topic yet). */
    private static final class NotYetLeader implements ReplicationLink
    {
        int queries;
        final List<List<TopicPartition>> asked = new ArrayList<>();

        @Override
        public void fetch(final int leaderId, final ReplicaFetchRequest request, final BiConsumer<ReplicaFetchResponse, Throwable> callback)
        {
            queries++;
            asked.add(request.partitions().stream().map(ReplicaFetchRequest.PartitionFetch::topicPartition).toList());
            final List<ReplicaFetchResponse.PartitionData> data = new ArrayList<>();
            for (final ReplicaFetchRequest.PartitionFetch p : request.partitions())
            {
                data.add(new ReplicaFetchResponse.PartitionData(p.topicPartition(), ReplicationError.NOT_LEADER_OR_FOLLOWER, -1, -1, -1, -1,
                    null, null));
            }
            callback.accept(new ReplicaFetchResponse(data), null);
        }

        @Override
        public void epochEndOffsets(final int leaderId, final List<EpochEndOffsets.Query> queries,
            final BiConsumer<List<EpochEndOffsets.Answer>, Throwable> callback)
        {
            this.queries++;
            asked.add(queries.stream().map(EpochEndOffsets.Query::topicPartition).toList());
            final List<EpochEndOffsets.Answer> answers = new ArrayList<>();
            for (final EpochEndOffsets.Query q : queries)
            {
                answers.add(new EpochEndOffsets.Answer(q.topicPartition(), ReplicationError.NOT_LEADER_OR_FOLLOWER, -1, -1));
            }
            callback.accept(answers, null);
        }
    }

    @AfterEach
    void close()
    {
        if (replicas != null)
        {
            replicas.close();
        }
        if (logs != null)
        {
            logs.close();
        }
    }

    private final ManualScheduler scheduler = new ManualScheduler();
    private final NotYetLeader leader = new NotYetLeader();
    private final ReplicationConfig config = ReplicationConfig.defaults(1);

    /**
     * Broker 1 starts following {@link #TP} under leader 2, which is not ready yet.
     *
     * @return the timers scheduled before (the manager's own periodic tick).
     */
    private int startFollowing()
    {
        logs = LogManager.open(LogManagerConfig.builder(dir).build());
        replicas = new ReplicaManager(config, logs, scheduler, leader, null);
        final int ticks = scheduler.delays.size();
        follow(TP);
        return ticks;
    }

    private void follow(final TopicPartition tp)
    {
        replicas.applyState(new PartitionState(tp, new UUID(1, 2), List.of(2, 1), List.of(2, 1), 2, 0, 0, 1,
            LogConfig.builder().flushPolicy(FlushPolicy.NONE).build()));
        scheduler.runReady();
    }

    @Test
    void shouldRetryALeaderThatIsNotReadyYetSoonThenBackOffExponentiallyUpToTheConfiguredPause()
    {
        final int ticks = startFollowing();
        assertEquals(1, leader.queries, "the follower asked the new leader");

        final List<Long> retries = new ArrayList<>();
        for (int attempt = 0; attempt < 9; attempt++)
        {
            final int before = scheduler.delays.size();
            assertTrue(before > ticks, "a retry was scheduled");
            final long delay = scheduler.delays.get(before - 1);
            retries.add(delay);
            scheduler.runLastTimed();
            scheduler.runReady();
            assertEquals(attempt + 2, leader.queries, "asked again after the pause");
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, config.replicaFetchBackoffMs(), config.replicaFetchBackoffMs()), retries,
            "10 ms, doubling, capped by replica.fetch.backoff.ms (" + config.replicaFetchBackoffMs() + ")");
    }

    @Test
    void shouldAskForAPartitionAddedWhileTheOthersArePausedAtOnceNotWhenTheirPauseEnds()
    {
        final int ticks = startFollowing();
        for (int attempt = 0; attempt < 6; attempt++)
        {
            scheduler.runLastTimed();
            scheduler.runReady();
        }
        assertEquals(ticks + 1, scheduler.timed.size(), "one retry timer is pending besides the manager's tick");
        final long pauseBefore = scheduler.delays.get(scheduler.delays.size() - 1);
        assertTrue(pauseBefore >= 320, "the first partition is paused for a while: " + pauseBefore + " ms");

        final TopicPartition added = new TopicPartition("fresh", 1);
        final int asksBefore = leader.asked.size();
        follow(added);

        assertEquals(asksBefore + 1, leader.asked.size(), "the added partition was asked for without waiting for a timer");
        assertEquals(List.of(added), leader.asked.get(asksBefore), "only the added partition: the paused one keeps its pause");
        assertEquals(ticks + 1, scheduler.timed.size(), "the cancelled retry left no second timer behind");
        assertEquals(FIRST_RETRY, scheduler.delays.get(scheduler.delays.size() - 1), "the next round waits for the added partition's first retry");
    }
}
