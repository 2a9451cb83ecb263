package io.tidemark.replication.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.engine.TopicPartition;

/**
 * Pure metadata transformations shared by every controller implementation: each takes an image and
 * returns the next one (or throws {@link ControllerException}), so a replicated controller can apply
 * the same change deterministically on every node.
 */
public final class ControllerTopics
{
    private ControllerTopics()
    {
    }

    /**
     * @param image current image.
     * @return ids of unfenced brokers.
     */
    public static List<Integer> liveBrokers(final MetadataImage image)
    {
        final List<Integer> live = new ArrayList<>();
        for (final BrokerInfo b : image.brokers().values())
        {
            if (!b.fenced())
            {
                live.add(b.id());
            }
        }
        live.sort(Integer::compare);
        return live;
    }

    /**
     * Validates a topic name like Kafka does.
     *
     * @param image current image.
     * @param name  the name.
     */
    public static void validateName(final MetadataImage image, final String name)
    {
        if (!TopicPartition.isValidTopic(name))
        {
            throw new ControllerException(ControllerException.Reason.INVALID_TOPIC,
                "topic name '" + name + "' is illegal: 1 to 249 characters of [a-zA-Z0-9._-], not '.' or '..'");
        }
        if (image.topics().containsKey(name))
        {
            throw new ControllerException(ControllerException.Reason.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists");
        }
        final String normalized = name.replace('.', '_');
        for (final String existing : image.topics().keySet())
        {
            if (existing.replace('.', '_').equals(normalized))
            {
                throw new ControllerException(ControllerException.Reason.INVALID_TOPIC,
                    "topic '" + name + "' collides with existing topic '" + existing + "' ('.' and '_' are treated alike)");
            }
        }
    }

    /**
     * The most partitions one operation may create: Kafka's controller refuses a CreateTopics request that would
     * create more (KAFKA-17870, {@code MAX_PARTITIONS_PER_BATCH}) with POLICY_VIOLATION, and CreatePartitions is
     * bounded by the same number of records per operation. Without it one request asking for 2^31-1 partitions
     * made the placement allocate for all of them and an OutOfMemoryError killed the request thread (issue 12,
     * finding 2).
     */
    public static final int MAX_PARTITIONS_PER_OPERATION = 10_000;

    private static void checkPartitionsPerOperation(final int newPartitions)
    {
        if (newPartitions > MAX_PARTITIONS_PER_OPERATION)
        {
            throw new ControllerException(ControllerException.Reason.POLICY_VIOLATION,
                "Excessively large number of partitions per request: " + newPartitions + " new partitions, at most " +
                MAX_PARTITIONS_PER_OPERATION);
        }
    }

    /**
     * @return the image with the topic added.
     * @throws ControllerException POLICY_VIOLATION for more than {@link #MAX_PARTITIONS_PER_OPERATION} partitions.
     */
    public static MetadataImage createTopic(
        final MetadataImage image,
        final String name,
        final UUID topicId,
        final int partitions,
        final int replicationFactor,
        final List<List<Integer>> assignment,
        final Map<String, String> configs,
        final Map<String, String> brokerDefaults)
    {
        validateName(image, name);
        TopicConfigs.validate(configs, brokerDefaults);
        final List<List<Integer>> replicas;
        if (assignment != null && !assignment.isEmpty())
        {
            checkPartitionsPerOperation(assignment.size());
            replicas = validateAssignment(image, assignment);
        }
        else
        {
            if (partitions < 1)
            {
                throw new ControllerException(ControllerException.Reason.INVALID_PARTITIONS,
                    "number of partitions must be at least 1, got " + partitions);
            }
            checkPartitionsPerOperation(partitions);
            replicas = Placement.assign(liveBrokers(image), 0, partitions, replicationFactor, 0, 0);
        }
        final List<PartitionInfo> infos = new ArrayList<>(replicas.size());
        for (int p = 0; p < replicas.size(); p++)
        {
            infos.add(newPartition(image, p, replicas.get(p)));
        }
        final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
        topics.put(name, new TopicInfo(name, topicId, configs, infos));
        return image.withTopics(topics);
    }

    private static PartitionInfo newPartition(final MetadataImage image, final int partition, final List<Integer> replicas)
    {
        final List<Integer> isr = new ArrayList<>();
        for (final int r : replicas)
        {
            final BrokerInfo b = image.brokers().get(r);
            if (b != null && !b.fenced())
            {
                isr.add(r);
            }
        }
        final int leader = isr.isEmpty() ? -1 : isr.get(0);
        return new PartitionInfo(partition, replicas, isr, leader, 0, 0);
    }

    private static List<List<Integer>> validateAssignment(final MetadataImage image, final List<List<Integer>> assignment)
    {
        int rf = -1;
        for (final List<Integer> replicas : assignment)
        {
            if (replicas.isEmpty() || replicas.stream().distinct().count() != replicas.size())
            {
                throw new ControllerException(ControllerException.Reason.INVALID_REPLICA_ASSIGNMENT,
                    "replica lists must be non-empty without duplicates: " + assignment);
            }
            if (rf >= 0 && rf != replicas.size())
            {
                throw new ControllerException(ControllerException.Reason.INVALID_REPLICA_ASSIGNMENT,
                    "all partitions must have the same replication factor: " + assignment);
            }
            rf = replicas.size();
            for (final int r : replicas)
            {
                if (!image.brokers().containsKey(r))
                {
                    throw new ControllerException(ControllerException.Reason.INVALID_REPLICA_ASSIGNMENT,
                        "unknown broker " + r + " in assignment " + assignment);
                }
            }
        }
        return assignment;
    }

    /**
     * @return the image without the topic.
     */
    public static MetadataImage deleteTopic(final MetadataImage image, final String name)
    {
        if (!image.topics().containsKey(name))
        {
            throw new ControllerException(ControllerException.Reason.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
        }
        final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
        topics.remove(name);
        return image.withTopics(topics);
    }

    /**
     * @return the image with the topic grown to {@code totalCount} partitions.
     * @throws ControllerException POLICY_VIOLATION for more than {@link #MAX_PARTITIONS_PER_OPERATION} new partitions.
     */
    public static MetadataImage createPartitions(final MetadataImage image, final String name, final int totalCount)
    {
        final TopicInfo topic = image.topics().get(name);
        if (topic == null)
        {
            throw new ControllerException(ControllerException.Reason.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
        }
        final int current = topic.partitions().size();
        if (totalCount <= current)
        {
            throw new ControllerException(ControllerException.Reason.INVALID_PARTITIONS,
                "topic '" + name + "' has " + current + " partitions; the new count must be larger, got " + totalCount);
        }
        checkPartitionsPerOperation(totalCount - current);
        final int rf = topic.partitions().get(0).replicas().size();
        final List<List<Integer>> replicas = Placement.assign(liveBrokers(image), current, totalCount - current, rf, 0, 0);
        final List<PartitionInfo> infos = new ArrayList<>(topic.partitions());
        for (int k = 0; k < replicas.size(); k++)
        {
            infos.add(newPartition(image, current + k, replicas.get(k)));
        }
        final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
        topics.put(name, new TopicInfo(name, topic.id(), topic.configs(), infos));
        return image.withTopics(topics);
    }

    /**
     * @return the image with the topic's overrides changed (null values remove an override).
     */
    public static MetadataImage alterConfigs(
        final MetadataImage image, final String name, final Map<String, String> changes, final Map<String, String> brokerDefaults)
    {
        final TopicInfo topic = image.topics().get(name);
        if (topic == null)
        {
            throw new ControllerException(ControllerException.Reason.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
        }
        final Map<String, String> configs = new LinkedHashMap<>(topic.configs());
        for (final Map.Entry<String, String> e : changes.entrySet())
        {
            if (e.getValue() == null)
            {
                configs.remove(e.getKey());
            }
            else
            {
                configs.put(e.getKey(), e.getValue());
            }
        }
        TopicConfigs.validate(configs, brokerDefaults);
        final Map<String, TopicInfo> topics = new HashMap<>(image.topics());
        topics.put(name, new TopicInfo(name, topic.id(), configs, topic.partitions()));
        return image.withTopics(topics);
    }
}
