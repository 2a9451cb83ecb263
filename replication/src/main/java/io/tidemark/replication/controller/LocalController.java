package io.tidemark.replication.controller;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.storage.Storage;

/**
 * The controller of a single-node cluster without a quorum: the metadata is written on every change, in
 * place into disk space reserved ahead ({@link MetadataFile}), so it survives restarts and crashes and a
 * change that does not grow it (deleting topics on a full disk) needs no new disk space. A change that cannot
 * be persisted fails with {@link ControllerException.Reason#KAFKA_STORAGE_ERROR} and leaves the metadata as
 * it was. The replicated controller uses the same {@link ControllerTopics} transformations through a Raft
 * log instead.
 */
public final class LocalController implements Controller
{
    /** File name of the persisted metadata in the log directory. */
    public static final String FILE_NAME = "tidemark-metadata";

    private final Path file;
    private final MetadataFile metadataFile;
    private final Map<String, String> brokerDefaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;
    private final CopyOnWriteArrayList<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image;

    /**
     * Loads the persisted metadata (or starts empty) and registers {@code self} as the only broker with
     * a new broker epoch.
     *
     * @param storage                  storage seam.
     * @param dir                      directory of the metadata file (the first log dir).
     * @param clusterId                cluster id for a new cluster.
     * @param self                     this broker.
     * @param brokerDefaults           broker-level topic defaults.
     * @param defaultPartitions        {@code num.partitions}.
     * @param defaultReplicationFactor {@code default.replication.factor}.
     */
    public LocalController(
        final Storage storage,
        final Path dir,
        final String clusterId,
        final BrokerInfo self,
        final Map<String, String> brokerDefaults,
        final int defaultPartitions,
        final short defaultReplicationFactor)
    {
        this.file = dir.resolve(FILE_NAME);
        this.metadataFile = new MetadataFile(storage, dir, FILE_NAME);
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
        MetadataImage loaded;
        try
        {
            final byte[] bytes = metadataFile.load();
            loaded = bytes == null ? new MetadataImage(clusterId, self.id(), 0, Map.of(), Map.of(), 0) :
                MetadataImageCodec.decode(bytes);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the metadata file " + file + ": " + ex.getMessage(), ex);
        }
        final long epoch = loaded.brokers().containsKey(self.id()) ? loaded.brokers().get(self.id()).epoch() + 1 : 1;
        final BrokerInfo registered = new BrokerInfo(self.id(), epoch, self.incarnation(), self.host(), self.port(), self.rack(), false,
            self.endpoints());
        final Map<Integer, BrokerInfo> brokers = new java.util.HashMap<>(loaded.brokers());
        brokers.put(self.id(), registered);
        image = new MetadataImage(loaded.clusterId(), self.id(), loaded.version() + 1, brokers, loaded.topics(),
            loaded.nextProducerId());
        persist(image);
    }

    @Override
    public MetadataImage image()
    {
        return image;
    }

    @Override
    public Map<String, String> brokerDefaults()
    {
        return brokerDefaults;
    }

    @Override
    public void addListener(final Consumer<MetadataImage> listener)
    {
        synchronized (this)
        {
            listeners.add(listener);
            listener.accept(image);
        }
    }

    private synchronized <T> CompletableFuture<T> change(
        final UnaryOperator<MetadataImage> transform, final boolean validateOnly, final java.util.function.Function<MetadataImage, T> result)
    {
        try
        {
            final MetadataImage next = transform.apply(image);
            if (!validateOnly)
            {
                persist(next);
                image = next;
                for (final Consumer<MetadataImage> l : listeners)
                {
                    l.accept(next);
                }
            }
            return CompletableFuture.completedFuture(result.apply(next));
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void persist(final MetadataImage next)
    {
        try
        {
            metadataFile.write(MetadataImageCodec.encode(next));
        }
        catch (final IOException ex)
        {
            throw new ControllerException(ControllerException.Reason.KAFKA_STORAGE_ERROR, "cannot persist metadata to " + file + ".*: " +
                ex.getMessage());
        }
    }

    @Override
    public CompletableFuture<TopicInfo> createTopic(
        final String name,
        final int partitions,
        final short replicationFactor,
        final List<List<Integer>> assignment,
        final Map<String, String> configs,
        final boolean validateOnly)
    {
        final int p = partitions < 0 ? defaultPartitions : partitions;
        final int rf = replicationFactor < 0 ? defaultReplicationFactor : replicationFactor;
        final UUID id = UUID.randomUUID();
        return change(img -> ControllerTopics.createTopic(img, name, id, p, rf, assignment, configs, brokerDefaults), validateOnly,
            img -> img.topics().get(name));
    }

    @Override
    public CompletableFuture<Void> deleteTopic(final String name)
    {
        return change(img -> ControllerTopics.deleteTopic(img, name), false, img -> null);
    }

    @Override
    public CompletableFuture<TopicInfo> createPartitions(final String name, final int totalCount, final boolean validateOnly)
    {
        return change(img -> ControllerTopics.createPartitions(img, name, totalCount), validateOnly, img -> img.topics().get(name));
    }

    @Override
    public CompletableFuture<TopicInfo> alterConfigs(final String name, final Map<String, String> changes, final boolean validateOnly)
    {
        return change(img -> ControllerTopics.alterConfigs(img, name, changes, brokerDefaults), validateOnly,
            img -> img.topics().get(name));
    }

    @Override
    public CompletableFuture<Long> registerBroker(final BrokerInfo broker, final UUID incarnationId, final boolean cleanShutdown,
        final Map<TopicPartition, ReplicaLogSummary> logSummaries)
    {
        final MetadataImage current = image;
        if (broker.id() != current.controllerId())
        {
            return CompletableFuture.failedFuture(new ControllerException(ControllerException.Reason.INVALID_REPLICA_ASSIGNMENT,
                "a single-node controller hosts only broker " + current.controllerId() + ", not " + broker.id()));
        }
        return CompletableFuture.completedFuture(current.brokers().get(broker.id()).epoch());
    }

    @Override
    public CompletableFuture<Void> heartbeat(final int brokerId, final long brokerEpoch)
    {
        final BrokerInfo b = image.brokers().get(brokerId);
        if (b == null || b.epoch() != brokerEpoch)
        {
            return CompletableFuture.failedFuture(new ControllerException(ControllerException.Reason.STALE,
                "broker " + brokerId + " epoch " + brokerEpoch + " is not registered"));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<PartitionInfo> alterPartition(
        final String topic, final int partition, final int leaderId, final int leaderEpoch, final int partitionEpoch,
        final List<Integer> newIsr, final Map<Integer, Long> brokerEpochs)
    {
        return CompletableFuture.failedFuture(new ControllerException(ControllerException.Reason.STALE,
            "a single-node cluster has no followers: the ISR is always the leader alone"));
    }

    @Override
    public CompletableFuture<Void> controlledShutdown(final int brokerId, final long brokerEpoch)
    {
        // a single node has nowhere to move leadership; its partitions go offline with it
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<io.tidemark.engine.TopicPartition>> electLeaders(
        final boolean preferred, final Map<String, List<Integer>> partitions)
    {
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletableFuture<ProducerIdBlock> allocateProducerIds(final int brokerId, final long brokerEpoch)
    {
        final ControllerProducerIds.Allocating allocation = ControllerProducerIds.allocating(brokerId, brokerEpoch);
        return change(allocation, false, img -> allocation.block());
    }

    @Override
    public void close()
    {
        listeners.clear();
    }
}
