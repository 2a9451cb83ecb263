package io.tidemark.replication.controller;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.tidemark.engine.LogConfig;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.PartitionState;
import io.tidemark.replication.ReplicaManager;

/**
 * Applies metadata images to a broker's {@link ReplicaManager}: hosts, leads or follows every
 * partition that lists this broker as a replica, with the topic's effective configuration, and stops
 * (deleting the data) partitions of deleted topics or moved away.
 */
public final class MetadataApplier
{
    private final ReplicaManager replicaManager;
    private final Map<String, String> brokerDefaults;
    private MetadataImage applied;

    /**
     * @param replicaManager the broker's replica manager.
     * @param brokerDefaults broker-level topic defaults.
     */
    public MetadataApplier(final ReplicaManager replicaManager, final Map<String, String> brokerDefaults)
    {
        this.replicaManager = replicaManager;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
    }

    /**
     * @param image the new image; older or equal versions are ignored.
     */
    public synchronized void apply(final MetadataImage image)
    {
        if (applied != null && image.version() <= applied.version())
        {
            return;
        }
        final int me = replicaManager.brokerId();
        final Set<TopicPartition> wanted = new HashSet<>();
        for (final TopicInfo topic : image.topics().values())
        {
            final Map<String, String> effective = TopicConfigs.effective(topic.configs(), brokerDefaults);
            final LogConfig logConfig = TopicConfigs.toLogConfig(effective);
            final int minIsr = TopicConfigs.minInsyncReplicas(effective);
            for (final PartitionInfo p : topic.partitions())
            {
                if (!p.replicas().contains(me))
                {
                    continue;
                }
                final TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                wanted.add(tp);
                replicaManager.applyState(new PartitionState(tp, topic.id(), p.replicas(), p.isr(), p.leader(),
                    p.leaderEpoch(), p.partitionEpoch(), minIsr, logConfig));
            }
        }
        for (final Partition hosted : replicaManager.partitions())
        {
            if (!wanted.contains(hosted.topicPartition()))
            {
                replicaManager.stopReplica(hosted.topicPartition(), true);
            }
        }
        applied = image;
    }
}
