package io.tidemark.broker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.tidemark.replication.ReplicationConfig;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.TopicConfigs;

/**
 * The broker's configuration: {@code server.properties} parsed and validated into typed, immutable
 * settings. Keys are Kafka's where the meaning matches (see {@link BrokerConfigKeys} for every key,
 * its default and range); a bad value throws {@link ConfigException} naming the key, the value and
 * what is allowed; unknown keys are tolerated and listed in {@link #unknownKeys()} for the caller to
 * warn about.
 *
 * <pre>{@code
 * BrokerConfig config = BrokerConfig.builder()
 *     .logDirs(dir)
 *     .set("listeners", "PLAINTEXT://127.0.0.1:0")
 *     .build();
 * }</pre>
 *
 * @param nodeId                   {@code node.id}.
 * @param rack                     {@code broker.rack}, or null.
 * @param processRoles             {@code process.roles}.
 * @param listeners                {@code listeners} serving the Kafka API (controller listeners excluded).
 * @param advertisedListeners      {@code advertised.listeners}: one per served listener, same order; a
 *                                 wildcard host or port 0 is resolved when the listener is bound.
 * @param controllerListenerNames  {@code controller.listener.names}.
 * @param controllerQuorumVoters   {@code controller.quorum.voters}.
 * @param logDirs                  {@code log.dirs} (or {@code log.dir}).
 * @param numPartitions            {@code num.partitions}.
 * @param defaultReplicationFactor {@code default.replication.factor}.
 * @param autoCreateTopicsEnable   {@code auto.create.topics.enable}.
 * @param deleteTopicEnable        {@code delete.topic.enable}.
 * @param requestTimeoutMs         {@code request.timeout.ms}.
 * @param brokerSessionTimeoutMs   {@code broker.session.timeout.ms}.
 * @param brokerHeartbeatIntervalMs {@code broker.heartbeat.interval.ms}.
 * @param fetchMaxBytes            {@code fetch.max.bytes}.
 * @param network                  socket and request limits.
 * @param replication              replication settings.
 * @param logWriter                the engine's per-process knobs.
 * @param producerState            idempotent-producer state settings.
 * @param topicDefaults            broker-level topic defaults in topic key space (only those set explicitly).
 * @param explicit                 every known key set explicitly, with its value as written.
 * @param unknownKeys              keys given that the broker does not know (ignored).
 */
