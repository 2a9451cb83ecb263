package io.tidemark.broker.group;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.config.ConfigException;

/**
 * The group coordinator's settings, read from the broker's validated {@code server.properties} keys.
 *
 * @param offsetsTopicPartitions        {@code offsets.topic.num.partitions}.
 * @param offsetsTopicReplicationFactor {@code offsets.topic.replication.factor} (the topic gets min(this, live brokers)).
 * @param commitTimeoutMs               {@code offsets.commit.timeout.ms}: acks=all wait of every coordinator write.
 * @param metadataMaxBytes              {@code offset.metadata.max.bytes}.
 * @param initialRebalanceDelayMs       {@code group.initial.rebalance.delay.ms}.
 * @param minSessionTimeoutMs           {@code group.min.session.timeout.ms}.
 * @param maxSessionTimeoutMs           {@code group.max.session.timeout.ms}.
 * @param maxGroupSize                  {@code group.max.size}.
 * @param offsetsRetentionMs            {@code offsets.retention.minutes} in milliseconds.
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}.
 */
public record GroupConfig(
    int offsetsTopicPartitions,
    short offsetsTopicReplicationFactor,
    int commitTimeoutMs,
    int metadataMaxBytes,
    int initialRebalanceDelayMs,
    int minSessionTimeoutMs,
    int maxSessionTimeoutMs,
    int maxGroupSize,
    long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs)
{
    /** Kafka's {@code offsets.retention.minutes} default, 7 days. */
    public static final long DEFAULT_OFFSETS_RETENTION_MS = 10_080L * 60_000;
    /** Kafka's {@code offsets.retention.check.interval.ms} default. */
    public static final long DEFAULT_OFFSETS_RETENTION_CHECK_INTERVAL_MS = 600_000;

    /**
     * The settings with Kafka's offsets retention defaults.
     */
    public GroupConfig(final int offsetsTopicPartitions, final short offsetsTopicReplicationFactor, final int commitTimeoutMs,
        final int metadataMaxBytes, final int initialRebalanceDelayMs, final int minSessionTimeoutMs, final int maxSessionTimeoutMs,
        final int maxGroupSize)
    {
        this(offsetsTopicPartitions, offsetsTopicReplicationFactor, commitTimeoutMs, metadataMaxBytes, initialRebalanceDelayMs,
            minSessionTimeoutMs, maxSessionTimeoutMs, maxGroupSize, DEFAULT_OFFSETS_RETENTION_MS, DEFAULT_OFFSETS_RETENTION_CHECK_INTERVAL_MS);
    }

    /**
     * Checks the cross-key rule (min session timeout at most the max).
     */
    public GroupConfig
    {
        if (minSessionTimeoutMs > maxSessionTimeoutMs)
        {
            throw new ConfigException(BrokerConfigKeys.GROUP_MIN_SESSION_TIMEOUT_MS, String.valueOf(minSessionTimeoutMs),
                "at most group.max.session.timeout.ms=" + maxSessionTimeoutMs);
        }
        if (offsetsTopicPartitions < 1 || offsetsTopicReplicationFactor < 1)
        {
            throw new ConfigException(BrokerConfigKeys.OFFSETS_TOPIC_NUM_PARTITIONS, String.valueOf(offsetsTopicPartitions), ">= 1");
        }
    }

    /**
     * @param config the broker configuration (already validated key by key).
     * @return the group settings.
     */
    public static GroupConfig from(final BrokerConfig config)
    {
        return new GroupConfig(
            intOf(config, BrokerConfigKeys.OFFSETS_TOPIC_NUM_PARTITIONS),
            (short)intOf(config, BrokerConfigKeys.OFFSETS_TOPIC_REPLICATION_FACTOR),
            intOf(config, BrokerConfigKeys.OFFSETS_COMMIT_TIMEOUT_MS),
            intOf(config, BrokerConfigKeys.OFFSET_METADATA_MAX_BYTES),
            intOf(config, BrokerConfigKeys.GROUP_INITIAL_REBALANCE_DELAY_MS),
            intOf(config, BrokerConfigKeys.GROUP_MIN_SESSION_TIMEOUT_MS),
            intOf(config, BrokerConfigKeys.GROUP_MAX_SESSION_TIMEOUT_MS),
            intOf(config, BrokerConfigKeys.GROUP_MAX_SIZE),
            intOf(config, BrokerConfigKeys.OFFSETS_RETENTION_MINUTES) * 60_000L,
            Long.parseLong(config.valueOf(BrokerConfigKeys.OFFSETS_RETENTION_CHECK_INTERVAL_MS).trim()));
    }

    private static int intOf(final BrokerConfig config, final String key)
    {
        return Integer.parseInt(config.valueOf(key).trim());
    }
}
