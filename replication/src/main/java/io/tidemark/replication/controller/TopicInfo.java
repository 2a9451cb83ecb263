package io.tidemark.replication.controller;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A topic.
 *
 * @param name       the name.
 * @param id         its id (stable for the topic's life; a re-created topic gets a new one).
 * @param configs    topic-level config overrides (Kafka key names).
 * @param partitions its partitions, index = partition number.
 */
public record TopicInfo(String name, UUID id, Map<String, String> configs, List<PartitionInfo> partitions)
{
    /**
     * Copies the collections.
     */
    public TopicInfo
    {
        configs = Map.copyOf(configs);
        partitions = List.copyOf(partitions);
    }
}
