package io.tidemark.replication.controller.raft;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import io.tidemark.engine.ConfigException;
import io.tidemark.replication.controller.ControllerTopics;
import io.tidemark.replication.controller.TopicConfigs;

/**
 * Configuration of a controller quorum member ({@link RaftController}) or of a broker-only client of
 * the quorum ({@link RemoteController}). Build with {@link #builder(int, String, Path)}; every value
 * is validated and a bad one throws a {@link ConfigException} naming the knob, the value and the
 * allowed range.
 *
 * <pre>
 * knob                                     default      meaning
 * node.id                                  (required)   this node; a voter's id must be in the voter list
 * controller.quorum.voters                 (required)   id@host:port,... of every voter's CONTROLLER listener
 * controller.listener.address              own voter    where this voter listens (bind address)
 * metadata.log.dir                         (required)   directory of the Raft log and snapshots
 * cluster.id                               (required)   a directory or message of another cluster is refused
 * controller.raft.heartbeat.period.secs    1            leader heartbeat and follower check tick (whole seconds)
 * controller.raft.heartbeat.timeout.secs   2            no heartbeat for this long: a follower starts an election
 * controller.raft.election.timeout.ms      400          election round; MicroRaft adds 0-99 ms of noise
 * metadata.snapshot.interval.entries       1000         snapshot every N applied entries (never lower it later)
 * controller.raft.max.pending.entries      1000         uncommitted entries before writes are pushed back
 * controller.raft.append.batch.size        100          entries per AppendEntries message
 * metadata.snapshot.chunk.bytes            262144       snapshot chunk size (one chunk per message)
 * metadata.log.segment.bytes               8388608      Raft log segment size
 * broker.session.timeout.ms                9000         a broker silent this long is fenced
 * controller.request.timeout.ms            30000        a controller call fails after this long without an answer
 * controller.rpc.timeout.ms                5000         one attempt at the active controller
 * controller.retry.backoff.ms              50           pause before retrying when there is no leader
 * metadata.fetch.wait.ms                   2000         long-poll wait of a broker-only node following images
 * num.partitions                           1            partitions of a topic created without a count
 * default.replication.factor               1            replication factor of a topic created without one
 * (brokerDefaults)                         none         broker-level topic config defaults
 * replica.placement                        fixed        new topics: fixed = partition i on brokers i, i+1, ...; random = Kafka's random start and shift
 * </pre>
 *
 * The active controller's defaults (topic configs, partitions, replication factor, snapshot chunk
 * size) are written into its term's first log entry and hold on every voter for that term.
 *
 * @param nodeId                   {@code node.id}.
 * @param voters                   voter id to CONTROLLER listener address, ordered by id.
 * @param listenAddress            bind address of this voter's CONTROLLER listener (null: its voter address).
 * @param metadataDir              {@code metadata.log.dir}.
 * @param clusterId                {@code cluster.id}.
 * @param heartbeatPeriodSecs      see the table.
 * @param heartbeatTimeoutSecs     see the table.
 * @param electionTimeoutMs        see the table.
 * @param snapshotIntervalEntries  see the table.
 * @param maxPendingEntries        see the table.
 * @param appendBatchSize          see the table.
 * @param snapshotChunkBytes       see the table.
 * @param logSegmentBytes          see the table.
 * @param sessionTimeoutMs         see the table.
 * @param requestTimeoutMs         see the table.
 * @param rpcTimeoutMs             see the table.
 * @param retryBackoffMs           see the table.
 * @param fetchWaitMs              see the table.
 * @param defaultPartitions        see the table.
 * @param defaultReplicationFactor see the table.
 * @param brokerDefaults           broker-level topic config defaults (Kafka key names).
 * @param randomReplicaPlacement   {@code replica.placement=random}: the controller that creates a topic picks the start
 *                                 and shift of its placement at random (Kafka's rule), and writes the assignment
 *                                 into the log, so every voter applies the same one.
 */
