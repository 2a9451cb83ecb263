package io.tidemark.replication;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.testkit.Await;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLeaderTest
{
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;

    private LogManager logs;
    private ExecutorScheduler scheduler;
    private ReplicaManager replicas;

    private record Outcome(ReplicationError error, long baseOffset)
    {
    }

    private void start(final int brokerId)
    {
        logs = LogManager.open(LogManagerConfig.builder(dir).build());
        scheduler = new ExecutorScheduler("test-replica", SystemEpochClock.INSTANCE);
        replicas = new ReplicaManager(ReplicationConfig.defaults(brokerId), logs, scheduler, null, null);
    }

    @AfterEach
    void close()
    {
        if (replicas != null)
        {
            replicas.close();
        }
        if (scheduler != null)
        {
            scheduler.close();
        }
        if (logs != null)
        {
            logs.close();
        }
    }

    private static PartitionState state(final List<Integer> replicaIds, final List<Integer> isr, final int leader,
        final int epoch, final int minIsr, final FlushPolicy policy)
    {
        return new PartitionState(TP, new UUID(1, 2), replicaIds, isr, leader, epoch, 0, minIsr,
            LogConfig.builder().flushPolicy(policy).build());
    }

    private static UnsafeBuffer batch(final String... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final RecordBatchBuilder b = new RecordBatchBuilder(buffer);
        for (final String v : values)
        {
            b.append(1L, null, v.getBytes(StandardCharsets.UTF_8));
        }
        return new UnsafeBuffer(buffer, 0, b.build());
    }

    private CompletableFuture<Outcome> produce(final short acks, final long timeoutMs, final String... values)
    {
        final CompletableFuture<Outcome> f = new CompletableFuture<>();
        final UnsafeBuffer b = batch(values);
        replicas.append(TP, b, 0, b.capacity(), acks, timeoutMs, 0, (e, base, t, start, code, msg) -> f.complete(new Outcome(e, base)));
        return f;
    }

    @Test
    void shouldCommitAtOnceWithASingleReplica() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1), List.of(1), 1, 0, 1, FlushPolicy.NONE));
        assertEquals(new Outcome(ReplicationError.NONE, 0), produce((short)-1, 5000, "a", "b").get(5, TimeUnit.SECONDS));
        assertEquals(new Outcome(ReplicationError.NONE, 2), produce((short)1, 5000, "c").get(5, TimeUnit.SECONDS));
        Await.await("HW reaches the LEO", Duration.ofSeconds(5), () -> replicas.partition(TP).highWatermark() == 3);
        final ReadResult read = replicas.read(TP, 0, 1 << 20, FetchIsolation.HIGH_WATERMARK, 0);
        assertEquals(ReplicationError.NONE, read.error());
        assertEquals(3, read.slice().nextOffset());
        read.slice().close();
    }

    @Test
    void shouldRefuseAcksAllWhenTheIsrIsBelowMinInsyncReplicas() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2, 3), List.of(1), 1, 0, 2, FlushPolicy.NONE));
        assertEquals(ReplicationError.NOT_ENOUGH_REPLICAS, produce((short)-1, 5000, "a").get(5, TimeUnit.SECONDS).error());
        assertEquals(0, replicas.partition(TP).log().logEndOffset(), "nothing appended");
        assertEquals(ReplicationError.NONE, produce((short)1, 5000, "b").get(5, TimeUnit.SECONDS).error(), "acks=1 still works");
    }

    @Test
    void shouldCommitOnlyWhenTheIsrFollowersHaveTheRecords() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 2, FlushPolicy.NONE));
        final CompletableFuture<Outcome> f = produce((short)-1, 30_000, "a", "b");
        Await.await("appended", Duration.ofSeconds(5), () -> replicas.partition(TP).log().logEndOffset() == 2);
        assertFalse(f.isDone());
        assertEquals(ReplicationError.NONE, replicas.updateFollowerState(TP, 2, 2, 0));
        assertFalse(f.isDone(), "broker 3 is in the ISR and has nothing");
        assertEquals(0, replicas.partition(TP).highWatermark());
        assertEquals(ReplicationError.NONE, replicas.updateFollowerState(TP, 3, 1, 0));
        assertEquals(1, replicas.partition(TP).highWatermark(), "HW is the minimum over the ISR");
        assertFalse(f.isDone());
        replicas.updateFollowerState(TP, 3, 2, 0);
        assertEquals(new Outcome(ReplicationError.NONE, 0), f.get(5, TimeUnit.SECONDS));
        assertEquals(ReplicationError.NOT_LEADER_OR_FOLLOWER, replicas.updateFollowerState(TP, 9, 2, 2), "not a replica");
    }

    @Test
    void shouldNotAdvanceTheHighWatermarkBelowMinInsyncReplicas() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2, 3), List.of(1, 2), 1, 0, 2, FlushPolicy.NONE));
        final CompletableFuture<Outcome> f = produce((short)-1, 200, "a");
        Await.await("appended", Duration.ofSeconds(5), () -> replicas.partition(TP).log().logEndOffset() == 1);
        // the ISR shrinks to the leader alone: KIP-966, the HW must not move even though the leader has the record
        replicas.applyState(state(List.of(1, 2, 3), List.of(1), 1, 0, 2, FlushPolicy.NONE));
        assertEquals(0, replicas.partition(TP).highWatermark());
        assertEquals(ReplicationError.NOT_ENOUGH_REPLICAS_AFTER_APPEND, f.get(5, TimeUnit.SECONDS).error());
        assertEquals(0, replicas.partition(TP).highWatermark());
    }

    @Test
    void shouldProposeOnlyCaughtUpFollowersThatAreStillFetchingForTheIsr() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2, 3), List.of(1, 2), 1, 0, 1, FlushPolicy.NONE));
        final Partition partition = replicas.partition(TP);
        final long before = scheduler.nowMs();
        assertEquals(ReplicationError.NONE, replicas.updateFollowerState(TP, 3, 0, 0), "broker 3 fetched and has caught up");
        final long after = scheduler.nowMs();
        assertNull(partition.proposeIsrExpand(after + 60_000, 1_000),
            "a minute later without a fetch it may have crashed or been fenced: not proposed on its stale progress");
        assertEquals(List.of(1, 2, 3), partition.proposeIsrExpand(after, 1_000 + after - before), "while it fetches it rejoins");
    }

    @Test
    void shouldProposeDroppingAnIsrFollowerWhoseLogEndFellBelowTheHighWatermark() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 1, FlushPolicy.NONE));
        final Partition partition = replicas.partition(TP);
        assertEquals(ReplicationError.NONE, produce((short)1, 5000, "a", "b").get(5, TimeUnit.SECONDS).error());
        replicas.updateFollowerState(TP, 2, 2, 2);
        replicas.updateFollowerState(TP, 3, 2, 2);
        assertEquals(2, partition.highWatermark());
        assertNull(partition.proposeIsrShrinkBelowHighWatermark(), "every follower holds what is committed");

        // broker 3 truncated before a range its scrubber found corrupt: it no longer holds committed records
        replicas.updateFollowerState(TP, 3, 0, 0);
        assertEquals(List.of(1, 2), partition.proposeIsrShrinkBelowHighWatermark());
        assertEquals(2, partition.highWatermark(), "the HW never goes back");
    }

    @Test
    void shouldUseDurableOffsetsForTheHighWatermarkUnderTheBatchPolicy() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2), List.of(1, 2), 1, 0, 2, FlushPolicy.BATCH));
        final CompletableFuture<Outcome> f = produce((short)-1, 30_000, "a");
        Await.await("appended", Duration.ofSeconds(5), () -> replicas.partition(TP).log().durableOffset() == 1);
        replicas.updateFollowerState(TP, 2, 1, 0);
        assertFalse(f.isDone(), "the follower has it but has not synced it");
        assertEquals(0, replicas.partition(TP).highWatermark());
        replicas.updateFollowerState(TP, 2, 1, 1);
        assertEquals(ReplicationError.NONE, f.get(5, TimeUnit.SECONDS).error());
    }

    @Test
    void shouldFailWaitingProducesWhenLeadershipMoves() throws Exception
    {
        start(1);
        replicas.applyState(state(List.of(1, 2), List.of(1, 2), 1, 0, 1, FlushPolicy.NONE));
        final CompletableFuture<Outcome> f = produce((short)-1, 30_000, "a");
        Await.await("appended", Duration.ofSeconds(5), () -> replicas.partition(TP).log().logEndOffset() == 1);
        replicas.applyState(state(List.of(1, 2), List.of(1, 2), 2, 1, 1, FlushPolicy.NONE));
        assertEquals(ReplicationError.NOT_LEADER_OR_FOLLOWER, f.get(5, TimeUnit.SECONDS).error());
        assertEquals(ReplicationError.NOT_LEADER_OR_FOLLOWER, produce((short)1, 1000, "b").get(5, TimeUnit.SECONDS).error());
        assertEquals(ReplicationError.FENCED_LEADER_EPOCH, replicas.read(TP, 0, 100, FetchIsolation.HIGH_WATERMARK, 0).error());
    }
}
