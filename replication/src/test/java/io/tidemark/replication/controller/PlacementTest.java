package io.tidemark.replication.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.tidemark.testkit.Seeds;
import org.junit.jupiter.api.Test;

/**
 * Replica placement: the source notes' fixed rule, and Kafka's random start and shift.
 */
class PlacementTest
{
    private static final List<Integer> BROKERS = List.of(3, 1, 2);

    @Test
    void shouldPlacePartitionIOnBrokerIAndItsFollowersOnTheNextOnesWithTheFixedRule()
    {
        assertEquals(List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1), List.of(1, 2)), Placement.assign(BROKERS, 0, 4, 2, 0, 0));
        assertEquals(List.of(List.of(3, 1, 2)), Placement.assign(BROKERS, 2, 1, 3, 0, 0), "a later partition continues the rule");
    }

    @Test
    void shouldSpreadOneTopicsLeadersEvenlyAndStartAnywhereWithRandomPlacement()
    {
        final long seed = Seeds.seed("PlacementTest#random");
        final Random random = new Random(seed);
        final Set<Integer> starts = new HashSet<>();
        for (int topic = 0; topic < 200; topic++)
        {
            final List<List<Integer>> replicas = Placement.assignRandomly(BROKERS, 6, 2, random);
            final Map<Integer, Integer> leads = new HashMap<>();
            for (final List<Integer> r : replicas)
            {
                assertEquals(2, new HashSet<>(r).size(), "distinct replicas " + replicas + " (seed " + seed + ")");
                assertTrue(BROKERS.containsAll(r), replicas + " (seed " + seed + ")");
                leads.merge(r.get(0), 1, Integer::sum);
            }
            assertEquals(Map.of(1, 2, 2, 2, 3, 2), leads, "each broker leads 2 of 6: " + replicas + " (seed " + seed + ")");
            starts.add(replicas.get(0).get(0));
        }
        assertEquals(Set.of(1, 2, 3), starts, "200 topics' first partitions start on every broker (seed " + seed + ")");
    }

    @Test
    void shouldRefuseAReplicationFactorAboveTheLiveBrokers()
    {
        final ControllerException e = assertThrows(ControllerException.class, () -> Placement.assignRandomly(BROKERS, 1, 4, new Random(1)));
        assertEquals(ControllerException.Reason.INVALID_REPLICATION_FACTOR, e.reason());
    }
}