public record ControllerQuorumConfig(
    int nodeId,
    Map<Integer, InetSocketAddress> voters,
    InetSocketAddress listenAddress,
    Path metadataDir,
    String clusterId,
    int heartbeatPeriodSecs,
    int heartbeatTimeoutSecs,
    int electionTimeoutMs,
    int snapshotIntervalEntries,
    int maxPendingEntries,
    int appendBatchSize,
    int snapshotChunkBytes,
    long logSegmentBytes,
    long sessionTimeoutMs,
    long requestTimeoutMs,
    long rpcTimeoutMs,
    long retryBackoffMs,
    long fetchWaitMs,
    int defaultPartitions,
    short defaultReplicationFactor,
    Map<String, String> brokerDefaults,
    boolean randomReplicaPlacement)
{
    /** Most voters. */
    public static final int MAX_VOTERS = 9;

    /**
     * Validates every knob.
     */
    public ControllerQuorumConfig
    {
        ConfigException.requireRange("node.id", nodeId, 0, Integer.MAX_VALUE);
        if (voters == null || voters.isEmpty() || voters.size() > MAX_VOTERS)
        {
            throw new ConfigException("controller.quorum.voters", voters, "1 to " + MAX_VOTERS + " voters as id@host:port,...");
        }
        for (final Map.Entry<Integer, InetSocketAddress> e : voters.entrySet())
        {
            if (e.getKey() == null || e.getKey() < 0 || e.getValue() == null)
            {
                throw new ConfigException("controller.quorum.voters", voters, "non-negative ids with an address each");
            }
        }
        voters = Collections.unmodifiableMap(new TreeMap<>(voters));
        if (metadataDir == null)
        {
            throw new ConfigException("metadata.log.dir", null, "a directory");
        }
        if (clusterId == null || clusterId.isBlank() || clusterId.length() > 256)
        {
            throw new ConfigException("cluster.id", clusterId, "1 to 256 characters");
        }
        ConfigException.requireRange("controller.raft.heartbeat.period.secs", heartbeatPeriodSecs, 1, 60);
        ConfigException.requireRange("controller.raft.heartbeat.timeout.secs", heartbeatTimeoutSecs, heartbeatPeriodSecs, 600);
        ConfigException.requireRange("controller.raft.election.timeout.ms", electionTimeoutMs, 10, 60_000);
        ConfigException.requireRange("metadata.snapshot.interval.entries", snapshotIntervalEntries, 2, 1_000_000);
        ConfigException.requireRange("controller.raft.max.pending.entries", maxPendingEntries, 1, 100_000);
        ConfigException.requireRange("controller.raft.append.batch.size", appendBatchSize, 1, 10_000);
        ConfigException.requireRange("metadata.snapshot.chunk.bytes", snapshotChunkBytes, 64, RaftMessageCodec.MAX_CHUNK_BYTES);
        ConfigException.requireRange("metadata.log.segment.bytes", logSegmentBytes, 4096, 1L << 30);
        ConfigException.requireRange("broker.session.timeout.ms", sessionTimeoutMs, 1, 3_600_000);
        ConfigException.requireRange("controller.request.timeout.ms", requestTimeoutMs, 1, 3_600_000);
        ConfigException.requireRange("controller.rpc.timeout.ms", rpcTimeoutMs, 1, requestTimeoutMs);
        ConfigException.requireRange("controller.retry.backoff.ms", retryBackoffMs, 1, 60_000);
        ConfigException.requireRange("metadata.fetch.wait.ms", fetchWaitMs, 0, 600_000);
        ConfigException.requireRange("num.partitions", defaultPartitions, 1, ControllerTopics.MAX_PARTITIONS_PER_OPERATION);
        ConfigException.requireRange("default.replication.factor", defaultReplicationFactor, 1, Short.MAX_VALUE);
        if (brokerDefaults == null)
        {
            throw new ConfigException("brokerDefaults", null, "a map (possibly empty)");
        }
        for (final String key : brokerDefaults.keySet())
        {
            if (!TopicConfigs.KEYS.contains(key))
            {
                throw new ConfigException(key, brokerDefaults.get(key), "a topic config key: one of " + new java.util.TreeSet<>(TopicConfigs.KEYS));
            }
        }
        brokerDefaults = Map.copyOf(brokerDefaults);
    }

    /**
     * @return whether this node is one of the voters.
     */
    public boolean isVoter()
    {
        return voters.containsKey(nodeId);
    }

    /**
     * @return where this voter's CONTROLLER listener binds.
     */
    public InetSocketAddress effectiveListenAddress()
    {
        return listenAddress != null ? listenAddress : voters.get(nodeId);
    }

    /**
     * Parses {@code controller.quorum.voters}.
     *
     * @param value {@code id@host:port,id@host:port,...}.
     * @return id to address, ordered by id.
     * @throws ConfigException naming the bad entry.
     */
    public static Map<Integer, InetSocketAddress> parseVoters(final String value)
    {
        final Map<Integer, InetSocketAddress> voters = new TreeMap<>();
        if (value == null || value.isBlank())
        {
            throw new ConfigException("controller.quorum.voters", value, "id@host:port,... with at least one voter");
        }
        for (final String raw : value.split(","))
        {
            final String entry = raw.trim();
            final int at = entry.indexOf('@');
            final int colon = entry.lastIndexOf(':');
            if (at < 1 || colon < at + 2 || colon == entry.length() - 1)
            {
                throw new ConfigException("controller.quorum.voters", value, "entries of the form id@host:port; bad entry '" + entry + "'");
            }
            final int id;
            final int port;
            try
            {
                id = Integer.parseInt(entry.substring(0, at));
                port = Integer.parseInt(entry.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigException("controller.quorum.voters", value, "numeric id and port; bad entry '" + entry + "'");
            }
            if (id < 0 || port < 1 || port > 65535)
            {
                throw new ConfigException("controller.quorum.voters", value, "id >= 0 and port in [1, 65535]; bad entry '" + entry + "'");
            }
            if (voters.put(id, new InetSocketAddress(entry.substring(at + 1, colon), port)) != null)
            {
                throw new ConfigException("controller.quorum.voters", value, "each id once; " + id + " repeats");
            }
        }
        return voters;
    }

    /**
     * @param nodeId      {@code node.id}.
     * @param clusterId   {@code cluster.id}.
     * @param metadataDir {@code metadata.log.dir}.
     * @return a builder with the defaults (voters still to set).
     */
    public static Builder builder(final int nodeId, final String clusterId, final Path metadataDir)
    {
        return new Builder(nodeId, clusterId, metadataDir);
    }

    /**
     * @return a builder holding this configuration.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder(nodeId, clusterId, metadataDir);
        b.voters = voters;
        b.listenAddress = listenAddress;
        b.heartbeatPeriodSecs = heartbeatPeriodSecs;
        b.heartbeatTimeoutSecs = heartbeatTimeoutSecs;
        b.electionTimeoutMs = electionTimeoutMs;
        b.snapshotIntervalEntries = snapshotIntervalEntries;
        b.maxPendingEntries = maxPendingEntries;
        b.appendBatchSize = appendBatchSize;
        b.snapshotChunkBytes = snapshotChunkBytes;
        b.logSegmentBytes = logSegmentBytes;
        b.sessionTimeoutMs = sessionTimeoutMs;
        b.requestTimeoutMs = requestTimeoutMs;
        b.rpcTimeoutMs = rpcTimeoutMs;
        b.retryBackoffMs = retryBackoffMs;
        b.fetchWaitMs = fetchWaitMs;
        b.defaultPartitions = defaultPartitions;
        b.defaultReplicationFactor = defaultReplicationFactor;
        b.brokerDefaults = brokerDefaults;
        b.randomReplicaPlacement = randomReplicaPlacement;
        return b;
    }

    /**
     * Builds a {@link ControllerQuorumConfig}; unset knobs take the defaults in the table.
     */
    public static final class Builder
    {
        private int nodeId;
        private String clusterId;
        private Path metadataDir;
        private Map<Integer, InetSocketAddress> voters;
        private InetSocketAddress listenAddress;
        private int heartbeatPeriodSecs = 1;
        private int heartbeatTimeoutSecs = 2;
        private int electionTimeoutMs = 400;
        private int snapshotIntervalEntries = 1000;
        private int maxPendingEntries = 1000;
        private int appendBatchSize = 100;
        private int snapshotChunkBytes = 256 * 1024;
        private long logSegmentBytes = 8L * 1024 * 1024;
        private long sessionTimeoutMs = 9_000;
        private long requestTimeoutMs = 30_000;
        private long rpcTimeoutMs = 5_000;
        private long retryBackoffMs = 50;
        private long fetchWaitMs = 2_000;
        private int defaultPartitions = 1;
        private short defaultReplicationFactor = 1;
        private Map<String, String> brokerDefaults = Map.of();
        private boolean randomReplicaPlacement;

        private Builder(final int nodeId, final String clusterId, final Path metadataDir)
        {
            this.nodeId = nodeId;
            this.clusterId = clusterId;
            this.metadataDir = metadataDir;
        }

        /**
         * @param v {@code node.id}.
         * @return this.
         */
        public Builder nodeId(final int v)
        {
            nodeId = v;
            return this;
        }

        /**
         * @param v {@code metadata.log.dir}.
         * @return this.
         */
        public Builder metadataDir(final Path v)
        {
            metadataDir = v;
            return this;
        }

        /**
         * @param v voter id to address.
         * @return this.
         */
        public Builder voters(final Map<Integer, InetSocketAddress> v)
        {
            voters = v;
            return this;
        }

        /**
         * @param v {@code controller.quorum.voters} as {@code id@host:port,...}.
         * @return this.
         */
        public Builder voters(final String v)
        {
            voters = parseVoters(v);
            return this;
        }

        /**
         * @param v bind address of the CONTROLLER listener.
         * @return this.
         */
        public Builder listenAddress(final InetSocketAddress v)
        {
            listenAddress = v;
            return this;
        }

        /**
         * @param periodSecs  leader heartbeat period.
         * @param timeoutSecs follower heartbeat timeout.
         * @param electionMs  election timeout.
         * @return this.
         */
        public Builder raftTimings(final int periodSecs, final int timeoutSecs, final int electionMs)
        {
            heartbeatPeriodSecs = periodSecs;
            heartbeatTimeoutSecs = timeoutSecs;
            electionTimeoutMs = electionMs;
            return this;
        }

        /**
         * @param v {@code metadata.snapshot.interval.entries}.
         * @return this.
         */
        public Builder snapshotIntervalEntries(final int v)
        {
            snapshotIntervalEntries = v;
            return this;
        }

        /**
         * @param v {@code controller.raft.max.pending.entries}.
         * @return this.
         */
        public Builder maxPendingEntries(final int v)
        {
            maxPendingEntries = v;
            return this;
        }

        /**
         * @param v {@code controller.raft.append.batch.size}.
         * @return this.
         */
        public Builder appendBatchSize(final int v)
        {
            appendBatchSize = v;
            return this;
        }

        /**
         * @param v {@code metadata.snapshot.chunk.bytes}.
         * @return this.
         */
        public Builder snapshotChunkBytes(final int v)
        {
            snapshotChunkBytes = v;
            return this;
        }

        /**
         * @param v {@code metadata.log.segment.bytes}.
         * @return this.
         */
        public Builder logSegmentBytes(final long v)
        {
            logSegmentBytes = v;
            return this;
        }

        /**
         * @param v {@code broker.session.timeout.ms}.
         * @return this.
         */
        public Builder sessionTimeoutMs(final long v)
        {
            sessionTimeoutMs = v;
            return this;
        }

        /**
         * @param v {@code controller.request.timeout.ms}.
         * @return this.
         */
        public Builder requestTimeoutMs(final long v)
        {
            requestTimeoutMs = v;
            return this;
        }

        /**
         * @param v {@code controller.rpc.timeout.ms}.
         * @return this.
         */
        public Builder rpcTimeoutMs(final long v)
        {
            rpcTimeoutMs = v;
            return this;
        }

        /**
         * @param v {@code controller.retry.backoff.ms}.
         * @return this.
         */
        public Builder retryBackoffMs(final long v)
        {
            retryBackoffMs = v;
            return this;
        }

        /**
         * @param v {@code metadata.fetch.wait.ms}.
         * @return this.
         */
        public Builder fetchWaitMs(final long v)
        {
            fetchWaitMs = v;
            return this;
        }

        /**
         * @param partitions        {@code num.partitions}.
         * @param replicationFactor {@code default.replication.factor}.
         * @param defaults          broker-level topic config defaults.
         * @return this.
         */
        public Builder topicDefaults(final int partitions, final short replicationFactor, final Map<String, String> defaults)
        {
            defaultPartitions = partitions;
            defaultReplicationFactor = replicationFactor;
            brokerDefaults = defaults;
            return this;
        }

        /**
         * @param v {@code replica.placement}: {@code fixed} or {@code random}.
         * @return this.
         * @throws ConfigException for any other value.
         */
        public Builder replicaPlacement(final String v)
        {
            if ("random".equals(v))
            {
                randomReplicaPlacement = true;
            }
            else if ("fixed".equals(v))
            {
                randomReplicaPlacement = false;
            }
            else
            {
                throw new ConfigException("replica.placement", v, "fixed or random");
            }
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws ConfigException naming the first bad knob.
         */
        public ControllerQuorumConfig build()
        {
            return new ControllerQuorumConfig(nodeId, voters, listenAddress, metadataDir, clusterId, heartbeatPeriodSecs, heartbeatTimeoutSecs,
                electionTimeoutMs, snapshotIntervalEntries, maxPendingEntries, appendBatchSize, snapshotChunkBytes, logSegmentBytes,
                sessionTimeoutMs, requestTimeoutMs, rpcTimeoutMs, retryBackoffMs, fetchWaitMs, defaultPartitions, defaultReplicationFactor,
                brokerDefaults, randomReplicaPlacement);
        }
    }
}
