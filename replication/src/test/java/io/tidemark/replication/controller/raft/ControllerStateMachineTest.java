package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.ControllerProducerIds;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.TopicInfo;
import org.junit.jupiter.api.Test;

class ControllerStateMachineTest
{
    private final List<Long> changes = new ArrayList<>();

    private ControllerStateMachine machine()
    {
        return new ControllerStateMachine("c", 1, term -> new ControllerOp.NewTerm(1, term, Map.of(), 2, (short)1, 100),
            (index, op, image, changed) ->
            {
                if (changed)
                {
                    changes.add(index);
                }
            });
    }

    private static ControllerOp.RegisterBroker register(final long seq, final int id)
    {
        return new ControllerOp.RegisterBroker(new ControllerOp.RequestId(9, seq, seq), new BrokerInfo(id, 0, new UUID(0, id), "h", 1, null,
            false, Map.of()), true, Map.of());
    }

    @Test
    void shouldVersionImagesByLogIndexAndEpochBrokersByTheirRegistration()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        assertEquals(1, sm.image().controllerId());
        final ControllerResult r = (ControllerResult)sm.runOperation(2, register(1, 5));
        assertEquals(new ControllerResult.Ok(2L), r, "the broker epoch is the registration's index");
        sm.runOperation(3, new ControllerOp.FenceBroker(5, 1));
        assertEquals(2, sm.image().version(), "a fence of another epoch changes nothing");
        sm.runOperation(4, new ControllerOp.FenceBroker(5, 2));
        assertEquals(4, sm.image().version());
        assertTrue(sm.image().brokers().get(5).fenced());
        assertEquals(List.of(1L, 2L, 4L), changes);
    }

    @Test
    void shouldAnswerARetriedRequestFromItsRecordWithoutApplyingItAgain()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        sm.runOperation(2, register(1, 1));
        final ControllerOp.CreateTopic create = new ControllerOp.CreateTopic(new ControllerOp.RequestId(9, 2, 2), "t", new UUID(1, 1), 1,
            (short)1, null, Map.of());
        final ControllerResult first = (ControllerResult)sm.runOperation(3, create);
        final MetadataImage after = sm.image();
        final ControllerResult again = (ControllerResult)sm.runOperation(4, create);
        assertEquals(first, again);
        assertInstanceOf(TopicInfo.class, ((ControllerResult.Ok)again).value());
        assertSame(after, sm.image(), "not applied twice");
        assertEquals(1, sm.deduplicated());
        // a new request of the session acknowledges the old answers: they are forgotten
        sm.runOperation(5, new ControllerOp.DeleteTopic(new ControllerOp.RequestId(9, 3, 3), "t"));
        assertEquals(List.of(3L), sm.rememberedSeqs(9));
        final ControllerResult late = (ControllerResult)sm.runOperation(6, create);
        assertInstanceOf(ControllerResult.Refused.class, late, "an answered request that comes back late is not re-applied");
        assertTrue(sm.image().topics().isEmpty());
    }

    @Test
    void shouldRefuseDeterministicallyWithoutThrowing()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        final ControllerResult r = (ControllerResult)sm.runOperation(2, new ControllerOp.CreateTopic(ControllerOp.RequestId.NONE, "t",
            new UUID(1, 1), 1, (short)3, null, Map.of()));
        assertEquals(ControllerException.Reason.INVALID_REPLICATION_FACTOR, ((ControllerResult.Refused)r).reason());
        final ControllerResult huge = (ControllerResult)sm.runOperation(3, new ControllerOp.CreateTopic(ControllerOp.RequestId.NONE, "u",
            new UUID(1, 2), Integer.MAX_VALUE, (short)1, null, Map.of()));
        assertEquals(ControllerException.Reason.POLICY_VIOLATION, ((ControllerResult.Refused)huge).reason(),
            "more than 10,000 partitions in one operation: Kafka's POLICY_VIOLATION");
        assertEquals(1, sm.image().version(), "refusals change nothing");
        assertThrows(IllegalStateException.class, () -> sm.runOperation(2, sm.getNewTermOperation()), "indices only grow");
    }

    @Test
    void shouldQueryWithoutChangingAnything()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        sm.runOperation(2, register(1, 1));
        final Object answer = sm.runOperation(2, new ControllerOp.Validate(ControllerOp.RequestId.NONE, new ControllerOp.CreateTopic(
            ControllerOp.RequestId.NONE, "t", new UUID(1, 1), -1, (short)-1, null, Map.of())));
        assertEquals(2, ((TopicInfo)((ControllerResult.Ok)answer).value()).partitions().size(), "the term's num.partitions");
        assertTrue(sm.image().topics().isEmpty());
        assertEquals(2, sm.lastApplied());
    }

    @Test
    void shouldRestoreFromItsOwnChunkedSnapshotIdentically()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        long index = 1;
        for (int b = 1; b <= 3; b++)
        {
            sm.runOperation(++index, register(b, b));
        }
        for (int t = 0; t < 20; t++)
        {
            sm.runOperation(++index, new ControllerOp.CreateTopic(new ControllerOp.RequestId(11, t, 0), "topic" + t, new UUID(3, t), 3, (short)3,
                null, Map.of("retention.ms", "100" + t)));
        }
        final List<Object> chunks = new ArrayList<>();
        sm.takeSnapshot(index, chunks::add);
        assertTrue(chunks.size() > 5, "100-byte chunks: " + chunks.size());
        final ControllerStateMachine restored = machine();
        restored.installSnapshot(index, chunks);
        assertEquals(sm.image(), restored.image());
        assertEquals(sm.term(), restored.term());
        assertEquals(sm.rememberedSeqs(11), restored.rememberedSeqs(11));
        assertArrayEquals(sm.snapshotBytes(index), restored.snapshotBytes(index), "canonical: the same bytes on every voter");
        final List<Object> again = new ArrayList<>();
        restored.takeSnapshot(index, again::add);
        assertEquals(chunks, again);
        final List<Object> broken = new ArrayList<>(chunks);
        broken.remove(2);
        final long at = index;
        assertThrows(CodecException.class, () -> machine().installSnapshot(at, broken));
    }

    private static final long F = ControllerProducerIds.FIRST_PRODUCER_ID;

    private static ControllerOp.AllocateProducerIds allocate(final long seq, final int brokerId, final long brokerEpoch)
    {
        return new ControllerOp.AllocateProducerIds(new ControllerOp.RequestId(12, seq, seq), brokerId, brokerEpoch);
    }

    private static ProducerIdBlock block(final Object result)
    {
        return (ProducerIdBlock)((ControllerResult.Ok)result).value();
    }

    @Test
    void shouldAllocateProducerIdBlocksAndRefuseAStaleBrokerEpoch()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        sm.runOperation(2, register(1, 1));
        sm.runOperation(3, register(2, 2));
        assertEquals(new ProducerIdBlock(1, F, ProducerIdBlock.SIZE), block(sm.runOperation(4, allocate(1, 1, 2))));
        assertEquals(new ProducerIdBlock(2, F + 1000, ProducerIdBlock.SIZE), block(sm.runOperation(5, allocate(2, 2, 3))));
        assertEquals(5, sm.image().version(), "an allocation is versioned like any change");
        final ControllerResult stale = (ControllerResult)sm.runOperation(6, allocate(3, 1, 3));
        assertEquals(ControllerException.Reason.STALE, ((ControllerResult.Refused)stale).reason());
        assertEquals(F + 2000, sm.image().nextProducerId(), "a refusal allocates nothing");
        // a retry of an answered allocation gets the same block, not a second one
        final ControllerOp.AllocateProducerIds retried = allocate(4, 2, 3);
        final ProducerIdBlock first = block(sm.runOperation(7, retried));
        assertEquals(first, block(sm.runOperation(8, retried)));
        assertEquals(F + 3000, sm.image().nextProducerId());
    }

    @Test
    void shouldContinueAllocatingPastTheSnapshotAfterInstallingIt()
    {
        final ControllerStateMachine sm = machine();
        sm.runOperation(1, sm.getNewTermOperation());
        sm.runOperation(2, register(1, 1));
        long index = 2;
        for (int i = 0; i < 10; i++)
        {
            sm.runOperation(++index, allocate(i + 2, 1, 2));
        }
        final List<Object> chunks = new ArrayList<>();
        sm.takeSnapshot(index, chunks::add);
        final ControllerStateMachine restored = machine();
        restored.installSnapshot(index, chunks);
        assertEquals(F + 10_000, restored.image().nextProducerId());
        assertEquals(new ProducerIdBlock(1, F + 10_000, ProducerIdBlock.SIZE), block(restored.runOperation(index + 1, allocate(100, 1, 2))));
    }
}
