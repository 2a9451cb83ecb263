package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.config.ConfigKey;
import io.tidemark.replication.controller.TopicConfigs;

/**
 * Describes topic configurations as Kafka does: every key with its effective value, where the value
 * comes from ({@code configSource}) and, on request, its synonyms in precedence order: the topic
 * override, then the broker keys that set its default ({@code log.retention.ms}, ...), then the default.
 */
public final class TopicConfigDescriber
{
    /** Kafka's {@code DescribeConfigsResponse.ConfigSource}: a topic override. */
    public static final byte SOURCE_TOPIC = 1;
    /** A key set in {@code server.properties}. */
    public static final byte SOURCE_STATIC_BROKER = 4;
    /** A built-in default. */
    public static final byte SOURCE_DEFAULT = 5;

    private static final Map<String, ConfigKey.Type> TYPES = new LinkedHashMap<>();
    private static final Map<String, String> DOCS = new LinkedHashMap<>();

    static
    {
        type(TopicConfigs.CLEANUP_POLICY, ConfigKey.Type.LIST, "what happens to old segments; only delete");
        type(TopicConfigs.COMPRESSION_TYPE, ConfigKey.Type.STRING, "compression of stored batches; only producer (stored as sent)");
        type(TopicConfigs.FLUSH_POLICY, ConfigKey.Type.STRING,
            "when written records are forced to disk: none, messages:N, interval:T (ms) or batch (group commit); changes at runtime");
        type(TopicConfigs.FLUSH_MESSAGES, ConfigKey.Type.LONG, "Kafka's message-count flush; maps onto flush.policy messages:N");
        type(TopicConfigs.FLUSH_MS, ConfigKey.Type.LONG, "Kafka's time flush; maps onto flush.policy interval:T");
        type(TopicConfigs.INDEX_INTERVAL_BYTES, ConfigKey.Type.INT, "bytes between sparse index entries");
        type(TopicConfigs.MAX_MESSAGE_BYTES, ConfigKey.Type.INT, "largest record batch accepted");
        type(TopicConfigs.MESSAGE_TIMESTAMP_TYPE, ConfigKey.Type.STRING, "CreateTime or LogAppendTime");
        type(TopicConfigs.MIN_INSYNC_REPLICAS, ConfigKey.Type.INT, "in-sync replicas an acks=all write needs");
        type(TopicConfigs.RETENTION_BYTES, ConfigKey.Type.LONG, "delete oldest segments while larger; -1 for no limit");
        type(TopicConfigs.RETENTION_MS, ConfigKey.Type.LONG, "delete segments older than this; -1 keeps forever");
        type(TopicConfigs.SEGMENT_BYTES, ConfigKey.Type.INT, "segment size");
        type(TopicConfigs.SEGMENT_INDEX_BYTES, ConfigKey.Type.INT, "most an index file may hold");
        type(TopicConfigs.SEGMENT_MS, ConfigKey.Type.LONG, "roll a segment this old");
        type(TopicConfigs.SEGMENT_PREALLOCATE_BYTES, ConfigKey.Type.INT, "disk blocks reserved ahead of the writer in one step");
        type(TopicConfigs.RECOVERY_TRUNCATE_ON_CORRUPTION, ConfigKey.Type.BOOLEAN,
            "truncate at corruption in durable data instead of failing to open");
        type(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE, ConfigKey.Type.BOOLEAN, "allow an out-of-sync replica to become leader");
    }

    private static void type(final String key, final ConfigKey.Type type, final String doc)
    {
        TYPES.put(key, type);
        DOCS.put(key, doc);
    }

    /**
     * One synonym.
     *
     * @param name   key.
     * @param value  value as set there.
     * @param source its source code.
     */
    public record Synonym(String name, String value, byte source)
    {
    }

    /**
     * One described entry.
     *
     * @param name     the topic key.
     * @param value    effective value.
     * @param source   where the value comes from.
     * @param type     value type.
     * @param doc      documentation.
     * @param synonyms in precedence order (always computed; callers drop them unless asked).
     */
    public record Entry(String name, String value, byte source, ConfigKey.Type type, String doc, List<Synonym> synonyms)
    {
    }

    private final BrokerConfig brokerConfig;

    /**
     * @param brokerConfig the broker configuration (explicit keys give STATIC_BROKER_CONFIG sources).
     */
    public TopicConfigDescriber(final BrokerConfig brokerConfig)
    {
        this.brokerConfig = brokerConfig;
    }

    /**
     * @param overrides the topic's overrides.
     * @return every topic key, in a stable order.
     */
    public List<Entry> describe(final Map<String, String> overrides)
    {
        final Map<String, String> effective = TopicConfigs.effective(overrides, brokerConfig.topicDefaults());
        final List<Entry> entries = new ArrayList<>();
        for (final String key : TopicConfigs.KEYS)
        {
            final List<Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(key))
            {
                synonyms.add(new Synonym(key, overrides.get(key), SOURCE_TOPIC));
            }
            ConfigKey defaultSynonym = null;
            for (final ConfigKey k : BrokerConfigKeys.ALL)
            {
                if (!key.equals(k.topicKey()))
                {
                    continue;
                }
                final String explicit = brokerConfig.explicit().get(k.name());
                if (explicit != null)
                {
                    synonyms.add(new Synonym(k.name(), explicit, SOURCE_STATIC_BROKER));
                }
                if (defaultSynonym == null && k.defaultValue() != null)
                {
                    defaultSynonym = k;
                }
            }
            if (defaultSynonym != null)
            {
                synonyms.add(new Synonym(defaultSynonym.name(), defaultSynonym.defaultValue(), SOURCE_DEFAULT));
            }
            final byte source = synonyms.isEmpty() ? SOURCE_DEFAULT : synonyms.get(0).source();
            entries.add(new Entry(key, effective.get(key), source, TYPES.getOrDefault(key, ConfigKey.Type.STRING),
                DOCS.get(key), synonyms));
        }
        return entries;
    }
}
