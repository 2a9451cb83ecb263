package io.tidemark.engine;

import java.util.Objects;

/**
 * A topic name and partition number; names the partition directory {@code <topic>-<partition>}.
 *
 * @param topic     the topic; 1 to 249 characters of [a-zA-Z0-9._-].
 * @param partition the partition number, 0 or more.
 */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition>
{
    /** Longest topic name, as Kafka allows. */
    public static final int MAX_TOPIC_LENGTH = 249;

    /**
     * Validates the name and number.
     */
    public TopicPartition
    {
        Objects.requireNonNull(topic, "topic");
        if (!isValidTopic(topic))
        {
            throw new IllegalArgumentException("invalid topic name '" + topic +
                "': 1 to " + MAX_TOPIC_LENGTH + " characters of [a-zA-Z0-9._-], not '.' or '..'");
        }
        if (partition < 0)
        {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    /**
     * @param topic a candidate topic name.
     * @return true if Kafka would accept it.
     */
    public static boolean isValidTopic(final String topic)
    {
        if (topic == null || topic.isEmpty() || topic.length() > MAX_TOPIC_LENGTH || ".".equals(topic) || "..".equals(topic))
        {
            return false;
        }
        for (int i = 0; i < topic.length(); i++)
        {
            final char c = topic.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param dirName a directory name {@code <topic>-<partition>}.
     * @return the partition, or null if the name does not parse.
     */
    public static TopicPartition parseDirName(final String dirName)
    {
        final int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1)
        {
            return null;
        }
        try
        {
            final int partition = Integer.parseInt(dirName.substring(dash + 1));
            final String topic = dirName.substring(0, dash);
            return partition >= 0 && isValidTopic(topic) ? new TopicPartition(topic, partition) : null;
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * @return the partition directory name.
     */
    public String dirName()
    {
        return topic + "-" + partition;
    }

    @Override
    public int compareTo(final TopicPartition other)
    {
        final int c = topic.compareTo(other.topic);
        return c != 0 ? c : Integer.compare(partition, other.partition);
    }

    @Override
    public String toString()
    {
        return dirName();
    }
}
