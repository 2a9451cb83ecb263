package io.tidemark.replication.controller;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The owner of the cluster metadata. Every change goes through it and is published as a new
 * {@link MetadataImage}. Futures fail with {@link ControllerException} for refused changes.
 */
public interface Controller extends AutoCloseable
{
    /**
     * @return the latest image this node knows.
     */
    MetadataImage image();

    /**
     * @param listener called with every new image (and once with the current one), in order.
     */
    void addListener(Consumer<MetadataImage> listener);

    /**
     * Creates a topic with replicas placed by {@link Placement} (or the given assignment).
     *
     * @param name              the topic.
     * @param partitions        partition count (-1 for the default).
     * @param replicationFactor replication factor (-1 for the default).
     * @param assignment        explicit replicas per partition, or null.
     * @param configs           topic config overrides.
     * @param validateOnly      check only.
     * @return the topic as created (or as it would be).
     */
    CompletableFuture<TopicInfo> createTopic(String name, int partitions, short replicationFactor, List<List<Integer>> assignment,
        Map<String, String> configs, boolean validateOnly);

    /**
     * @param name the topic.
     * @return completes when deleted.
     */
    CompletableFuture<Void> deleteTopic(String name);

    /**
     * @param name         the topic.
     * @param totalCount   the new partition count (more than now).
     * @param validateOnly check only.
     * @return the topic after the change.
     */
    CompletableFuture<TopicInfo> createPartitions(String name, int totalCount, boolean validateOnly);

    /**
     * @param name         the topic.
     * @param changes      key to new value; a null value removes the override.
     * @param validateOnly check only.
     * @return the topic after the change.
     */
    CompletableFuture<TopicInfo> alterConfigs(String name, Map<String, String> changes, boolean validateOnly);

    /**
     * @return broker-level defaults (topic key space) the controller validates against.
     */
    Map<String, String> brokerDefaults();

    // ---------------------------------------------------------------------------------------------
    // Broker lifecycle and partition leadership (replicated controller; trivial for a single node)
    // ---------------------------------------------------------------------------------------------

    /**
     * Registers (or re-registers after a restart) a broker: it gets a new broker epoch and is
     * unfenced. A broker whose log directories were wiped must register with a new incarnation id;
     * the controller then removes it from every ISR (KIP-903) until it catches up again.
     *
     * A broker that did not shut down cleanly may have lost unsynced records: it leaves every ISR where
     * it is not the last member, and rejoins once it has caught up (KIP-966's unclean-shutdown rule).
     *
     * @param broker        the broker (its epoch field is ignored).
     * @param incarnationId changes when the broker's storage is new (a wiped disk).
     * @param cleanShutdown true if every log directory was closed cleanly before this start.
     * @param logSummaries  after an unclean shutdown: per hosted partition, its last epoch and log end
     *                      offset (used to pick the most complete replica when every former in-sync
     *                      replica restarted uncleanly).
     * @return the new broker epoch.
     */
    CompletableFuture<Long> registerBroker(BrokerInfo broker, java.util.UUID incarnationId, boolean cleanShutdown,
        Map<io.tidemark.engine.TopicPartition, ReplicaLogSummary> logSummaries);

    /**
     * Keeps a registered broker's session alive; a broker silent for {@code broker.session.timeout.ms}
     * is fenced and loses leadership of its partitions.
     *
     * @param brokerId    the broker.
     * @param brokerEpoch its current epoch (a stale epoch is refused).
     * @return completes when recorded.
     */
    CompletableFuture<Void> heartbeat(int brokerId, long brokerEpoch);

    /**
     * The leader of a partition asks to change its ISR. Fenced by the partition epoch: a request
     * built on an older state is refused with {@link ControllerException.Reason#STALE}.
     *
     * @param topic          the topic.
     * @param partition      the partition.
     * @param leaderId       the requesting leader.
     * @param leaderEpoch    the leader epoch it leads in.
     * @param partitionEpoch the partition epoch its request is based on.
     * @param newIsr         the proposed ISR (must contain the leader).
     * @param brokerEpochs   for each proposed member, the broker epoch the leader saw in its fetches;
     *                       an added member whose epoch is not its registered one, or that is fenced,
     *                       makes the request STALE (KIP-903: a wiped broker cannot rejoin through a
     *                       fetch sent by its previous incarnation).
     * @return the partition after the change.
     */
    CompletableFuture<PartitionInfo> alterPartition(String topic, int partition, int leaderId, int leaderEpoch,
        int partitionEpoch, List<Integer> newIsr, Map<Integer, Long> brokerEpochs);

    /**
     * Controlled shutdown: moves leadership of the broker's partitions to other ISR members, removes
     * it from ISRs and fences it.
     *
     * @param brokerId    the broker.
     * @param brokerEpoch its current epoch.
     * @return completes when no partition is led by it any more (or none could move).
     */
    CompletableFuture<Void> controlledShutdown(int brokerId, long brokerEpoch);

    /**
     * Elects leaders for the given partitions (all partitions when empty).
     *
     * @param preferred true for preferred-leader election (first replica if in the ISR and live);
     *                  false for unclean election (any live replica when the ISR has none).
     * @param partitions topic to partition numbers, or empty for every partition.
     * @return partitions whose leader changed.
     */
    CompletableFuture<List<io.tidemark.engine.TopicPartition>> electLeaders(boolean preferred, Map<String, List<Integer>> partitions);

    /**
     * Allocates the next block of {@link ProducerIdBlock#SIZE} producer ids to a broker (Kafka's
     * AllocateProducerIds, KIP-730). The start of the following block is part of the replicated metadata,
     * so no id is given twice, across broker disk loss, controller restarts and failover.
     *
     * @param brokerId    the asking broker.
     * @param brokerEpoch its current broker epoch; a stale or unknown one is refused with
     *                    {@link ControllerException.Reason#STALE} (Kafka's STALE_BROKER_EPOCH).
     * @return the block, which belongs to {@code brokerId} alone.
     */
    CompletableFuture<ProducerIdBlock> allocateProducerIds(int brokerId, long brokerEpoch);

    @Override
    void close();
}
