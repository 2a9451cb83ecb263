package io.tidemark.replication.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Replica placement (DESIGN §6): brokers sorted by id; partition {@code i}'s first replica on broker
 * {@code (i + start) mod n} and its replica {@code j} (j ≥ 1) on {@code (i + j + shift) mod n}. With
 * start = shift = 0 this is the rule of the source notes ({@code i mod n}, {@code (i + j) mod n}),
 * which spreads leaders and replicas evenly; Kafka picks start and shift at random.
 */
public final class Placement
{
    private Placement()
    {
    }

    /**
     * @param brokerIds         live brokers, any order.
     * @param firstPartition    number of the first partition to place (existing partitions keep theirs).
     * @param count             partitions to place.
     * @param replicationFactor replicas per partition.
     * @param start             offset of the first replica.
     * @param shift             offset of the following replicas.
     * @return per partition, its replicas (preferred leader first).
     * @throws ControllerException if the replication factor exceeds the live brokers.
     */
    public static List<List<Integer>> assign(
        final List<Integer> brokerIds,
        final int firstPartition,
        final int count,
        final int replicationFactor,
        final int start,
        final int shift)
    {
        final List<Integer> sorted = new ArrayList<>(brokerIds);
        sorted.sort(Integer::compare);
        final int n = sorted.size();
        if (replicationFactor < 1)
        {
            throw new ControllerException(ControllerException.Reason.INVALID_REPLICATION_FACTOR,
                "replication factor must be at least 1, got " + replicationFactor);
        }
        if (replicationFactor > n)
        {
            throw new ControllerException(ControllerException.Reason.INVALID_REPLICATION_FACTOR,
                "replication factor " + replicationFactor + " is larger than the " + n + " live brokers");
        }
        final List<List<Integer>> result = new ArrayList<>(count);
        for (int k = 0; k < count; k++)
        {
            final int i = firstPartition + k;
            final List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(sorted.get(Math.floorMod(i + start, n)));
            for (int j = 1; j < replicationFactor; j++)
            {
                int candidate = Math.floorMod(i + j + shift, n);
                while (replicas.contains(sorted.get(candidate)))
                {
                    candidate = (candidate + 1) % n;
                }
                replicas.add(sorted.get(candidate));
            }
            result.add(replicas);
        }
        return result;
    }

    /**
     * Kafka's placement for a new topic: the start and the followers' shift picked at random, so the
     * first partitions of many topics do not all lead on the lowest broker id.
     *
     * @param brokerIds         live brokers, any order.
     * @param count             partitions to place.
     * @param replicationFactor replicas per partition.
     * @param random            the source of the start and the shift.
     * @return per partition, its replicas (preferred leader first).
     * @throws ControllerException if the replication factor is not in 1 .. live brokers.
     */
    public static List<List<Integer>> assignRandomly(
        final List<Integer> brokerIds,
        final int count,
        final int replicationFactor,
        final RandomGenerator random)
    {
        final int n = Math.max(1, brokerIds.size());
        return assign(brokerIds, 0, count, replicationFactor, random.nextInt(n), random.nextInt(n));
    }
}
