package io.tidemark.broker.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;

/**
 * Kafka's automatic leader rebalance ({@code auto.leader.rebalance.enable}): after failures and restarts
 * leadership piles up on the brokers that stayed up. For each broker, the partitions whose preferred
 * replica (the first in replica order) it is; if more than {@code leader.imbalance.per.broker.percentage}
 * of them are led by another broker, preferred-leader elections are asked for those where it is live and
 * in the ISR (an election that moves leadership only to an in-sync replica, so nothing committed is lost).
 *
 * <pre>
 *   broker 2 prefers: t-0 t-3 t-6 t-9 (4)   leads: t-0              imbalance 3/4 = 75% > 10%
 *   -> elect preferred for t-3 t-6 t-9 where 2 is live and in their ISR
 * </pre>
 */
public final class LeaderBalance
{
    private LeaderBalance()
    {
    }

    /**
     * @param image      the metadata.
     * @param percentage {@code leader.imbalance.per.broker.percentage}.
     * @return partitions to move back to their preferred leader, by topic (empty when balanced).
     */
    public static Map<String, List<Integer>> imbalanced(final MetadataImage image, final int percentage)
    {
        final Map<Integer, Integer> preferredCount = new HashMap<>();
        final Map<Integer, List<Candidate>> ledElsewhere = new HashMap<>();
        for (final TopicInfo topic : image.topics().values())
        {
            for (final PartitionInfo p : topic.partitions())
            {
                if (p.replicas().isEmpty())
                {
                    continue;
                }
                final int preferred = p.replicas().get(0);
                preferredCount.merge(preferred, 1, Integer::sum);
                if (p.leader() != preferred)
                {
                    ledElsewhere.computeIfAbsent(preferred, b -> new ArrayList<>()).add(new Candidate(topic.name(), p));
                }
            }
        }
        final Map<String, List<Integer>> elect = new TreeMap<>();
        for (final Map.Entry<Integer, List<Candidate>> e : ledElsewhere.entrySet())
        {
            final int broker = e.getKey();
            final BrokerInfo info = image.brokers().get(broker);
            if (info == null || info.fenced())
            {
                continue;
            }
            // above the threshold, as Kafka: not led / preferred > percentage / 100
            if (e.getValue().size() * 100L <= (long)percentage * preferredCount.get(broker))
            {
                continue;
            }
            for (final Candidate c : e.getValue())
            {
                if (c.partition().isr().contains(broker))
                {
                    elect.computeIfAbsent(c.topic(), t -> new ArrayList<>()).add(c.partition().partition());
                }
            }
        }
        return elect;
    }

    private record Candidate(String topic, PartitionInfo partition)
    {
    }
}
