package io.tidemark.replication.controller;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.tidemark.engine.ConfigException;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.LogConfig;

/**
 * Topic-level configuration: the keys a topic may override (Kafka's names, plus Tidemark's
 * {@code flush.policy}, {@code segment.preallocate.bytes} and {@code recovery.truncate.on.corruption}),
 * their validation, and how an effective set maps onto a {@link LogConfig} and the replication
 * settings. Effective value = topic override, else broker default, else the built-in default.
 */
public final class TopicConfigs
{
    /** {@code cleanup.policy}: only delete is supported. */
    public static final String CLEANUP_POLICY = "cleanup.policy";
    /** {@code compression.type}: only producer (batches are stored as sent). */
    public static final String COMPRESSION_TYPE = "compression.type";
    /** {@code flush.policy}. */
    public static final String FLUSH_POLICY = "flush.policy";
    /** {@code flush.messages}: Kafka's; sets flush.policy messages:N when flush.policy is not set. */
    public static final String FLUSH_MESSAGES = "flush.messages";
    /** {@code flush.ms}: Kafka's; sets flush.policy interval:T when flush.policy is not set. */
    public static final String FLUSH_MS = "flush.ms";
    /** {@code index.interval.bytes}. */
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    /** {@code max.message.bytes}. */
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    /** {@code message.timestamp.type}. */
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    /** {@code min.insync.replicas}. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    /** {@code retention.bytes}. */
    public static final String RETENTION_BYTES = "retention.bytes";
    /** {@code retention.ms}. */
    public static final String RETENTION_MS = "retention.ms";
    /** {@code segment.bytes}. */
    public static final String SEGMENT_BYTES = "segment.bytes";
    /** {@code segment.index.bytes}. */
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    /** {@code segment.ms}. */
    public static final String SEGMENT_MS = "segment.ms";
    /** {@code segment.preallocate.bytes}. */
    public static final String SEGMENT_PREALLOCATE_BYTES = "segment.preallocate.bytes";
    /** {@code recovery.truncate.on.corruption}. */
    public static final String RECOVERY_TRUNCATE_ON_CORRUPTION = "recovery.truncate.on.corruption";
    /** {@code unclean.leader.election.enable}. */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";

    /** Built-in defaults, Kafka's where Kafka has the key. */
    public static final Map<String, String> DEFAULTS;

    static
    {
        final LogConfig d = LogConfig.defaults();
        final Map<String, String> m = new LinkedHashMap<>();
        m.put(CLEANUP_POLICY, "delete");
        m.put(COMPRESSION_TYPE, "producer");
        m.put(FLUSH_POLICY, d.flushPolicy().toString());
        m.put(FLUSH_MESSAGES, String.valueOf(Long.MAX_VALUE));
        m.put(FLUSH_MS, String.valueOf(Long.MAX_VALUE));
        m.put(INDEX_INTERVAL_BYTES, String.valueOf(d.indexIntervalBytes()));
        m.put(MAX_MESSAGE_BYTES, String.valueOf(d.maxBatchBytes()));
        m.put(MESSAGE_TIMESTAMP_TYPE, "CreateTime");
        m.put(MIN_INSYNC_REPLICAS, "1");
        m.put(RETENTION_BYTES, String.valueOf(d.retentionBytes()));
        m.put(RETENTION_MS, String.valueOf(d.retentionMs()));
        m.put(SEGMENT_BYTES, String.valueOf(d.segmentBytes()));
        m.put(SEGMENT_INDEX_BYTES, String.valueOf(d.segmentIndexBytes()));
        m.put(SEGMENT_MS, String.valueOf(d.segmentMs()));
        m.put(SEGMENT_PREALLOCATE_BYTES, String.valueOf(d.preallocateBytes()));
        m.put(RECOVERY_TRUNCATE_ON_CORRUPTION, "false");
        m.put(UNCLEAN_LEADER_ELECTION_ENABLE, "false");
        DEFAULTS = java.util.Collections.unmodifiableMap(m);
    }

    /** Every key a topic may set. */
    public static final Set<String> KEYS = DEFAULTS.keySet();

    private TopicConfigs()
    {
    }

