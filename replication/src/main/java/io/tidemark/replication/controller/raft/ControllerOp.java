package io.tidemark.replication.controller.raft;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ReplicaLogSummary;

/**
 * An entry of the controller's Raft log (or a query run against its state). Every operation carries
 * all of its non-deterministic inputs (topic ids, the proposing leader's defaults), so every voter
 * applying the same log computes the same images; the broker epoch of a registration is the log index
 * of its entry.
 *
 * <p>Client requests carry a {@link RequestId}: a retry after an ambiguous failure (a leader change
 * with the outcome unknown) is answered from the state machine's record of the first application
 * instead of being applied twice.
 */
sealed interface ControllerOp
{
    /**
     * Who asked: a client session (one per controller client object), a sequence number within it,
     * and the lowest sequence number whose answer the client still waits for (the state machine
     * forgets answers below it).
     *
     * @param session    random non-zero session id; 0 for operations the controller makes itself.
     * @param seq        sequence number within the session.
     * @param ackedBelow every answer below this sequence number has been received.
     */
    record RequestId(long session, long seq, long ackedBelow)
    {
        /** For operations without a client (liveness, new term). */
        static final RequestId NONE = new RequestId(0, 0, 0);
    }

    /**
     * @return the request id, {@link RequestId#NONE} when none.
     */
    RequestId id();

    /**
     * The first entry of every leader's term: the controller epoch becomes active when it applies.
     * It carries the leader's configured defaults, which then hold for every voter until the next
     * term, so voters configured differently still agree.
     *
     * @param leaderId                 the new active controller.
     * @param term                     its Raft term (the controller epoch).
     * @param brokerDefaults           broker-level topic config defaults.
     * @param defaultPartitions        {@code num.partitions}.
     * @param defaultReplicationFactor {@code default.replication.factor}.
     * @param snapshotChunkBytes       size of snapshot chunks (voters must cut snapshots identically).
     */
    record NewTerm(int leaderId, int term, Map<String, String> brokerDefaults, int defaultPartitions, short defaultReplicationFactor,
        int snapshotChunkBytes) implements ControllerOp
    {
        /** Copies the map. */
        public NewTerm
        {
            if (snapshotChunkBytes < 1)
            {
                throw new IllegalArgumentException("snapshotChunkBytes must be positive: " + snapshotChunkBytes);
            }
            brokerDefaults = Map.copyOf(brokerDefaults);
        }

        @Override
        public RequestId id()
        {
            return RequestId.NONE;
        }
    }

    /**
     * {@link io.tidemark.replication.controller.Controller#createTopic}.
     *
     * @param id                request id.
     * @param name              topic.
     * @param topicId           its new id, drawn by the proposer.
     * @param partitions        -1 for the default.
     * @param replicationFactor -1 for the default.
     * @param assignment        explicit assignment or null.
     * @param configs           overrides.
     */
    record CreateTopic(RequestId id, String name, UUID topicId, int partitions, short replicationFactor, List<List<Integer>> assignment,
        Map<String, String> configs) implements ControllerOp
    {
        /** Copies the collections. */
        public CreateTopic
        {
            assignment = assignment == null ? null : assignment.stream().map(List::copyOf).toList();
            configs = Map.copyOf(configs);
        }
    }

    /**
     * @param id   request id.
     * @param name topic.
     */
    record DeleteTopic(RequestId id, String name) implements ControllerOp
    {
    }

    /**
     * @param id         request id.
     * @param name       topic.
     * @param totalCount new partition count.
     */
    record CreatePartitions(RequestId id, String name, int totalCount) implements ControllerOp
    {
    }

    /**
     * @param id      request id.
     * @param name    topic.
     * @param changes key to new value, null to remove the override.
     */
    record AlterConfigs(RequestId id, String name, Map<String, String> changes) implements ControllerOp
    {
        /** Copies the map, which may hold null values. */
        public AlterConfigs
        {
            changes = Collections.unmodifiableMap(new TreeMap<>(changes));
        }
    }

    /**
     * @param id            request id.
     * @param broker        the broker with its incarnation (epoch and fenced flag ignored).
     * @param cleanShutdown whether its logs were closed cleanly.
     * @param logSummaries  after an unclean shutdown, its last epoch and log end offset per partition.
     */
    record RegisterBroker(RequestId id, BrokerInfo broker, boolean cleanShutdown, Map<TopicPartition, ReplicaLogSummary> logSummaries)
        implements ControllerOp
    {
        /** Copies the map. */
        public RegisterBroker
        {
            logSummaries = Collections.unmodifiableMap(new TreeMap<>(logSummaries));
        }
    }

    /**
     * Made by the active controller when a broker's session expired.
     *
     * @param brokerId    the broker.
     * @param brokerEpoch the registration whose session expired (a newer one is left alone).
     */
    record FenceBroker(int brokerId, long brokerEpoch) implements ControllerOp
    {
        @Override
        public RequestId id()
        {
            return RequestId.NONE;
        }
    }

    /**
     * Made by the active controller when a fenced broker heartbeats again.
     *
     * @param brokerId    the broker.
     * @param brokerEpoch its registration.
     */
    record UnfenceBroker(int brokerId, long brokerEpoch) implements ControllerOp
    {
        @Override
        public RequestId id()
        {
            return RequestId.NONE;
        }
    }

    /**
     * {@link io.tidemark.replication.controller.Controller#alterPartition}.
     *
     * @param id             request id.
     * @param topic          topic.
     * @param partition      partition.
     * @param leaderId       requesting leader.
     * @param leaderEpoch    its leader epoch.
     * @param partitionEpoch the partition epoch the request is based on.
     * @param newIsr         proposed ISR.
     * @param brokerEpochs   broker epochs seen in fetches.
     */
    record AlterPartition(RequestId id, String topic, int partition, int leaderId, int leaderEpoch, int partitionEpoch, List<Integer> newIsr,
        Map<Integer, Long> brokerEpochs) implements ControllerOp
    {
        /** Copies the collections. */
        public AlterPartition
        {
            newIsr = List.copyOf(newIsr);
            brokerEpochs = Map.copyOf(brokerEpochs);
        }
    }

    /**
     * @param id          request id.
     * @param brokerId    the broker shutting down.
     * @param brokerEpoch its registration.
     */
    record ControlledShutdown(RequestId id, int brokerId, long brokerEpoch) implements ControllerOp
    {
    }

    /**
     * @param id         request id.
     * @param preferred  preferred (true) or unclean (false) election.
     * @param partitions topic to partitions; empty for all.
     */
    record ElectLeaders(RequestId id, boolean preferred, Map<String, List<Integer>> partitions) implements ControllerOp
    {
        /** Copies the map. */
        public ElectLeaders
        {
            final Map<String, List<Integer>> copy = new TreeMap<>();
            partitions.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            partitions = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * {@link io.tidemark.replication.controller.Controller#allocateProducerIds}.
     *
     * @param id          request id.
     * @param brokerId    the asking broker.
     * @param brokerEpoch its broker epoch.
     */
    record AllocateProducerIds(RequestId id, int brokerId, long brokerEpoch) implements ControllerOp
    {
    }

    /**
     * A query (never in the log): runs {@code op} against the current image without changing
     * anything and answers what it would do ({@code validateOnly}).
     *
     * @param id request id (not deduplicated: queries change nothing).
     * @param op a CreateTopic, CreatePartitions or AlterConfigs.
     */
    record Validate(RequestId id, ControllerOp op) implements ControllerOp
    {
    }
}
