package io.tidemark.replication.sim;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.PartitionInfo;

/**
 * The replication invariants, checked after every simulated event (RELIABILITY §5, Kafka's
 * RaftEventSimulationTest style):
 * <ul>
 *   <li>one leader per leader epoch;</li>
 *   <li>a replica's leader epoch never decreases;</li>
 *   <li>a leader's high watermark never goes backwards within its epoch;</li>
 *   <li>the leader's high watermark is at most the log end offset of every live, registered ISR member;</li>
 *   <li>committed records (below a high watermark ever exposed) never change or disappear from the
 *       leader.</li>
 * </ul>
 */
final class Invariants
{
    private final SimCluster cluster;
    private final TopicPartition tp;
    private final Map<Integer, Integer> leaderOfEpoch = new HashMap<>();
    private final Map<String, Integer> epochOfReplica = new HashMap<>();
    private final Map<String, Long> hwOfLeaderEpoch = new HashMap<>();
    final TreeMap<Long, String> committed = new TreeMap<>();
    private long events;
    boolean checkIsrLeo = true;
    /** Set when an unclean election is allowed: committed records may then be lost (and are counted). */
    boolean committedMayChange;

    Invariants(final SimCluster cluster, final TopicPartition tp)
    {
        this.cluster = cluster;
        this.tp = tp;
    }

    private AssertionError fail(final String what)
    {
        final StringBuilder sb = new StringBuilder("seed " + cluster.seed + ": " + what + "\n" + cluster.info(tp) + "\n" +
            cluster.describe(tp) + "-- trace (last 40) --\n");
        final int from = Math.max(0, cluster.trace.size() - (SimCluster.VERBOSE ? 400 : 40));
        for (int i = from; i < cluster.trace.size(); i++)
        {
            sb.append(cluster.trace.get(i)).append('\n');
        }
        return new AssertionError(sb.toString());
    }

    void check()
    {
        events++;
        for (final SimCluster.SimBroker b : cluster.brokers.values())
        {
            final Partition p = cluster.partitionOn(b.id, tp);
            if (p == null)
            {
                continue;
            }
            final int epoch = p.state().leaderEpoch();
            final String replicaKey = b.owner.name;
            final Integer previousEpoch = epochOfReplica.put(replicaKey, epoch);
            if (previousEpoch != null && epoch < previousEpoch)
            {
                throw fail(replicaKey + " leader epoch went back from " + previousEpoch + " to " + epoch);
            }
            if (!p.isLeader())
            {
                continue;
            }
            final Integer leader = leaderOfEpoch.putIfAbsent(epoch, b.id);
            if (leader != null && leader != b.id)
            {
                throw fail("two leaders in epoch " + epoch + ": " + leader + " and " + b.id);
            }
            final long hw = p.highWatermark();
            final String hwKey = b.owner.name + "@" + epoch;
            final Long previousHw = hwOfLeaderEpoch.put(hwKey, hw);
            if (previousHw != null && hw < previousHw)
            {
                throw fail("leader " + hwKey + " HW went back from " + previousHw + " to " + hw);
            }
            if (checkIsrLeo)
            {
                checkIsrLogEnds(b.id, p, hw);
            }
            recordCommitted(p, hw);
        }
        if (events % 200 == 0)
        {
            checkCommittedOnLeaders();
        }
    }

    private void checkIsrLogEnds(final int leaderId, final Partition leader, final long hw)
    {
        final PartitionInfo info = cluster.info(tp);
        if (info.partitionEpoch() != leader.state().partitionEpoch())
        {
            return; // the leader has not yet heard of the latest change
        }
        for (final int m : info.isr())
        {
            final SimCluster.SimBroker b = cluster.brokers.get(m);
            final BrokerInfo registered = cluster.controller.image().brokers().get(m);
            final Partition replica = cluster.partitionOn(m, tp);
            if (replica == null || registered == null || b.brokerEpoch != registered.epoch())
            {
                continue;
            }
            if (replica.log().logEndOffset() < hw)
            {
                throw fail("leader " + leaderId + " HW " + hw + " is above the log end " + replica.log().logEndOffset() +
                    " of ISR member " + m);
            }
        }
    }

    private void recordCommitted(final Partition leader, final long hw)
    {
        if (committedMayChange)
        {
            return;
        }
        final long from = committed.isEmpty() ? leader.log().logStartOffset() : committed.lastKey() + 1;
        for (long o = from; o < hw; o++)
        {
            final String v = SimRecords.valueAt(leader.log(), o);
            if (v == null)
            {
                throw fail("leader " + leader + " HW " + hw + " but it lacks offset " + o);
            }
            committed.put(o, v);
        }
    }

    /**
     * Every committed offset has its committed value on every leader that holds it.
     */
    void checkCommittedOnLeaders()
    {
        if (committedMayChange)
        {
            return;
        }
        for (final SimCluster.SimBroker b : cluster.brokers.values())
        {
            final Partition p = cluster.partitionOn(b.id, tp);
            if (p == null || !p.isLeader())
            {
                continue;
            }
            // what this leader would serve to consumers: below its own high watermark (a zombie leader
            // of an older epoch may still hold a divergent, uncommitted tail above it)
            for (final Map.Entry<Long, String> e : committed.headMap(p.highWatermark()).entrySet())
            {
                final String v = SimRecords.valueAt(p.log(), e.getKey());
                if (v != null && !v.equals(e.getValue()))
                {
                    throw fail("offset " + e.getKey() + " was committed as " + e.getValue() + " but leader " + b.id + " has " + v);
                }
            }
        }
    }

    /**
     * At the end (healed and converged): every replica holds exactly the committed prefix identically,
     * and every acknowledged acks=all record is at its offset.
     */
    void checkFinal(final boolean ackedMustSurvive)
    {
        checkCommittedOnLeaders();
        final PartitionInfo info = cluster.info(tp);
        final Partition leader = cluster.partitionOn(info.leader(), tp);
        if (leader == null)
        {
            throw fail("no leader at the end: " + info);
        }
        final long hw = leader.highWatermark();
        for (final Map.Entry<Long, String> e : committedMayChange ? Map.<Long, String>of().entrySet() : committed.entrySet())
        {
            if (e.getKey() >= leader.log().logStartOffset())
            {
                final String v = SimRecords.valueAt(leader.log(), e.getKey());
                if (!e.getValue().equals(v))
                {
                    throw fail("committed offset " + e.getKey() + " (" + e.getValue() + ") is " + v + " on the final leader");
                }
            }
        }
        final java.util.List<String> reference = SimRecords.values(leader.log(), hw);
        for (final int r : info.replicas())
        {
            final Partition replica = cluster.partitionOn(r, tp);
            if (replica != null && !SimRecords.values(replica.log(), hw).equals(reference))
            {
                throw fail("replica " + r + " differs from leader " + info.leader() + " below HW " + hw);
            }
        }
        if (ackedMustSurvive)
        {
            for (final SimCluster.ProduceOutcome o : cluster.produced)
            {
                if (o.tp.equals(tp) && o.acked() && o.acks == -1)
                {
                    final String v = SimRecords.valueAt(leader.log(), o.offset);
                    if (!o.value.equals(v))
                    {
                        throw fail("acknowledged record " + o.value + " at offset " + o.offset + " is lost (found " + v + ")");
                    }
                }
            }
        }
    }
}
