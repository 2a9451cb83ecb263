package io.tidemark.replication.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.TopicPartition;

/**
 * Pure metadata transformations for broker lifecycle and partition leadership, shared by every
 * controller implementation (each applies them in its log order, so replicas of the controller agree).
 *
 * <h2>Who may lead</h2>
 * <ol>
 *   <li>The first replica, in replica order, that is in the ISR and live (registered, unfenced).</li>
 *   <li>Else the first live eligible leader replica (ELR, KIP-966): a replica that left the ISR while
 *       the ISR was below {@code min.insync.replicas}, so the high watermark could not advance without
 *       it and it holds every committed record. It leads with ISR = [itself].</li>
 *   <li>Else, when no ISR or ELR member is left because every one of them restarted after an unclean
 *       shutdown (and may have lost unsynced records), the one among them with the most complete log
 *       (highest last epoch, then log end offset): under the contract (at most one replica loses
 *       unsynced data at a time) it holds every committed record.</li>
 *   <li>Else, only if the topic sets {@code unclean.leader.election.enable}, the first live replica:
 *       an unclean election, reported as such. Otherwise the partition stays offline.</li>
 * </ol>
 * Every leader change bumps the leader epoch; every change of a partition bumps its partition epoch.
 *
 * <h2>ISR and ELR changes</h2>
 * A fenced (session expired) or shutting-down broker leaves every ISR; if that leaves the ISR below
 * {@code min.insync.replicas} it joins the ELR. AlterPartition from the leader changes the ISR, fenced
 * by leader epoch and partition epoch; a joining replica must be live with its registered broker epoch
 * (KIP-903). An ISR at or above {@code min.insync.replicas} clears the ELR. A broker that registers
 * with a new storage incarnation (a wiped disk) or after an unclean shutdown leaves the ISR and ELR of
 * every partition (except, after an unclean shutdown, partitions of topics whose flush policy is
 * {@code batch}: their HW counts durable offsets, nothing committed can have been lost) and reports its
 * log summary for recovery.
 */
public final class ControllerBrokers
{
    private ControllerBrokers()
    {
    }

    /**
     * The outcome of a transformation: the next image and the elections it made.
     *
     * @param image     the next image.
     * @param elections partitions whose leader changed, with the kind: clean, eligible, recovery,
     *                  unclean, offline.
     */
    public record Result(MetadataImage image, Map<TopicPartition, String> elections)
    {
    }

    private static boolean live(final MetadataImage image, final int brokerId)
    {
        final BrokerInfo b = image.brokers().get(brokerId);
        return b != null && !b.fenced();
    }

    private static int minIsr(final TopicInfo topic, final Map<String, String> brokerDefaults)
    {
        return TopicConfigs.minInsyncReplicas(TopicConfigs.effective(topic.configs(), brokerDefaults));
    }

    private static boolean syncsBeforeAck(final TopicInfo topic, final Map<String, String> brokerDefaults)
    {
        return TopicConfigs.toLogConfig(TopicConfigs.effective(topic.configs(), brokerDefaults)).flushPolicy().kind() ==
            FlushPolicy.Kind.BATCH;
    }

    /**
     * Registers a broker with a new epoch and unfences it (see the class comment for what an unclean
     * shutdown or a new incarnation does), then elects leaders where it can.
     *
     * @param summaries for an unclean restart, the broker's log summary per hosted partition.
     */
    public static Result register(
        final MetadataImage image,
        final BrokerInfo broker,
        final long newEpoch,
        final boolean cleanShutdown,
        final Map<TopicPartition, ReplicaLogSummary> summaries,
        final Map<String, String> brokerDefaults)
    {
        final int id = broker.id();
        final BrokerInfo previous = image.brokers().get(id);
        final boolean wiped = previous != null && !previous.incarnation().equals(broker.incarnation());
        final Map<Integer, BrokerInfo> brokers = new HashMap<>(image.brokers());
        brokers.put(id, new BrokerInfo(id, newEpoch, broker.incarnation(), broker.host(), broker.port(), broker.rack(), false,
            broker.endpoints()));
        MetadataImage next = image.withBrokers(brokers);
        final Map<TopicPartition, String> elections = new HashMap<>();
        if (wiped || !cleanShutdown)
        {
            next = changePartitions(next, (topic, p) ->
            {
                final boolean holder = p.isr().contains(id) || p.elr().contains(id);
                if (!holder && !containsBroker(p.recovery(), id))
                {
                    return null;
                }
                if (!wiped && syncsBeforeAck(topic, brokerDefaults))
                {
                    return null;
                }
                final ReplicaLogSummary summary = wiped ? new ReplicaLogSummary(id, -1, 0) :
                    summaries.getOrDefault(new TopicPartition(topic.name(), p.partition()), new ReplicaLogSummary(id, -1, 0));
                final List<ReplicaLogSummary> recovery = new ArrayList<>();
                for (final ReplicaLogSummary s : p.recovery())
                {
                    if (s.brokerId() != id)
                    {
                        recovery.add(s);
                    }
                }
                recovery.add(summary);
                return withMembers(p, without(p.isr(), id), without(p.elr(), id), p.leader() == id ? -1 : p.leader(), recovery);
            }, elections);
        }
        return new Result(electOffline(next, elections, brokerDefaults), elections);
    }