public record BrokerConfig(
    int nodeId,
    String rack,
    Set<String> processRoles,
    List<Endpoint> listeners,
    List<Endpoint> advertisedListeners,
    List<String> controllerListenerNames,
    List<QuorumVoter> controllerQuorumVoters,
    List<Path> logDirs,
    int numPartitions,
    short defaultReplicationFactor,
    boolean autoCreateTopicsEnable,
    boolean deleteTopicEnable,
    long requestTimeoutMs,
    long brokerSessionTimeoutMs,
    long brokerHeartbeatIntervalMs,
    int fetchMaxBytes,
    NetworkSettings network,
    ReplicationConfig replication,
    LogWriterSettings logWriter,
    ProducerStateSettings producerState,
    Map<String, String> topicDefaults,
    Map<String, String> explicit,
    List<String> unknownKeys)
{
    /**
     * Copies the collections.
     */
    public BrokerConfig
    {
        processRoles = Set.copyOf(processRoles);
        listeners = List.copyOf(listeners);
        advertisedListeners = List.copyOf(advertisedListeners);
        controllerListenerNames = List.copyOf(controllerListenerNames);
        controllerQuorumVoters = List.copyOf(controllerQuorumVoters);
        logDirs = List.copyOf(logDirs);
        topicDefaults = Map.copyOf(topicDefaults);
        explicit = Map.copyOf(explicit);
        unknownKeys = List.copyOf(unknownKeys);
        if (listeners.size() != advertisedListeners.size())
        {
            throw new IllegalArgumentException("one advertised listener per listener");
        }
    }

    /**
     * @return a builder starting from the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Parses and validates properties.
     *
     * @param properties key to value, as read from {@code server.properties} (with overrides applied).
     * @return the configuration.
     * @throws ConfigException naming the first bad key.
     */
    public static BrokerConfig parse(final Map<String, String> properties)
    {
        return new Parser(properties).parse();
    }

    /**
     * @param key a known key.
     * @return its value as in force: as set, else the default (null when it has none).
     */
    public String valueOf(final String key)
    {
        final String v = explicit.get(key);
        if (v != null)
        {
            return v;
        }
        final ConfigKey k = BrokerConfigKeys.BY_NAME.get(key);
        return k == null ? null : k.defaultValue();
    }

    /**
     * @return the scrubber's knobs ({@code log.scrub.*}, validated with the other keys).
     */
    public ScrubSettings scrub()
    {
        return new ScrubSettings(Boolean.parseBoolean(valueOf(BrokerConfigKeys.LOG_SCRUB_ENABLE)),
            Long.parseLong(valueOf(BrokerConfigKeys.LOG_SCRUB_BYTES_PER_SECOND)), Long.parseLong(valueOf(BrokerConfigKeys.LOG_SCRUB_INTERVAL_MS)));
    }

    /**
     * @param listenerName a served listener.
     * @return its index in {@link #listeners()}, or -1.
     */
    public int listenerIndex(final String listenerName)
    {
        for (int i = 0; i < listeners.size(); i++)
        {
            if (listeners.get(i).name().equals(listenerName))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the first controller listener as configured in {@code listeners} (where this voter's
     *         quorum traffic binds), or null when none is configured.
     */
    public Endpoint controllerListener()
    {
        for (final Endpoint e : BrokerConfigKeys.endpoints(BrokerConfigKeys.LISTENERS, valueOf(BrokerConfigKeys.LISTENERS)))
        {
            if (controllerListenerNames.contains(e.name()))
            {
                return e;
            }
        }
        return null;
    }

    /**
     * @return {@code inter.broker.listener.name}: the listener serving followers' replica fetches.
     */
    public String interBrokerListenerName()
    {
        return valueOf(BrokerConfigKeys.INTER_BROKER_LISTENER_NAME);
    }

    /**
     * @return whether a controller quorum is configured ({@code controller.quorum.voters} set).
     */
    public boolean hasQuorum()
    {
        return !controllerQuorumVoters.isEmpty();
    }

    /**
     * @return whether this node is one of the quorum's voters and runs the controller role.
     */
    public boolean isVoter()
    {
        if (!processRoles.contains("controller"))
        {
            return false;
        }
        for (final QuorumVoter v : controllerQuorumVoters)
        {
            if (v.id() == nodeId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Builds a configuration from key/value pairs on top of the defaults.
     */
    public static final class Builder
    {
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder()
        {
        }

        /**
         * @param key   a key.
         * @param value its value.
         * @return this.
         */
        public Builder set(final String key, final Object value)
        {
            properties.put(key, String.valueOf(value));
            return this;
        }

        /**
         * @param all keys and values.
         * @return this.
         */
        public Builder setAll(final Map<String, String> all)
        {
            properties.putAll(all);
            return this;
        }

        /**
         * @param dirs the log directories.
         * @return this.
         */
        public Builder logDirs(final Path... dirs)
        {
            final StringBuilder b = new StringBuilder();
            for (final Path d : dirs)
            {
                b.append(b.length() == 0 ? "" : ",").append(d.toAbsolutePath());
            }
            return set(BrokerConfigKeys.LOG_DIRS, b.toString());
        }

        /**
         * @param id {@code node.id}.
         * @return this.
         */
        public Builder nodeId(final int id)
        {
            return set(BrokerConfigKeys.NODE_ID, id);
        }

        /**
         * @param listeners {@code listeners}, e.g. {@code PLAINTEXT://127.0.0.1:0}.
         * @return this.
         */
        public Builder listeners(final String listeners)
        {
            return set(BrokerConfigKeys.LISTENERS, listeners);
        }

        /**
         * @return the validated configuration.
         * @throws ConfigException naming the first bad key.
         */
        public BrokerConfig build()
        {
            return parse(properties);
        }
    }

    /**
     * One parse: typed access to the raw values with validation.
     */
    private static final class Parser
    {
        private final Map<String, String> explicit = new TreeMap<>();
        private final List<String> unknown = new ArrayList<>();

        Parser(final Map<String, String> properties)
        {
            for (final Map.Entry<String, String> e : new TreeMap<>(properties).entrySet())
            {
                final String key = e.getKey().trim();
                if (BrokerConfigKeys.BY_NAME.containsKey(key))
                {
                    explicit.put(key, e.getValue() == null ? null : e.getValue().trim());
                }
                else
                {
                    unknown.add(key);
                }
            }
        }

        private String raw(final String key)
        {
            final ConfigKey k = BrokerConfigKeys.BY_NAME.get(key);
            final String v = explicit.containsKey(key) ? explicit.get(key) : k.defaultValue();
            k.validate(v);
            return v;
        }

        private boolean isSet(final String key)
        {
            return explicit.containsKey(key);
        }

        private long longOf(final String key)
        {
            return BrokerConfigKeys.BY_NAME.get(key).asLong(raw(key));
        }

        private int intOf(final String key)
        {
            return (int)longOf(key);
        }

        private boolean boolOf(final String key)
        {
            return BrokerConfigKeys.BY_NAME.get(key).asBoolean(raw(key));
        }

        BrokerConfig parse()
        {
            for (final String key : explicit.keySet())
            {
                raw(key); // validate every explicit key, even those not otherwise read
            }
            final int nodeId = nodeId();
            final Set<String> roles = new LinkedHashSet<>();
            for (final String r : ConfigKey.asList(raw(BrokerConfigKeys.PROCESS_ROLES)))
            {
                roles.add(r.toLowerCase(Locale.ROOT));
            }
            if (roles.isEmpty())
            {
                throw new ConfigException(BrokerConfigKeys.PROCESS_ROLES, explicit.get(BrokerConfigKeys.PROCESS_ROLES), "broker and/or controller");
            }
            final List<String> controllerNames = new ArrayList<>();
            for (final String n : ConfigKey.asList(raw(BrokerConfigKeys.CONTROLLER_LISTENER_NAMES)))
            {
                controllerNames.add(n.toUpperCase(Locale.ROOT));
            }
            final List<QuorumVoter> voters = new ArrayList<>();
            for (final String v : ConfigKey.asList(raw(BrokerConfigKeys.CONTROLLER_QUORUM_VOTERS)))
            {
                voters.add(QuorumVoter.parse(BrokerConfigKeys.CONTROLLER_QUORUM_VOTERS, v));
            }
            final List<Endpoint> served = new ArrayList<>();
            final List<Endpoint> advertised = new ArrayList<>();
            if (!voters.isEmpty() && roles.contains("controller") && controllerNames.isEmpty())
            {
                // Kafka (KRaft): a node with the controller role names its controller listener; without one the quorum port
                // would also be served as a Kafka listener and bound twice
                throw new ConfigException(BrokerConfigKeys.CONTROLLER_LISTENER_NAMES, "",
                    "required with process.roles=" + raw(BrokerConfigKeys.PROCESS_ROLES) + " and controller.quorum.voters set: " +
                    "the name of the listener in listeners=" + raw(BrokerConfigKeys.LISTENERS) + " where this voter's quorum traffic binds");
            }
            listeners(controllerNames, served, advertised);
            final NetworkSettings network = new NetworkSettings(
                intOf(BrokerConfigKeys.NUM_NETWORK_THREADS), intOf(BrokerConfigKeys.NUM_IO_THREADS),
                intOf(BrokerConfigKeys.SOCKET_REQUEST_MAX_BYTES), longOf(BrokerConfigKeys.QUEUED_MAX_REQUEST_BYTES),
                intOf(BrokerConfigKeys.MAX_CONNECTIONS), intOf(BrokerConfigKeys.MAX_CONNECTIONS_PER_IP),
                BrokerConfigKeys.connectionOverrides(raw(BrokerConfigKeys.MAX_CONNECTIONS_PER_IP_OVERRIDES)),
                intOf(BrokerConfigKeys.QUEUED_MAX_REQUESTS_PER_CONNECTION), longOf(BrokerConfigKeys.CONNECTIONS_MAX_IDLE_MS),
                longOf(BrokerConfigKeys.SOCKET_REQUEST_READ_TIMEOUT_MS), intOf(BrokerConfigKeys.SOCKET_SEND_BUFFER_BYTES),
                intOf(BrokerConfigKeys.SOCKET_RECEIVE_BUFFER_BYTES));
            final long lagMs = longOf(BrokerConfigKeys.REPLICA_LAG_TIME_MAX_MS);
            final int fetchWaitMs = intOf(BrokerConfigKeys.REPLICA_FETCH_WAIT_MAX_MS);
            if (fetchWaitMs > lagMs)
            {
                throw new ConfigException(BrokerConfigKeys.REPLICA_FETCH_WAIT_MAX_MS, String.valueOf(fetchWaitMs),
                    "must be at most replica.lag.time.max.ms=" + lagMs);
            }
            final ReplicationConfig replication = new ReplicationConfig(nodeId, lagMs, intOf(BrokerConfigKeys.REPLICA_FETCH_MAX_BYTES),
                fetchWaitMs, longOf(BrokerConfigKeys.REPLICA_FETCH_BACKOFF_MS), 10);
            final Map<String, String> topicDefaults = topicDefaults();
            final LogWriterSettings writer = logWriter(Integer.parseInt(topicDefaults.getOrDefault(TopicConfigs.MAX_MESSAGE_BYTES,
                TopicConfigs.DEFAULTS.get(TopicConfigs.MAX_MESSAGE_BYTES))));
            final ProducerStateSettings producerState = new ProducerStateSettings(longOf(BrokerConfigKeys.PRODUCER_ID_EXPIRATION_MS),
                longOf(BrokerConfigKeys.PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS), longOf(BrokerConfigKeys.PRODUCER_STATE_SNAPSHOT_INTERVAL_MS));
            return new BrokerConfig(nodeId, explicit.get(BrokerConfigKeys.BROKER_RACK), roles, served, advertised, controllerNames, voters,
                logDirs(), intOf(BrokerConfigKeys.NUM_PARTITIONS), (short)intOf(BrokerConfigKeys.DEFAULT_REPLICATION_FACTOR),
                boolOf(BrokerConfigKeys.AUTO_CREATE_TOPICS_ENABLE), boolOf(BrokerConfigKeys.DELETE_TOPIC_ENABLE),
                longOf(BrokerConfigKeys.REQUEST_TIMEOUT_MS), longOf(BrokerConfigKeys.BROKER_SESSION_TIMEOUT_MS),
                longOf(BrokerConfigKeys.BROKER_HEARTBEAT_INTERVAL_MS), intOf(BrokerConfigKeys.FETCH_MAX_BYTES), network, replication,
                writer, producerState, topicDefaults, explicit, unknown);
        }

        private int nodeId()
        {
            final int nodeId = intOf(BrokerConfigKeys.NODE_ID);
            if (isSet(BrokerConfigKeys.BROKER_ID))
            {
                final int brokerId = intOf(BrokerConfigKeys.BROKER_ID);
                if (isSet(BrokerConfigKeys.NODE_ID) && brokerId != nodeId)
                {
                    throw new ConfigException(BrokerConfigKeys.BROKER_ID, String.valueOf(brokerId),
                        "must equal node.id=" + nodeId + " when both are set");
                }
                return brokerId;
            }
            return nodeId;
        }

        private void listeners(final List<String> controllerNames, final List<Endpoint> served, final List<Endpoint> advertised)
        {
            final List<Endpoint> all = BrokerConfigKeys.endpoints(BrokerConfigKeys.LISTENERS, raw(BrokerConfigKeys.LISTENERS));
            final Set<String> names = new HashSet<>();
            for (final Endpoint e : all)
            {
                names.add(e.name());
                if (!controllerNames.contains(e.name()))
                {
                    served.add(e);
                }
            }
            for (final String n : controllerNames)
            {
                if (!names.contains(n))
                {
                    throw new ConfigException(BrokerConfigKeys.CONTROLLER_LISTENER_NAMES, explicit.get(BrokerConfigKeys.CONTROLLER_LISTENER_NAMES),
                        "names of listeners in listeners=" + raw(BrokerConfigKeys.LISTENERS) + "; " + n + " is not one");
                }
            }
            if (served.isEmpty())
            {
                throw new ConfigException(BrokerConfigKeys.LISTENERS, raw(BrokerConfigKeys.LISTENERS),
                    "at least one listener that is not a controller listener (it serves the Kafka API)");
            }
            securityProtocols(all, controllerNames);
            final Map<String, Endpoint> given = new LinkedHashMap<>();
            for (final Endpoint e : BrokerConfigKeys.endpoints(BrokerConfigKeys.ADVERTISED_LISTENERS, raw(BrokerConfigKeys.ADVERTISED_LISTENERS)))
            {
                if (!names.contains(e.name()))
                {
                    throw new ConfigException(BrokerConfigKeys.ADVERTISED_LISTENERS, raw(BrokerConfigKeys.ADVERTISED_LISTENERS),
                        "names of listeners in listeners; " + e.name() + " is not one");
                }
                if (e.wildcard() || e.port() == 0)
                {
                    throw new ConfigException(BrokerConfigKeys.ADVERTISED_LISTENERS, raw(BrokerConfigKeys.ADVERTISED_LISTENERS),
                        "a concrete host and port clients can connect to (no wildcard host, no port 0): " + e);
                }
                given.put(e.name(), e);
            }
            for (final Endpoint e : served)
            {
                advertised.add(given.getOrDefault(e.name(), e));
            }
        }

        /**
         * Every listener resolves to a security protocol as in Kafka (its entry in
         * {@code listener.security.protocol.map}; a controller listener defaults to PLAINTEXT while the map is not set),
         * and only PLAINTEXT is served: a listener whose protocol asks for TLS or SASL is refused rather than served
         * with less protection than its name says.
         */
        private void securityProtocols(final List<Endpoint> all, final List<String> controllerNames)
        {
            final String mapKey = BrokerConfigKeys.LISTENER_SECURITY_PROTOCOL_MAP;
            final Map<String, String> protocols = BrokerConfigKeys.protocolMap(raw(mapKey));
            for (final Endpoint e : all)
            {
                String protocol = protocols.get(e.name());
                if (protocol == null && !isSet(mapKey) && controllerNames.contains(e.name()))
                {
                    protocol = "PLAINTEXT";
                }
                if (protocol == null)
                {
                    throw new ConfigException(mapKey, raw(mapKey), "a security protocol for every listener; listener " + e.name() +
                        " (listeners=" + raw(BrokerConfigKeys.LISTENERS) + ") has none");
                }
                if (!"PLAINTEXT".equals(protocol))
                {
                    throw new ConfigException(BrokerConfigKeys.LISTENERS, raw(BrokerConfigKeys.LISTENERS), "listener " + e.name() +
                        " has security protocol " + protocol + " (" + mapKey + "), which is not supported yet (no TLS or SASL): " +
                        "only PLAINTEXT listeners are served, never one with less protection than its protocol says");
                }
            }
        }

        private List<Path> logDirs()
        {
            final String key = isSet(BrokerConfigKeys.LOG_DIRS) ? BrokerConfigKeys.LOG_DIRS : BrokerConfigKeys.LOG_DIR;
            final String text = raw(key);
            final List<Path> dirs = new ArrayList<>();
            final Set<Path> seen = new HashSet<>();
            for (final String item : ConfigKey.asList(text))
            {
                final Path p;
                try
                {
                    p = Path.of(item).toAbsolutePath().normalize();
                }
                catch (final RuntimeException ex)
                {
                    throw new ConfigException(key, text, "directory paths: " + ex.getMessage());
                }
                if (!seen.add(p))
                {
                    throw new ConfigException(key, text, "each directory at most once; " + p + " repeats");
                }
                dirs.add(p);
            }
            if (dirs.isEmpty())
            {
                throw new ConfigException(key, text, "at least one directory");
            }
            return dirs;
        }

        private Map<String, String> topicDefaults()
        {
            final Map<String, String> d = new LinkedHashMap<>();
            for (final ConfigKey k : BrokerConfigKeys.ALL)
            {
                if (k.topicKey() != null && isSet(k.name()) && !isTimeSynonym(k.name()))
                {
                    String v = raw(k.name());
                    if (BrokerConfigKeys.LOG_MESSAGE_TIMESTAMP_TYPE.equals(k.name()))
                    {
                        v = "logappendtime".equalsIgnoreCase(v) ? "LogAppendTime" : "CreateTime";
                    }
                    d.put(k.topicKey(), v);
                }
            }
            if (isSet(BrokerConfigKeys.LOG_ROLL_MS))
            {
                d.put(TopicConfigs.SEGMENT_MS, String.valueOf(longOf(BrokerConfigKeys.LOG_ROLL_MS)));
            }
            else if (isSet(BrokerConfigKeys.LOG_ROLL_HOURS))
            {
                d.put(TopicConfigs.SEGMENT_MS, String.valueOf(longOf(BrokerConfigKeys.LOG_ROLL_HOURS) * 3_600_000L));
            }
            final Long retention = retentionMs();
            if (retention != null)
            {
                d.put(TopicConfigs.RETENTION_MS, String.valueOf(retention));
            }
            try
            {
                TopicConfigs.validate(Map.of(), d);
            }
            catch (final ControllerException | IllegalArgumentException ex)
            {
                throw new ConfigException("log.* topic defaults", d.toString(), ex.getMessage());
            }
            return d;
        }

        private static boolean isTimeSynonym(final String key)
        {
            return key.startsWith("log.roll.") || key.startsWith("log.retention.") && !BrokerConfigKeys.LOG_RETENTION_BYTES.equals(key) &&
                !BrokerConfigKeys.LOG_RETENTION_CHECK_INTERVAL_MS.equals(key);
        }

        /**
         * Kafka's precedence: ms, then minutes, then hours; -1 (or any negative) keeps forever.
         */
        private Long retentionMs()
        {
            if (isSet(BrokerConfigKeys.LOG_RETENTION_MS))
            {
                return longOf(BrokerConfigKeys.LOG_RETENTION_MS);
            }
            if (isSet(BrokerConfigKeys.LOG_RETENTION_MINUTES))
            {
                final long m = longOf(BrokerConfigKeys.LOG_RETENTION_MINUTES);
                return m < 0 ? -1 : m * 60_000L;
            }
            if (isSet(BrokerConfigKeys.LOG_RETENTION_HOURS))
            {
                final long h = longOf(BrokerConfigKeys.LOG_RETENTION_HOURS);
                return h < 0 ? -1 : h * 3_600_000L;
            }
            return null;
        }

        private LogWriterSettings logWriter(final int maxMessageBytes)
        {
            final int ring = intOf(BrokerConfigKeys.LOG_WRITER_RING_BYTES);
            if (ring != 0)
            {
                final long needed = 8L * (maxMessageBytes + 128);
                if (Integer.bitCount(ring) != 1 || ring < needed || ring < 64 * 1024)
                {
                    throw new ConfigException(BrokerConfigKeys.LOG_WRITER_RING_BYTES, String.valueOf(ring),
                        "0 (automatic) or a power of two of at least 65536 and 8 x (message.max.bytes + 128) = " + needed);
                }
            }
            return new LogWriterSettings(intOf(BrokerConfigKeys.LOG_WRITER_THREADS), ring, intOf(BrokerConfigKeys.LOG_WRITER_MAX_PENDING),
                longOf(BrokerConfigKeys.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS), longOf(BrokerConfigKeys.LOG_RETENTION_CHECK_INTERVAL_MS));
        }
    }
}