    /**
     * Checks overrides: known keys, parseable values in range, and a consistent combination.
     *
     * @param overrides      topic overrides.
     * @param brokerDefaults broker-level defaults in topic key space.
     * @throws ControllerException with reason INVALID_CONFIG naming the key, value and what is allowed.
     */
    public static void validate(final Map<String, String> overrides, final Map<String, String> brokerDefaults)
    {
        for (final Map.Entry<String, String> e : overrides.entrySet())
        {
            if (!KEYS.contains(e.getKey()))
            {
                throw new ControllerException(ControllerException.Reason.INVALID_CONFIG,
                    "unknown topic config " + e.getKey() + "; known: " + KEYS);
            }
            if (e.getValue() == null)
            {
                throw new ControllerException(ControllerException.Reason.INVALID_CONFIG, "null value for " + e.getKey());
            }
        }
        try
        {
            final Map<String, String> effective = effective(overrides, brokerDefaults);
            toLogConfig(effective);
            minInsyncReplicas(effective);
            parseBoolean(UNCLEAN_LEADER_ELECTION_ENABLE, effective.get(UNCLEAN_LEADER_ELECTION_ENABLE));
            logAppendTime(effective);
            if (!"delete".equals(effective.get(CLEANUP_POLICY)))
            {
                throw new ConfigException(CLEANUP_POLICY, effective.get(CLEANUP_POLICY), "only delete is supported (no compaction)");
            }
            if (!"producer".equals(effective.get(COMPRESSION_TYPE)))
            {
                throw new ConfigException(COMPRESSION_TYPE, effective.get(COMPRESSION_TYPE),
                    "only producer: batches are stored as the producer sent them, never recompressed");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ControllerException(ControllerException.Reason.INVALID_CONFIG, ex.getMessage());
        }
    }

    /**
     * @param overrides      topic overrides.
     * @param brokerDefaults broker defaults in topic key space.
     * @return every key with its effective value.
     */
    public static Map<String, String> effective(final Map<String, String> overrides, final Map<String, String> brokerDefaults)
    {
        final Map<String, String> result = new LinkedHashMap<>(DEFAULTS);
        for (final Map.Entry<String, String> e : brokerDefaults.entrySet())
        {
            if (KEYS.contains(e.getKey()))
            {
                result.put(e.getKey(), e.getValue());
            }
        }
        result.putAll(overrides);
        return result;
    }

    /**
     * @param effective every key with its effective value.
     * @return the log configuration.
     * @throws ConfigException on a bad value.
     */
    public static LogConfig toLogConfig(final Map<String, String> effective)
    {
        return LogConfig.builder()
            .segmentBytes(parseInt(SEGMENT_BYTES, effective.get(SEGMENT_BYTES)))
            .segmentMs(parseLong(SEGMENT_MS, effective.get(SEGMENT_MS)))
            .segmentIndexBytes(parseInt(SEGMENT_INDEX_BYTES, effective.get(SEGMENT_INDEX_BYTES)))
            .indexIntervalBytes(parseInt(INDEX_INTERVAL_BYTES, effective.get(INDEX_INTERVAL_BYTES)))
            .maxBatchBytes(parseInt(MAX_MESSAGE_BYTES, effective.get(MAX_MESSAGE_BYTES)))
            .flushPolicy(flushPolicy(effective))
            .retentionMs(parseLong(RETENTION_MS, effective.get(RETENTION_MS)))
            .retentionBytes(parseLong(RETENTION_BYTES, effective.get(RETENTION_BYTES)))
            .preallocateBytes(Math.min(parseInt(SEGMENT_PREALLOCATE_BYTES, effective.get(SEGMENT_PREALLOCATE_BYTES)),
                Math.max(4096, parseInt(SEGMENT_BYTES, effective.get(SEGMENT_BYTES)))))
            .truncateOnCorruption(parseBoolean(RECOVERY_TRUNCATE_ON_CORRUPTION, effective.get(RECOVERY_TRUNCATE_ON_CORRUPTION)))
            .build();
    }

    /**
     * {@code flush.policy} wins; otherwise Kafka's {@code flush.messages} / {@code flush.ms} map onto
     * {@code messages:N} / {@code interval:T} when set below their "never" default.
     */
    private static FlushPolicy flushPolicy(final Map<String, String> effective)
    {
        final String policy = effective.get(FLUSH_POLICY);
        final FlushPolicy parsed = FlushPolicy.parse(policy);
        if (parsed.kind() != FlushPolicy.Kind.NONE)
        {
            return parsed;
        }
        final long messages = parseLong(FLUSH_MESSAGES, effective.get(FLUSH_MESSAGES));
        final long ms = parseLong(FLUSH_MS, effective.get(FLUSH_MS));
        if (messages == 1)
        {
            return FlushPolicy.BATCH;
        }
        if (messages > 0 && messages < Long.MAX_VALUE)
        {
            return FlushPolicy.messages(messages);
        }
        if (ms >= 0 && ms < Long.MAX_VALUE / 1_000_000)
        {
            return ms == 0 ? FlushPolicy.BATCH : FlushPolicy.interval(ms);
        }
        return parsed;
    }

    /**
     * @param effective effective configs.
     * @return {@code min.insync.replicas}.
     */
    public static int minInsyncReplicas(final Map<String, String> effective)
    {
        final int v = parseInt(MIN_INSYNC_REPLICAS, effective.get(MIN_INSYNC_REPLICAS));
        ConfigException.requireRange(MIN_INSYNC_REPLICAS, v, 1, Integer.MAX_VALUE);
        return v;
    }

    /**
     * @param effective effective configs.
     * @return {@code unclean.leader.election.enable}.
     */
    public static boolean uncleanLeaderElection(final Map<String, String> effective)
    {
        return parseBoolean(UNCLEAN_LEADER_ELECTION_ENABLE, effective.get(UNCLEAN_LEADER_ELECTION_ENABLE));
    }

    /**
     * @param effective effective configs.
     * @return true for {@code message.timestamp.type=LogAppendTime}.
     */
    public static boolean logAppendTime(final Map<String, String> effective)
    {
        final String v = effective.get(MESSAGE_TIMESTAMP_TYPE);
        if ("CreateTime".equals(v))
        {
            return false;
        }
        if ("LogAppendTime".equals(v))
        {
            return true;
        }
        throw new ConfigException(MESSAGE_TIMESTAMP_TYPE, v, "CreateTime or LogAppendTime");
    }

    private static int parseInt(final String key, final String value)
    {
        final long v = parseLong(key, value);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
        {
            throw new ConfigException(key, value, "an int");
        }
        return (int)v;
    }

    private static long parseLong(final String key, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(key, value, "a number");
        }
    }

    private static boolean parseBoolean(final String key, final String value)
    {
        final String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if ("true".equals(v) || "false".equals(v))
        {
            return Boolean.parseBoolean(v);
        }
        throw new ConfigException(key, value, "true or false");
    }
}