    private static boolean containsBroker(final List<ReplicaLogSummary> summaries, final int id)
    {
        for (final ReplicaLogSummary s : summaries)
        {
            if (s.brokerId() == id)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Fences a broker (session expired): it loses leadership and leaves the ISRs (joining the ELR where
     * the ISR falls below min.insync.replicas); new leaders are elected.
     */
    public static Result fence(final MetadataImage image, final int brokerId, final Map<String, String> brokerDefaults)
    {
        final BrokerInfo b = image.brokers().get(brokerId);
        if (b == null || b.fenced())
        {
            return new Result(image, Map.of());
        }
        final Map<Integer, BrokerInfo> brokers = new HashMap<>(image.brokers());
        brokers.put(brokerId, b.withFenced(true));
        final MetadataImage fenced = image.withBrokers(brokers);
        final Map<TopicPartition, String> elections = new HashMap<>();
        final MetadataImage next = changePartitions(fenced, (topic, p) ->
        {
            if (!p.isr().contains(brokerId) && p.leader() != brokerId)
            {
                return null;
            }
            final List<Integer> isr = without(p.isr(), brokerId);
            final List<Integer> elr = new ArrayList<>(p.elr());
            if (p.isr().contains(brokerId) && isr.size() < minIsr(topic, brokerDefaults) && !elr.contains(brokerId))
            {
                elr.add(brokerId);
            }
            return withMembers(p, isr, elr, p.leader() == brokerId ? -1 : p.leader(), p.recovery());
        }, elections);
        return new Result(electOffline(next, elections, brokerDefaults), elections);
    }

    /**
     * Unfences a registered broker whose session is live again; it may now lead offline partitions.
     */
    public static Result unfence(final MetadataImage image, final int brokerId, final Map<String, String> brokerDefaults)
    {
        final BrokerInfo b = image.brokers().get(brokerId);
        if (b == null || !b.fenced())
        {
            return new Result(image, Map.of());
        }
        final Map<Integer, BrokerInfo> brokers = new HashMap<>(image.brokers());
        brokers.put(brokerId, b.withFenced(false));
        final MetadataImage next = image.withBrokers(brokers);
        final Map<TopicPartition, String> elections = new HashMap<>();
        return new Result(electOffline(next, elections, brokerDefaults), elections);
    }

    /**
     * Controlled shutdown: leadership moves first, then the broker leaves the ISRs as when fenced.
     */
    public static Result controlledShutdown(final MetadataImage image, final int brokerId, final Map<String, String> brokerDefaults)
    {
        return fence(image, brokerId, brokerDefaults);
    }

    /**
     * AlterPartition from a leader.
     *
     * @throws ControllerException STALE when the request is fenced or not acceptable.
     */
    public static MetadataImage alterPartition(
        final MetadataImage image,
        final String topic,
        final int partition,
        final int leaderId,
        final int leaderEpoch,
        final int partitionEpoch,
        final List<Integer> newIsr,
        final Map<Integer, Long> brokerEpochs,
        final Map<String, String> brokerDefaults)
    {
        final TopicInfo t = image.topics().get(topic);
        if (t == null || partition < 0 || partition >= t.partitions().size())
        {
            throw new ControllerException(ControllerException.Reason.UNKNOWN_TOPIC_OR_PARTITION, topic + "-" + partition + " does not exist");
        }
        final PartitionInfo p = t.partitions().get(partition);
        if (p.leader() != leaderId || p.leaderEpoch() != leaderEpoch || p.partitionEpoch() != partitionEpoch)
        {
            throw new ControllerException(ControllerException.Reason.STALE, topic + "-" + partition + ": request from leader " +
                leaderId + " epoch " + leaderEpoch + " partition epoch " + partitionEpoch + " but the partition has leader " +
                p.leader() + " epoch " + p.leaderEpoch() + " partition epoch " + p.partitionEpoch());
        }
        if (!newIsr.contains(leaderId) && !newIsr.isEmpty() && p.isr().contains(leaderId) && p.isr().containsAll(newIsr) &&
            newIsr.stream().distinct().count() == newIsr.size() && newIsr.size() == p.isr().size() - 1)
        {
            return resign(image, t, p, newIsr);
        }
        if (!newIsr.contains(leaderId) || newIsr.stream().distinct().count() != newIsr.size() || !p.replicas().containsAll(newIsr))
        {
            throw new ControllerException(ControllerException.Reason.STALE, "proposed ISR " + newIsr +
                " must be distinct replicas of " + p.replicas() + " including the leader " + leaderId);
        }
        for (final int r : newIsr)
        {
            if (p.isr().contains(r))
            {
                continue;
            }
            final BrokerInfo b = image.brokers().get(r);
            final Long seen = brokerEpochs.get(r);
            if (b == null || b.fenced() || seen == null || seen != b.epoch())
            {
                throw new ControllerException(ControllerException.Reason.STALE, "broker " + r + " cannot join the ISR of " + topic +
                    "-" + partition + ": " + (b == null ? "not registered" : b.fenced() ? "fenced" :
                    "its fetches carried broker epoch " + seen + " but it is registered with epoch " + b.epoch()));
            }
        }
        final int minIsr = minIsr(t, brokerDefaults);
        final List<Integer> elr = new ArrayList<>();
        if (newIsr.size() < minIsr)
        {
            for (final int r : p.elr())
            {
                if (!newIsr.contains(r))
                {
                    elr.add(r);
                }
            }
            for (final int r : p.isr())
            {
                if (!newIsr.contains(r) && !elr.contains(r))
                {
                    elr.add(r);
                }
            }
        }
        // once the ISR is back at min.insync.replicas, committed records are again on enough members
        // that never lost data: the eligible replicas and the recovery candidates are not needed any more
        final List<ReplicaLogSummary> recovery = new ArrayList<>();
        if (newIsr.size() < minIsr)
        {
            for (final ReplicaLogSummary r : p.recovery())
            {
                if (!newIsr.contains(r.brokerId()))
                {
                    recovery.add(r);
                }
            }
        }
        final List<PartitionInfo> partitions = new ArrayList<>(t.partitions());
        partitions.set(partition, new PartitionInfo(partition, p.replicas(), orderedLike(p.replicas(), newIsr), p.leader(),
            p.leaderEpoch(), p.partitionEpoch() + 1, orderedLike(p.replicas(), elr), recovery));
        final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
        topics.put(topic, new TopicInfo(t.name(), t.id(), t.configs(), partitions));
        return image.withTopics(topics);
    }

    /**
     * A leader leaves the ISR it leads (an AlterPartition whose ISR is the current one without the leader):
     * it cannot serve part of its log (its scrubber found a sealed batch corrupt) and will fetch it again as
     * a follower. The first live member of the remaining ISR, in replica order, leads in a new leader epoch;
     * the resigning replica is not made eligible (it is about to truncate).
     *
     * @throws ControllerException STALE when no remaining member is live.
     */
    private static MetadataImage resign(final MetadataImage image, final TopicInfo t, final PartitionInfo p, final List<Integer> newIsr)
    {
        for (final int r : p.replicas())
        {
            if (newIsr.contains(r) && live(image, r))
            {
                final List<PartitionInfo> partitions = new ArrayList<>(t.partitions());
                partitions.set(p.partition(), withMembers(p, newIsr, p.elr(), r, p.recovery()));
                final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
                topics.put(t.name(), new TopicInfo(t.name(), t.id(), t.configs(), partitions));
                return image.withTopics(topics);
            }
        }
        throw new ControllerException(ControllerException.Reason.STALE, t.name() + "-" + p.partition() + ": leader " + p.leader() +
            " cannot step down: no other member of the ISR " + p.isr() + " is live");
    }

    /**
     * Leader elections on demand.
     *
     * @param preferred  true: move leadership to the first replica where it is in the ISR and live;
     *                   false: unclean election for offline partitions (the first live replica).
     * @param partitions topic to partition numbers; empty for all.
     */
    public static Result electLeaders(
        final MetadataImage image, final boolean preferred, final Map<String, List<Integer>> partitions,
        final Map<String, String> brokerDefaults)
    {
        final Map<TopicPartition, String> elections = new HashMap<>();
        final MetadataImage next = changePartitions(image, (topic, p) ->
        {
            if (!partitions.isEmpty() && !partitions.getOrDefault(topic.name(), List.of()).contains(p.partition()))
            {
                return null;
            }
            if (preferred)
            {
                final int preferredLeader = p.replicas().get(0);
                if (p.leader() != preferredLeader && p.isr().contains(preferredLeader) && live(image, preferredLeader))
                {
                    return withMembers(p, p.isr(), p.elr(), preferredLeader, p.recovery());
                }
                return null;
            }
            if (p.leader() >= 0)
            {
                return null;
            }
            for (final int r : p.replicas())
            {
                if (live(image, r))
                {
                    elections.put(new TopicPartition(topic.name(), p.partition()), "unclean");
                    return withMembers(p, List.of(r), List.of(), r, List.of());
                }
            }
            return null;
        }, elections);
        return new Result(next, elections);
    }

    /**
     * Elects leaders for partitions without one, by the rules of the class comment.
     */
    private static MetadataImage electOffline(
        final MetadataImage image, final Map<TopicPartition, String> elections, final Map<String, String> brokerDefaults)
    {
        return changePartitions(image, (topic, p) ->
        {
            if (p.leader() >= 0)
            {
                return null;
            }
            final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
            for (final int r : p.replicas())
            {
                if (p.isr().contains(r) && live(image, r))
                {
                    elections.put(tp, "clean");
                    return withMembers(p, p.isr(), p.elr(), r, p.recovery());
                }
            }
            for (final int r : p.replicas())
            {
                if (p.elr().contains(r) && live(image, r))
                {
                    elections.put(tp, "eligible");
                    return withMembers(p, List.of(r), without(p.elr(), r), r, p.recovery());
                }
            }
            if (p.isr().isEmpty() && p.elr().isEmpty() && !p.recovery().isEmpty())
            {
                ReplicaLogSummary best = null;
                boolean allLive = true;
                for (final ReplicaLogSummary s : p.recovery())
                {
                    allLive &= live(image, s.brokerId());
                    if (best == null || s.compareTo(best) > 0)
                    {
                        best = s;
                    }
                }
                if (allLive)
                {
                    elections.put(tp, "recovery");
                    final List<ReplicaLogSummary> rest = new ArrayList<>(p.recovery());
                    rest.remove(best);
                    return withMembers(p, List.of(best.brokerId()), List.of(), best.brokerId(), rest);
                }
            }
            if (TopicConfigs.uncleanLeaderElection(TopicConfigs.effective(topic.configs(), brokerDefaults)))
            {
                for (final int r : p.replicas())
                {
                    if (live(image, r))
                    {
                        elections.put(tp, "unclean");
                        return withMembers(p, List.of(r), List.of(), r, List.of());
                    }
                }
            }
            return null;
        }, elections);
    }

    private static MetadataImage changePartitions(
        final MetadataImage image,
        final BiFunction<TopicInfo, PartitionInfo, PartitionInfo> change,
        final Map<TopicPartition, String> elections)
    {
        Map<String, TopicInfo> topics = null;
        for (final TopicInfo t : image.topics().values())
        {
            List<PartitionInfo> changed = null;
            for (final PartitionInfo p : t.partitions())
            {
                final PartitionInfo q = change.apply(t, p);
                if (q == null || q.equals(p))
                {
                    continue;
                }
                if (changed == null)
                {
                    changed = new ArrayList<>(t.partitions());
                }
                changed.set(p.partition(), q);
                if (q.leader() != p.leader() && q.leader() < 0)
                {
                    elections.put(new TopicPartition(t.name(), p.partition()), "offline");
                }
            }
            if (changed != null)
            {
                if (topics == null)
                {
                    topics = new HashMap<>(image.topics());
                }
                topics.put(t.name(), new TopicInfo(t.name(), t.id(), t.configs(), changed));
            }
        }
        if (topics == null)
        {
            return image;
        }
        return image.withTopics(topics);
    }

    private static PartitionInfo withMembers(
        final PartitionInfo p, final List<Integer> isr, final List<Integer> elr, final int leader,
        final List<ReplicaLogSummary> recovery)
    {
        final int leaderEpoch = leader != p.leader() ? p.leaderEpoch() + 1 : p.leaderEpoch();
        return new PartitionInfo(p.partition(), p.replicas(), orderedLike(p.replicas(), isr), leader, leaderEpoch,
            p.partitionEpoch() + 1, orderedLike(p.replicas(), elr), recovery);
    }

    private static List<Integer> without(final List<Integer> list, final int value)
    {
        final List<Integer> copy = new ArrayList<>(list);
        copy.remove(Integer.valueOf(value));
        return copy;
    }

    private static List<Integer> orderedLike(final List<Integer> replicas, final List<Integer> members)
    {
        final List<Integer> ordered = new ArrayList<>();
        for (final int r : replicas)
        {
            if (members.contains(r))
            {
                ordered.add(r);
            }
        }
        return ordered;
    }
}
