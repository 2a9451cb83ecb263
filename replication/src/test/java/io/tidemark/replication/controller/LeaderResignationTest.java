package io.tidemark.replication.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * A leader that found part of its log corrupt steps down with an AlterPartition whose ISR is the current
 * one without itself (issue 12, finding 8): another live member of the ISR leads in a new epoch.
 */
class LeaderResignationTest
{
    private static MetadataImage image(final boolean broker1Fenced, final boolean broker2Fenced)
    {
        final Map<Integer, BrokerInfo> brokers = new HashMap<>();
        for (int id = 0; id < 3; id++)
        {
            final boolean fenced = id == 1 && broker1Fenced || id == 2 && broker2Fenced;
            brokers.put(id, new BrokerInfo(id, 10 + id, new UUID(0, id), "127.0.0.1", 9000 + id, null, fenced, Map.of()));
        }
        final PartitionInfo p = new PartitionInfo(0, List.of(0, 1, 2), List.of(0, 1, 2), 0, 4, 7, List.of(), List.of());
        final TopicInfo t = new TopicInfo("t", new UUID(1, 1), Map.of(), List.of(p));
        return new MetadataImage("c", 0, 1, brokers, Map.of("t", t), 0);
    }

    private static PartitionInfo resign(final MetadataImage image, final List<Integer> newIsr)
    {
        return ControllerBrokers.alterPartition(image, "t", 0, 0, 4, 7, newIsr, Map.of(), Map.of())
            .topics().get("t").partitions().get(0);
    }

    @Test
    void shouldElectTheFirstLiveRemainingIsrMemberWhenTheLeaderLeavesTheIsr()
    {
        final PartitionInfo after = resign(image(false, false), List.of(1, 2));
        assertEquals(1, after.leader());
        assertEquals(5, after.leaderEpoch(), "a new leader epoch");
        assertEquals(8, after.partitionEpoch());
        assertEquals(List.of(1, 2), after.isr());
        assertEquals(List.of(), after.elr(), "the corrupt replica is not made eligible");
    }

    @Test
    void shouldSkipAFencedMemberWhenElectingTheSuccessor()
    {
        assertEquals(2, resign(image(true, false), List.of(1, 2)).leader());
    }

    @Test
    void shouldRefuseTheStepDownWhenNoRemainingMemberIsLive()
    {
        final ControllerException ex = assertThrows(ControllerException.class, () -> resign(image(true, true), List.of(1, 2)));
        assertEquals(ControllerException.Reason.STALE, ex.reason());
    }

    @Test
    void shouldStillRefuseAnIsrWithoutTheLeaderThatIsNotTheCurrentOneMinusIt()
    {
        assertThrows(ControllerException.class, () -> resign(image(false, false), List.of(1)), "two members dropped at once");
    }
}
