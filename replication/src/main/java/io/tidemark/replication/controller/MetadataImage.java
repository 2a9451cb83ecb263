package io.tidemark.replication.controller;

import java.util.Map;
import java.util.UUID;

/**
 * An immutable snapshot of the cluster metadata.
 *
 * @param clusterId      the cluster id.
 * @param controllerId   the active controller's broker id, -1 if unknown.
 * @param version        increases with every change (the metadata log offset).
 * @param brokers        registered brokers by id.
 * @param topics         topics by name.
 * @param nextProducerId the first producer id of the next block the controller allocates (Kafka's
 *                       ProducerIdsRecord, KIP-730); ids below it were given to some broker. 0 until
 *                       the first allocation (which starts at
 *                       {@link ControllerProducerIds#FIRST_PRODUCER_ID}).
 */
public record MetadataImage(String clusterId, int controllerId, long version, Map<Integer, BrokerInfo> brokers,
    Map<String, TopicInfo> topics, long nextProducerId)
{
    /**
     * Copies the maps.
     */
    public MetadataImage
    {
        if (nextProducerId < 0)
        {
            throw new IllegalArgumentException("nextProducerId must not be negative: " + nextProducerId);
        }
        brokers = Map.copyOf(brokers);
        topics = Map.copyOf(topics);
    }

    /**
     * @param id a topic id.
     * @return the topic, or null.
     */
    public TopicInfo topicById(final UUID id)
    {
        for (final TopicInfo t : topics.values())
        {
            if (t.id().equals(id))
            {
                return t;
            }
        }
        return null;
    }

    /**
     * @param newTopics the topics after a change.
     * @return the next version holding them, everything else as in this image.
     */
    public MetadataImage withTopics(final Map<String, TopicInfo> newTopics)
    {
        return new MetadataImage(clusterId, controllerId, version + 1, brokers, newTopics, nextProducerId);
    }

    /**
     * @param newBrokers the brokers after a change.
     * @return the next version holding them, everything else as in this image.
     */
    public MetadataImage withBrokers(final Map<Integer, BrokerInfo> newBrokers)
    {
        return new MetadataImage(clusterId, controllerId, version + 1, newBrokers, topics, nextProducerId);
    }
}
