package io.tidemark.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import org.junit.jupiter.api.Test;

/**
 * Which partitions the automatic leader rebalance moves back: those of a broker leading more than the
 * allowed share of its preferred partitions elsewhere, only where it is live and in the ISR.
 */
class LeaderBalanceTest
{
    /** Six partitions, preferred replicas 0,1,2,0,1,2, each with its replicas rotated from there. */
    private static MetadataImage image(final int[] leaders, final List<List<Integer>> isrs, final int fencedBroker)
    {
        final List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < leaders.length; p++)
        {
            final List<Integer> replicas = List.of(p % 3, (p + 1) % 3, (p + 2) % 3);
            partitions.add(new PartitionInfo(p, replicas, isrs.get(p), leaders[p], 1, 1, List.of(), List.of()));
        }
        final Map<Integer, BrokerInfo> brokers = new HashMap<>();
        for (int b = 0; b < 3; b++)
        {
            brokers.put(b, new BrokerInfo(b, 10 + b, UUID.randomUUID(), "127.0.0.1", 9092 + b, null, b == fencedBroker, Map.of()));
        }
        return new MetadataImage("c", 0, 5, brokers, Map.of("t", new TopicInfo("t", new UUID(1, 1), Map.of(), partitions)), 0);
    }

    private static List<List<Integer>> fullIsrs(final int n)
    {
        final List<List<Integer>> isrs = new ArrayList<>();
        for (int p = 0; p < n; p++)
        {
            isrs.add(List.of(0, 1, 2));
        }
        return isrs;
    }

    @Test
    void shouldAskNothingWhenEveryPartitionIsLedByItsPreferredReplica()
    {
        assertEquals(Map.of(), LeaderBalance.imbalanced(image(new int[] { 0, 1, 2, 0, 1, 2 }, fullIsrs(6), -1), 10));
    }

    @Test
    void shouldMoveBackThePartitionsOfABrokerAboveTheThresholdWhereItIsInTheIsr()
    {
        // broker 2 prefers partitions 2 and 5 and leads neither (100% > 10%); partition 5's ISR lacks it
        final List<List<Integer>> isrs = fullIsrs(6);
        isrs.set(5, List.of(0, 1));
        final MetadataImage image = image(new int[] { 0, 1, 0, 0, 1, 1 }, isrs, -1);
        assertEquals(Map.of("t", List.of(2)), LeaderBalance.imbalanced(image, 10));
    }

    @Test
    void shouldLeaveAnImbalanceAtOrBelowThePercentageAndSkipFencedBrokers()
    {
        // broker 2 leads one of its two preferred partitions: 50%
        final MetadataImage half = image(new int[] { 0, 1, 2, 0, 1, 1 }, fullIsrs(6), -1);
        assertEquals(Map.of(), LeaderBalance.imbalanced(half, 50), "50% is not above 50%");
        assertEquals(Map.of("t", List.of(5)), LeaderBalance.imbalanced(half, 49));
        assertEquals(Map.of(), LeaderBalance.imbalanced(image(new int[] { 0, 1, 0, 0, 1, 1 }, fullIsrs(6), 2), 10),
            "a fenced broker gets nothing back");
    }
}
