package io.tidemark.replication.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import io.tidemark.engine.TopicPartition;

/**
 * Pure metadata transformations for broker lifecycle and partition leadership, shared by every
 * controller implementation (each applies them in its log order, so replicas of the controller
 * agree). The rules, from the source notes with Kafka's later fixes:
 *
 * <ul>
 *   <li>Leader election picks the first replica, in replica order, that is in the ISR and live
 *       (registered and unfenced). Every leader change bumps the leader epoch; every change of a
 *       partition bumps its partition epoch.</li>
 *   <li>A fenced or shut-down broker leaves every ISR, except when it is the last member: then the
 *       ISR keeps it and the partition is offline (leader -1) until it, or another ISR member, is
 *       back. Only {@code unclean.leader.election.enable} lets an out-of-ISR replica lead, and the
 *       election result says so.</li>
 *   <li>ISR changes come from the leader (AlterPartition), fenced by leader epoch and partition
 *       epoch; a replica joins only if it is live and its broker epoch is the registered one
 *       (KIP-903). A broker that registers with a new storage incarnation leaves every ISR.</li>
 * </ul>
 */
public final class ControllerBrokers
{
    private ControllerBrokers()
    {
    }

    /**
     * The outcome of a transformation: the next image and the elections it made (for logging).
     *
     * @param image     the next image.
     * @param elections partitions whose leader changed, with a note (e.g. "unclean").
     */
    public record Result(MetadataImage image, Map<TopicPartition, String> elections)
    {
    }

    private static boolean live(final MetadataImage image, final int brokerId)
    {
        final BrokerInfo b = image.brokers().get(brokerId);
        return b != null && !b.fenced();
    }

    /**
     * Registers a broker with a new epoch and unfences it. A new storage incarnation removes it from
     * every ISR (it holds nothing); an unclean shutdown removes it from every ISR it is not the last
     * member of (it may have lost unsynced records). Offline partitions it can lead get it as leader.
     */
    public static Result register(final MetadataImage image, final BrokerInfo broker, final long newEpoch,
        final boolean cleanShutdown, final Map<String, String> brokerDefaults)
    {
        final BrokerInfo previous = image.brokers().get(broker.id());
        final boolean wiped = previous != null && !previous.incarnation().equals(broker.incarnation());
        final Map<Integer, BrokerInfo> brokers = new HashMap<>(image.brokers());
        brokers.put(broker.id(), new BrokerInfo(broker.id(), newEpoch, broker.incarnation(), broker.host(), broker.port(),
            broker.rack(), false, broker.endpoints()));
        MetadataImage next = new MetadataImage(image.clusterId(), image.controllerId(), image.version() + 1, brokers, image.topics());
        final Map<TopicPartition, String> elections = new HashMap<>();
        if (wiped)
        {
            next = changePartitions(next, (topic, p) -> p.isr().contains(broker.id()) ?
                // with its data gone it is in sync with nothing; if it was the last member, no clean leader remains
                withIsrAndLeader(p, without(p.isr(), broker.id()), p.leader() == broker.id() ? -1 : p.leader()) : null,
                elections, brokerDefaults);
        }
        else if (!cleanShutdown)
        {
            // It may have lost unsynced records: out of every ISR it is not the last member of, unless
            // the topic syncs before acknowledging (flush policy batch: the HW counts durable offsets,
            // so nothing below it can have been lost).
            next = changePartitions(next, (topic, p) -> p.isr().contains(broker.id()) && p.isr().size() > 1 &&
                !syncsBeforeAck(topic, brokerDefaults) ?
                withIsrAndLeader(p, without(p.isr(), broker.id()), p.leader() == broker.id() ? -1 : p.leader()) : null,
                elections, brokerDefaults);
        }
        next = electOffline(next, elections, brokerDefaults);
        return new Result(next, elections);
    }

