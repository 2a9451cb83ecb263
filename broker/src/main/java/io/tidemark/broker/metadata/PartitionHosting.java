package io.tidemark.broker.metadata;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.tidemark.broker.producer.ProducerStates;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.MetadataApplier;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.replication.controller.TopicInfo;

/**
 * Applies each metadata image to this broker: creates the logs of newly hosted partitions and installs
 * their producer state before the replica manager starts serving them (so no append ever runs without
 * idempotence checks), then hands the image to the replication module's {@link MetadataApplier}, and
 * forgets the producer state of partitions no longer hosted.
 */
public final class PartitionHosting implements Consumer<MetadataImage>
{
    private final int localBrokerId;
    private final LogManager logManager;
    private final ProducerStates producerStates;
    private final MetadataApplier applier;
    private final Map<String, String> brokerDefaults;

    /**
     * @param localBrokerId  this broker.
     * @param logManager     the logs.
     * @param producerStates producer state registry.
     * @param applier        the replication module's applier.
     * @param brokerDefaults broker-level topic defaults.
     */
    public PartitionHosting(final int localBrokerId, final LogManager logManager, final ProducerStates producerStates,
        final MetadataApplier applier, final Map<String, String> brokerDefaults)
    {
        this.localBrokerId = localBrokerId;
        this.logManager = logManager;
        this.producerStates = producerStates;
        this.applier = applier;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
    }

    @Override
    public synchronized void accept(final MetadataImage image)
    {
        final Set<TopicPartition> hosted = new HashSet<>();
        for (final TopicInfo topic : image.topics().values())
        {
            for (final PartitionInfo p : topic.partitions())
            {
                if (!p.replicas().contains(localBrokerId))
                {
                    continue;
                }
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                hosted.add(tp);
                final Log log = logManager.getOrCreate(tp,
                    TopicConfigs.toLogConfig(TopicConfigs.effective(topic.configs(), brokerDefaults)));
                producerStates.install(log);
            }
        }
        applier.apply(image);
        for (final TopicPartition tp : producerStates.partitions())
        {
            if (!hosted.contains(tp))
            {
                producerStates.remove(tp);
            }
        }
    }
}
