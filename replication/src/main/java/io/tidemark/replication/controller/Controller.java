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

    @Override
    void close();
}