    /**
     * Fences a broker (session expired): it loses leadership and leaves the ISRs.
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
        final MetadataImage fenced = new MetadataImage(image.clusterId(), image.controllerId(), image.version() + 1, brokers,
            image.topics());
        final Map<TopicPartition, String> elections = new HashMap<>();
        final MetadataImage next = changePartitions(fenced, (topic, p) ->
        {
            if (!p.replicas().contains(brokerId))
            {
                return null;
            }
            final List<Integer> isr = p.isr().size() > 1 ? without(p.isr(), brokerId) : p.isr();
            final int leader = p.leader() == brokerId ? -1 : p.leader();
            if (isr.equals(p.isr()) && leader == p.leader())
            {
                return null;
            }
            return withIsrAndLeader(p, isr, leader);
        }, elections, brokerDefaults);
        return new Result(electOffline(next, elections, brokerDefaults), elections);
    }

    /**
     * Unfences a registered broker whose session is live again.
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
        final MetadataImage next = new MetadataImage(image.clusterId(), image.controllerId(), image.version() + 1, brokers,
            image.topics());
        final Map<TopicPartition, String> elections = new HashMap<>();
        return new Result(electOffline(next, elections, brokerDefaults), elections);
    }

    /**
     * Controlled shutdown: the same as fencing, asked for by the broker before it stops.
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
        final Map<Integer, Long> brokerEpochs)
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
        final List<PartitionInfo> partitions = new ArrayList<>(t.partitions());
        partitions.set(partition, new PartitionInfo(partition, p.replicas(), orderedLike(p.replicas(), newIsr), p.leader(), p.leaderEpoch(),
            p.partitionEpoch() + 1));
        final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
        topics.put(topic, new TopicInfo(t.name(), t.id(), t.configs(), partitions));
        return new MetadataImage(image.clusterId(), image.controllerId(), image.version() + 1, image.brokers(), topics);
    }

    /**
     * Leader elections on demand.
     *
     * @param preferred  true: move leadership to the first replica where it is in the ISR and live;
     *                   false: unclean election for offline partitions (any live replica).
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
                    return withIsrAndLeader(p, p.isr(), preferredLeader);
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
                    return withIsrAndLeader(p, List.of(r), r);
                }
            }
            return null;
        }, elections, brokerDefaults);
        if (!preferred)
        {
            elections.replaceAll((tp, note) -> "unclean (explicit)");
        }
        return new Result(next, elections);
    }

    /**
     * Elects leaders for partitions without one: the first live ISR member in replica order, or, if
     * the topic allows unclean election and no ISR member is live, the first live replica.
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
            for (final int r : p.replicas())
            {
                if (p.isr().contains(r) && live(image, r))
                {
                    return withIsrAndLeader(p, p.isr(), r);
                }
            }
            final boolean unclean = TopicConfigs.uncleanLeaderElection(TopicConfigs.effective(topic.configs(), brokerDefaults));
            if (unclean)
            {
                for (final int r : p.replicas())
                {
                    if (live(image, r))
                    {
                        elections.put(new TopicPartition(topic.name(), p.partition()), "unclean");
                        return withIsrAndLeader(p, List.of(r), r);
                    }
                }
            }
            return null;
        }, elections, brokerDefaults);
    }

    private static MetadataImage changePartitions(
        final MetadataImage image,
        final BiFunction<TopicInfo, PartitionInfo, PartitionInfo> change,
        final Map<TopicPartition, String> elections,
        final Map<String, String> brokerDefaults)
    {
        Map<String, TopicInfo> topics = null;
        for (final TopicInfo t : image.topics().values())
        {
            List<PartitionInfo> changed = null;
            for (final PartitionInfo p : t.partitions())
            {
                final PartitionInfo q = change.apply(t, p);
                if (q == null)
                {
                    continue;
                }
                if (changed == null)
                {
                    changed = new ArrayList<>(t.partitions());
                }
                changed.set(p.partition(), q);
                if (q.leader() != p.leader())
                {
                    elections.putIfAbsent(new TopicPartition(t.name(), p.partition()), q.leader() < 0 ? "offline" : "clean");
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
        return new MetadataImage(image.clusterId(), image.controllerId(), image.version() + 1, image.brokers(), topics);
    }

    private static PartitionInfo withIsrAndLeader(final PartitionInfo p, final List<Integer> isr, final int leader)
    {
        final int leaderEpoch = leader != p.leader() ? p.leaderEpoch() + 1 : p.leaderEpoch();
        return new PartitionInfo(p.partition(), p.replicas(), orderedLike(p.replicas(), isr), leader, leaderEpoch, p.partitionEpoch() + 1);
    }

    private static boolean syncsBeforeAck(final TopicInfo topic, final Map<String, String> brokerDefaults)
    {
        return TopicConfigs.toLogConfig(TopicConfigs.effective(topic.configs(), brokerDefaults)).flushPolicy().kind() ==
            io.tidemark.engine.FlushPolicy.Kind.BATCH;
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

    /**
     * @param image an image.
     * @param id    a broker id.
     * @return its registered incarnation, or null.
     */
    public static UUID incarnationOf(final MetadataImage image, final int id)
    {
        final BrokerInfo b = image.brokers().get(id);
        return b == null ? null : b.incarnation();
    }
}
