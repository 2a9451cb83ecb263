package io.tidemark.broker.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.LogManagerConfig;
import io.tidemark.replication.controller.TopicConfigs;

/**
 * Every {@code server.properties} key the broker understands: Kafka's names where the meaning matches,
 * plus Tidemark's own ({@code log.flush.policy}, the log writer knobs, the producer-state snapshot
 * interval, the per-connection in-flight limit). Keys not listed here are reported as unknown and ignored.
 * The {@code log.*}, {@code message.max.bytes}, {@code compression.type}, {@code min.insync.replicas} and
 * {@code unclean.leader.election.enable} keys set the broker-level defaults of the topic configs. The table
 * is checked against the definitions by {@code ConfigTableTest}.
 *
 * <pre>
 * key                                          default                      allowed                          meaning
 * node.id                                      1                            [0, 2147483647]                  this node's id (Kafka: required; Tidemark defaults to 1)
 * broker.id                                    (none)                       [0, 2147483647]                  Kafka's older name of node.id; must agree with it when both are set
 * broker.rack                                  (none)                       any text                         rack of this broker, reported in metadata
 * process.roles                                broker,controller            broker and/or controller         roles of this node (the single-node controller runs inside the broker)
 * controller.quorum.voters                     ""                           comma-separated id@host:port     voters of the controller quorum (kept for the replicated controller; unused by a single node)
 * controller.listener.names                    ""                           listener names                   listeners reserved for the controller quorum: not served by the Kafka API
 * inter.broker.listener.name                   REPLICATION                  a listener name                  listener serving followers' replica fetches (internal RPC, not the Kafka API); without it this broker hosts no follower fetches
 * cluster.id                                   (none)                       any text up to 256 characters    id of a new cluster; default: derived from controller.quorum.voters (random for a single node)
 * metadata.log.dir                             (none)                       a directory                      where a controller voter keeps its Raft log and snapshots (default: the first log dir)
 * listeners                                    PLAINTEXT://127.0.0.1:9092   comma-separated NAME://host:port where the broker listens (default: loopback only); port 0 picks a free port
 * advertised.listeners                         ""                           comma-separated NAME://host:port naming listeners addresses given to clients in metadata; default: the listeners
 * listener.security.protocol.map               PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,REPLICATION:PLAINTEXT,CONTROLLER:PLAINTEXT NAME:PROTOCOL pairs (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL) security protocol of each listener (Kafka's default map plus REPLICATION and CONTROLLER); a listener that is not PLAINTEXT is refused at startup: TLS and SASL are not supported yet
 * log.dirs                                     (none)                       comma-separated directories      where the logs live (default: log.dir)
 * log.dir                                      /tmp/tidemark-logs           a directory                      the log directory when log.dirs is not set
 * num.partitions                               1                            [1, 1000000]                     partitions of topics created without a count (auto-created ones included)
 * default.replication.factor                   1                            [1, 32767]                       replication factor of topics created without one
 * auto.create.topics.enable                    true                         true or false                    create a topic when a client asks metadata for it
 * delete.topic.enable                          true                         true or false                    allow DeleteTopics
 * request.timeout.ms                           30000                        [1, 604800000]                   longest wait for a metadata change (admin requests)
 * broker.session.timeout.ms                    9000                         [1, 604800000]                   a broker silent this long is fenced (replicated controller)
 * broker.heartbeat.interval.ms                 2000                         [1, 604800000]                   broker heartbeat interval (replicated controller)
 * replica.lag.time.max.ms                      30000                        [1, 604800000]                   a follower not caught up this long leaves the ISR
 * replica.fetch.max.bytes                      1048576                      [1024, 2147483647]               bytes per partition per replica fetch
 * replica.fetch.wait.max.ms                    500                          [0, 2147483647]                  long-poll wait of a replica fetch (at most replica.lag.time.max.ms)
 * replica.fetch.backoff.ms                     1000                         [0, 604800000]                   pause after a failed replica fetch (the longest: a partition error is retried after 10 ms, then twice as long each time)
 * num.network.threads                          3                            [1, 64]                          selector threads reading and writing sockets
 * num.io.threads                               8                            [1, 256]                         request handler threads
 * socket.request.max.bytes                     104857600                    [64, 2147483635]                 largest request frame; larger ones close the connection before anything is allocated
 * queued.max.request.bytes                     104857600                    [64, 9223372036854775807]        request bytes held in memory at once per listener (>= socket.request.max.bytes): reserved as bytes arrive, never for a declared size; requests still arriving get at most half; one large request may finish beyond it; reads pause above it
 * max.connections                              10000                        [1, 1000000]                     open connections per listener; more are accepted and closed at once
 * max.connections.per.ip                       2147483647                   [0, 2147483647]                  open connections from one address per listener; a new one beyond it is closed at once (0: only addresses in the overrides)
 * max.connections.per.ip.overrides             ""                           comma-separated host:count (count >= 0) per-address limits replacing max.connections.per.ip (host names resolved at startup)
 * connections.max.idle.ms                      600000                       [1, 604800000]                   close connections idle this long
 * socket.request.read.timeout.ms               30000                        [1, 604800000]                   close a connection whose request is not in full this long after its first byte (a slow sender; time reads were paused by the broker does not count)
 * socket.send.buffer.bytes                     102400                       [-1, 2147483647]                 SO_SNDBUF; -1 for the OS default
 * socket.receive.buffer.bytes                  102400                       [-1, 2147483647]                 SO_RCVBUF; -1 for the OS default
 * queued.max.requests.per.connection           16                           [1, 65536]                       requests read from one connection before its earlier ones are answered (Kafka reads one at a time)
 * fetch.max.bytes                              57671680                     [1024, 2147483647]               most record bytes in one fetch response
 * log.segment.bytes                            1073741824                   [1024, 2147483647]               segment size
 * log.roll.ms                                  (none)                       [1, 9223372036854775807]         roll a segment this old (wins over log.roll.hours)
 * log.roll.hours                               168                          [1, 2147483647]                  roll a segment this old, in hours
 * log.retention.ms                             (none)                       [-1, 9223372036854775807]        delete segments older than this; -1 keeps forever
 * log.retention.minutes                        (none)                       [-1, 2147483647]                 retention in minutes (below log.retention.ms)
 * log.retention.hours                          168                          [-1, 2147483647]                 retention in hours (below log.retention.minutes)
 * log.retention.bytes                          -1                           [-1, 9223372036854775807]        delete oldest segments while a partition is larger; -1 for no limit
 * log.flush.interval.messages                  9223372036854775807          [1, 9223372036854775807]         Kafka's message-count flush; maps onto flush policy messages:N when log.flush.policy is none
 * log.flush.interval.ms                        (none)                       [0, 9223372036854775807]         Kafka's time flush; maps onto flush policy interval:T when log.flush.policy is none
 * log.flush.policy                             none                         none, messages:N, interval:T or batch when written records are forced to disk (per topic: flush.policy)
 * message.max.bytes                            1048588                      [68, 2147483647]                 largest record batch accepted
 * message.max.decompressed.bytes               16777216                     [1024, 1073741824]               most bytes a compressed batch's records may decompress to (more: MESSAGE_TOO_LARGE); bounds the memory one batch can claim
 * log.index.interval.bytes                     4096                         [0, 2147483647]                  bytes between sparse index entries
 * log.index.size.max.bytes                     10485760                     [24, 2147483647]                 most an index file may hold
 * log.message.timestamp.type                   CreateTime                   CreateTime or LogAppendTime      whose time records carry
 * log.cleanup.policy                           delete                       delete (compaction is not supported) what happens to old segments
 * compression.type                             producer                     producer (batches are stored as sent) compression of stored batches
 * log.segment.preallocate.bytes                4194304                      [4096, 2147483647]               disk blocks reserved ahead of the writer in one step
 * log.recovery.truncate.on.corruption          false                        true or false                    truncate at corruption in durable data instead of failing to open
 * min.insync.replicas                          1                            [1, 2147483647]                  in-sync replicas an acks=all write needs
 * unclean.leader.election.enable               false                        true or false                    allow an out-of-sync replica to become leader
 * log.writer.threads                           1                            [1, 256]                         log writer threads; logs are spread over them
 * log.writer.ring.bytes                        0                            [0, 1073741824]                  each writer's ring (power of two); 0 sizes it from message.max.bytes
 * log.writer.max.pending                       16384                        [16, 1048576]                    appends in flight per writer
 * log.flush.offset.checkpoint.interval.ms      60000                        [1, 9223372036854775807]         how often recovery points are checkpointed
 * log.retention.check.interval.ms              300000                       [1, 9223372036854775807]         how often retention runs
 * log.scrub.enable                             true                         true or false                    verify the CRC and structure of sealed segments in the background
 * log.scrub.bytes.per.second                   16777216                     [1, 9223372036854775807]         most bytes the scrubber reads per second
 * log.scrub.interval.ms                        86400000                     [1, 9223372036854775807]         a full scrub pass starts this often (at once after a longer pass)
 * producer.id.expiration.ms                    86400000                     [1, 9223372036854775807]         forget a producer id silent this long
 * producer.id.expiration.check.interval.ms     600000                       [1, 9223372036854775807]         how often producer ids are expired
 * producer.state.snapshot.interval.ms          30000                        [1, 9223372036854775807]         how often producer state is snapshotted (also at shutdown): a restart replays only the log after the snapshot
 * offsets.topic.num.partitions                 50                           [1, 1000000]                     partitions of __consumer_offsets (do not change once it exists: a group's partition is hash(group) mod this)
 * offsets.topic.replication.factor             3                            [1, 32767]                       replication factor of __consumer_offsets; it is created with min(this, live brokers)
 * offsets.commit.timeout.ms                    5000                         [1, 2147483647]                  longest wait for an offset commit or group write to reach the high watermark (acks=all)
 * offset.metadata.max.bytes                    4096                         [0, 2147483647]                  longest metadata string of a committed offset
 * group.initial.rebalance.delay.ms             3000                         [0, 2147483647]                  wait for more members before the first rebalance of an empty group
 * group.min.session.timeout.ms                 6000                         [1, 2147483647]                  smallest session.timeout.ms a member may ask for
 * group.max.session.timeout.ms                 1800000                      [1, 2147483647]                  largest session.timeout.ms a member may ask for
 * group.max.size                               2147483647                   [1, 2147483647]                  most members of one group
 * offsets.retention.minutes                    10080                        [1, 2147483647]                  committed offsets of an empty group expire after this long (KIP-211); an empty group without offsets is removed
 * offsets.retention.check.interval.ms          600000                       [1, 9223372036854775807]         how often offsets and empty groups expire
 * auto.leader.rebalance.enable                 true                         true or false                    the active controller moves leadership back to preferred replicas when a broker leads too few of its own
 * leader.imbalance.check.interval.seconds      300                          [1, 604800]                      how often the active controller checks leader balance
 * leader.imbalance.per.broker.percentage       10                           [0, 100]                         share of a broker's preferred partitions led elsewhere that triggers preferred-leader elections
 * replica.placement                            fixed                        fixed or random                  new topics' replicas: fixed = partition i on brokers i, i+1, ... (mod n); random = Kafka's random start and shift per topic
 * metrics.http.listener                        ""                           host:port, or :port for loopback Prometheus endpoint (GET /metrics: every metric, JVM ones included); empty: off; port 0 picks a free port
 * </pre>
 */
public final class BrokerConfigKeys
{
    private static final long MAX_TIMEOUT_MS = 7L * 24 * 3600 * 1000;

    /** {@code node.id}. */
    public static final String NODE_ID = "node.id";
    /** {@code broker.id}: Kafka's older name of node.id. */
    public static final String BROKER_ID = "broker.id";
    /** {@code broker.rack}. */
    public static final String BROKER_RACK = "broker.rack";
    /** {@code process.roles}. */
    public static final String PROCESS_ROLES = "process.roles";
    /** {@code controller.quorum.voters}. */
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    /** {@code inter.broker.listener.name}: the replication listener. */
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    /** {@code metrics.http.listener}: Tidemark's Prometheus endpoint. */
    public static final String METRICS_HTTP_LISTENER = "metrics.http.listener";
    /** {@code cluster.id}. */
    public static final String CLUSTER_ID = "cluster.id";
    /** {@code metadata.log.dir}. */
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    /** {@code controller.listener.names}. */
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    /** {@code listeners}. */
    public static final String LISTENERS = "listeners";
    /** {@code advertised.listeners}. */
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    /** {@code listener.security.protocol.map}. */
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    /** Kafka's security protocols, the values {@code listener.security.protocol.map} may name. */
    public static final List<String> SECURITY_PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    /** {@code log.dirs}. */
    public static final String LOG_DIRS = "log.dirs";
    /** {@code log.dir}: used when log.dirs is not set. */
    public static final String LOG_DIR = "log.dir";
    /** {@code num.partitions}. */
    public static final String NUM_PARTITIONS = "num.partitions";
    /** {@code default.replication.factor}. */
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    /** {@code auto.create.topics.enable}. */
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    /** {@code delete.topic.enable}. */
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    /** {@code request.timeout.ms}. */
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    /** {@code broker.session.timeout.ms}. */
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    /** {@code broker.heartbeat.interval.ms}. */
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    /** {@code replica.lag.time.max.ms}. */
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    /** {@code replica.fetch.max.bytes}. */
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    /** {@code replica.fetch.wait.max.ms}. */
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    /** {@code replica.fetch.backoff.ms}. */
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    /** {@code num.network.threads}. */
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    /** {@code num.io.threads}. */
    public static final String NUM_IO_THREADS = "num.io.threads";
    /** {@code socket.request.max.bytes}. */
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    /** {@code queued.max.request.bytes}. */
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    /** {@code max.connections}. */
    public static final String MAX_CONNECTIONS = "max.connections";
    /** {@code connections.max.idle.ms}. */
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    /** {@code max.connections.per.ip}. */
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    /** {@code max.connections.per.ip.overrides}. */
    public static final String MAX_CONNECTIONS_PER_IP_OVERRIDES = "max.connections.per.ip.overrides";
    /** {@code socket.request.read.timeout.ms} (Tidemark). */
    public static final String SOCKET_REQUEST_READ_TIMEOUT_MS = "socket.request.read.timeout.ms";
    /** {@code socket.send.buffer.bytes}. */
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    /** {@code socket.receive.buffer.bytes}. */
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    /** {@code queued.max.requests.per.connection} (Tidemark). */
    public static final String QUEUED_MAX_REQUESTS_PER_CONNECTION = "queued.max.requests.per.connection";
    /** {@code fetch.max.bytes}. */
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    /** {@code log.segment.bytes}. */
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    /** {@code log.roll.ms}. */
    public static final String LOG_ROLL_MS = "log.roll.ms";
    /** {@code log.roll.hours}. */
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    /** {@code log.retention.ms}. */
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    /** {@code log.retention.minutes}. */
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    /** {@code log.retention.hours}. */
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    /** {@code log.retention.bytes}. */
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    /** {@code log.flush.interval.messages}. */
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    /** {@code log.flush.interval.ms}. */
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    /** {@code log.flush.policy} (Tidemark). */
    public static final String LOG_FLUSH_POLICY = "log.flush.policy";
    /** {@code message.max.bytes}. */
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    /** {@code message.max.decompressed.bytes} (Tidemark's): the most a compressed batch's records may decompress to. */
    public static final String MESSAGE_MAX_DECOMPRESSED_BYTES = "message.max.decompressed.bytes";
    /** {@code log.index.interval.bytes}. */
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    /** {@code log.index.size.max.bytes}. */
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    /** {@code log.message.timestamp.type}. */
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    /** {@code log.cleanup.policy}. */
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    /** {@code compression.type}. */
    public static final String COMPRESSION_TYPE = "compression.type";
    /** {@code log.segment.preallocate.bytes} (Tidemark). */
    public static final String LOG_SEGMENT_PREALLOCATE_BYTES = "log.segment.preallocate.bytes";
    /** {@code log.recovery.truncate.on.corruption} (Tidemark). */
    public static final String LOG_RECOVERY_TRUNCATE_ON_CORRUPTION = "log.recovery.truncate.on.corruption";
    /** {@code min.insync.replicas}. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    /** {@code unclean.leader.election.enable}. */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    /** {@code log.writer.threads} (Tidemark). */
    public static final String LOG_WRITER_THREADS = "log.writer.threads";
    /** {@code log.writer.ring.bytes} (Tidemark). */
    public static final String LOG_WRITER_RING_BYTES = "log.writer.ring.bytes";
    /** {@code log.writer.max.pending} (Tidemark). */
    public static final String LOG_WRITER_MAX_PENDING = "log.writer.max.pending";
    /** {@code log.flush.offset.checkpoint.interval.ms}. */
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    /** {@code log.retention.check.interval.ms}. */
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    /** {@code log.scrub.enable}. */
    public static final String LOG_SCRUB_ENABLE = "log.scrub.enable";
    /** {@code log.scrub.bytes.per.second}. */
    public static final String LOG_SCRUB_BYTES_PER_SECOND = "log.scrub.bytes.per.second";
    /** {@code log.scrub.interval.ms}. */
    public static final String LOG_SCRUB_INTERVAL_MS = "log.scrub.interval.ms";
    /** {@code producer.id.expiration.ms}. */
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    /** {@code producer.id.expiration.check.interval.ms}. */
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    /** {@code producer.state.snapshot.interval.ms} (Tidemark). */
    public static final String PRODUCER_STATE_SNAPSHOT_INTERVAL_MS = "producer.state.snapshot.interval.ms";
    /** {@code offsets.topic.num.partitions}. */
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    /** {@code offsets.topic.replication.factor}. */
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    /** {@code offsets.commit.timeout.ms}. */
    public static final String OFFSETS_COMMIT_TIMEOUT_MS = "offsets.commit.timeout.ms";
    /** {@code offset.metadata.max.bytes}. */
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    /** {@code group.initial.rebalance.delay.ms}. */
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    /** {@code group.min.session.timeout.ms}. */
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    /** {@code group.max.session.timeout.ms}. */
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    /** {@code group.max.size}. */
    public static final String GROUP_MAX_SIZE = "group.max.size";
    /** {@code offsets.retention.minutes}. */
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    /** {@code offsets.retention.check.interval.ms}. */
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    /** {@code auto.leader.rebalance.enable}. */
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    /** {@code leader.imbalance.check.interval.seconds}. */
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    /** {@code replica.placement}. */
    public static final String REPLICA_PLACEMENT = "replica.placement";
    /** {@code leader.imbalance.per.broker.percentage}. */
    public static final String LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = "leader.imbalance.per.broker.percentage";

    /** Every key, in documentation order. */
    public static final List<ConfigKey> ALL;
    /** Keys by name. */
    public static final Map<String, ConfigKey> BY_NAME;

    static
    {
        final LogConfig d = LogConfig.defaults();
        final Map<String, ConfigKey> m = new LinkedHashMap<>();
        // ---- server
        add(m, intKey(NODE_ID, "1", 0, Integer.MAX_VALUE, null, "this node's id (Kafka: required; Tidemark defaults to 1)"));
        add(m, intKey(BROKER_ID, null, 0, Integer.MAX_VALUE, null, "Kafka's older name of node.id; must agree with it when both are set"));
        add(m, stringKey(BROKER_RACK, null, null, "any text", null, null, "rack of this broker, reported in metadata"));
        add(m, listKey(PROCESS_ROLES, "broker,controller", Set.of("broker", "controller"), "broker and/or controller",
            "roles of this node (the single-node controller runs inside the broker)"));
        add(m, stringKey(CONTROLLER_QUORUM_VOTERS, "", null, "comma-separated id@host:port", v ->
        {
            for (final String s : ConfigKey.asList(v))
            {
                QuorumVoter.parse(CONTROLLER_QUORUM_VOTERS, s);
            }
        }, null, "voters of the controller quorum (kept for the replicated controller; unused by a single node)"));
        add(m, listKey(CONTROLLER_LISTENER_NAMES, "", null, "listener names", "listeners reserved for the controller quorum: not served by the Kafka API"));
        add(m, stringKey(INTER_BROKER_LISTENER_NAME, "REPLICATION", null, "a listener name", null, null,
            "listener serving followers' replica fetches (internal RPC, not the Kafka API); without it this broker hosts no follower fetches"));
        add(m, stringKey(CLUSTER_ID, null, null, "any text up to 256 characters", v ->
        {
            if (v.isBlank() || v.length() > 256)
            {
                throw new ConfigException(CLUSTER_ID, v, "1 to 256 characters");
            }
        }, null, "id of a new cluster; default: derived from controller.quorum.voters (random for a single node)"));
        add(m, stringKey(METADATA_LOG_DIR, null, null, "a directory", null, null,
            "where a controller voter keeps its Raft log and snapshots (default: the first log dir)"));
        add(m, stringKey(LISTENERS, "PLAINTEXT://127.0.0.1:9092", null, "comma-separated NAME://host:port", v -> endpoints(LISTENERS, v),
            null, "where the broker listens (default: loopback only); port 0 picks a free port"));
        add(m, stringKey(ADVERTISED_LISTENERS, "", null, "comma-separated NAME://host:port naming listeners", v -> endpoints(ADVERTISED_LISTENERS, v),
            null, "addresses given to clients in metadata; default: the listeners"));
        add(m, stringKey(LISTENER_SECURITY_PROTOCOL_MAP,
            "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,REPLICATION:PLAINTEXT,CONTROLLER:PLAINTEXT", null,
            "NAME:PROTOCOL pairs (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)", BrokerConfigKeys::protocolMap, null,
            "security protocol of each listener (Kafka's default map plus REPLICATION and CONTROLLER); a listener that is not PLAINTEXT " +
            "is refused at startup: TLS and SASL are not supported yet"));
        add(m, stringKey(LOG_DIRS, null, null, "comma-separated directories", null, null, "where the logs live (default: log.dir)"));
        add(m, stringKey(LOG_DIR, "/tmp/tidemark-logs", null, "a directory", null, null, "the log directory when log.dirs is not set"));
        add(m, intKey(NUM_PARTITIONS, "1", 1, 1_000_000, null, "partitions of topics created without a count (auto-created ones included)"));
        add(m, new ConfigKey(DEFAULT_REPLICATION_FACTOR, ConfigKey.Type.SHORT, "1", 1, Short.MAX_VALUE, null, null,
            "[1, " + Short.MAX_VALUE + "]", null, "replication factor of topics created without one"));
        add(m, boolKey(AUTO_CREATE_TOPICS_ENABLE, "true", null, "create a topic when a client asks metadata for it"));
        add(m, boolKey(DELETE_TOPIC_ENABLE, "true", null, "allow DeleteTopics"));
        add(m, longKey(REQUEST_TIMEOUT_MS, "30000", 1, MAX_TIMEOUT_MS, null, "longest wait for a metadata change (admin requests)"));
        add(m, longKey(BROKER_SESSION_TIMEOUT_MS, "9000", 1, MAX_TIMEOUT_MS, null, "a broker silent this long is fenced (replicated controller)"));
        add(m, longKey(BROKER_HEARTBEAT_INTERVAL_MS, "2000", 1, MAX_TIMEOUT_MS, null, "broker heartbeat interval (replicated controller)"));
        add(m, longKey(REPLICA_LAG_TIME_MAX_MS, "30000", 1, MAX_TIMEOUT_MS, null, "a follower not caught up this long leaves the ISR"));
        add(m, intKey(REPLICA_FETCH_MAX_BYTES, "1048576", 1024, Integer.MAX_VALUE, null, "bytes per partition per replica fetch"));
        add(m, intKey(REPLICA_FETCH_WAIT_MAX_MS, "500", 0, Integer.MAX_VALUE, null, "long-poll wait of a replica fetch (at most replica.lag.time.max.ms)"));
        add(m, longKey(REPLICA_FETCH_BACKOFF_MS, "1000", 0, MAX_TIMEOUT_MS, null,
            "pause after a failed replica fetch (the longest: a partition error is retried after 10 ms, then twice as long each time)"));
        // ---- network
        add(m, intKey(NUM_NETWORK_THREADS, "3", 1, 64, null, "selector threads reading and writing sockets"));
        add(m, intKey(NUM_IO_THREADS, "8", 1, 256, null, "request handler threads"));
        add(m, intKey(SOCKET_REQUEST_MAX_BYTES, "104857600", 64, Integer.MAX_VALUE - 12, null,
            "largest request frame; larger ones close the connection before anything is allocated"));
        add(m, longKey(QUEUED_MAX_REQUEST_BYTES, "104857600", 64, Long.MAX_VALUE, null,
            "request bytes held in memory at once per listener (>= socket.request.max.bytes): reserved as bytes arrive, never for a "
                + "declared size; requests still arriving get at most half; one large request may finish beyond it; reads pause above it"));
        add(m, intKey(MAX_CONNECTIONS, "10000", 1, 1_000_000, null, "open connections per listener; more are accepted and closed at once"));
        add(m, intKey(MAX_CONNECTIONS_PER_IP, String.valueOf(Integer.MAX_VALUE), 0, Integer.MAX_VALUE, null,
            "open connections from one address per listener; a new one beyond it is closed at once (0: only addresses in the overrides)"));
        add(m, stringKey(MAX_CONNECTIONS_PER_IP_OVERRIDES, "", null, "comma-separated host:count (count >= 0)",
            v -> connectionOverrides(v), null, "per-address limits replacing max.connections.per.ip (host names resolved at startup)"));
        add(m, longKey(CONNECTIONS_MAX_IDLE_MS, "600000", 1, MAX_TIMEOUT_MS, null, "close connections idle this long"));
        add(m, longKey(SOCKET_REQUEST_READ_TIMEOUT_MS, "30000", 1, MAX_TIMEOUT_MS, null,
            "close a connection whose request is not in full this long after its first byte (a slow sender; time reads were paused "
                + "by the broker does not count)"));
        add(m, intKey(SOCKET_SEND_BUFFER_BYTES, "102400", -1, Integer.MAX_VALUE, null, "SO_SNDBUF; -1 for the OS default"));
        add(m, intKey(SOCKET_RECEIVE_BUFFER_BYTES, "102400", -1, Integer.MAX_VALUE, null, "SO_RCVBUF; -1 for the OS default"));
        add(m, intKey(QUEUED_MAX_REQUESTS_PER_CONNECTION, "16", 1, 65_536, null,
            "requests read from one connection before its earlier ones are answered (Kafka reads one at a time)"));
        add(m, intKey(FETCH_MAX_BYTES, "57671680", 1024, Integer.MAX_VALUE, null, "most record bytes in one fetch response"));
        // ---- topic defaults (broker level)
        add(m, intKey(LOG_SEGMENT_BYTES, String.valueOf(d.segmentBytes()), LogConfig.MIN_SEGMENT_BYTES, Integer.MAX_VALUE,
            TopicConfigs.SEGMENT_BYTES, "segment size"));
        add(m, longKey(LOG_ROLL_MS, null, 1, Long.MAX_VALUE, TopicConfigs.SEGMENT_MS, "roll a segment this old (wins over log.roll.hours)"));
        add(m, intKey(LOG_ROLL_HOURS, "168", 1, Integer.MAX_VALUE, TopicConfigs.SEGMENT_MS, "roll a segment this old, in hours"));
        add(m, longKey(LOG_RETENTION_MS, null, -1, Long.MAX_VALUE, TopicConfigs.RETENTION_MS, "delete segments older than this; -1 keeps forever"));
        add(m, intKey(LOG_RETENTION_MINUTES, null, -1, Integer.MAX_VALUE, TopicConfigs.RETENTION_MS, "retention in minutes (below log.retention.ms)"));
        add(m, intKey(LOG_RETENTION_HOURS, "168", -1, Integer.MAX_VALUE, TopicConfigs.RETENTION_MS, "retention in hours (below log.retention.minutes)"));
        add(m, longKey(LOG_RETENTION_BYTES, String.valueOf(d.retentionBytes()), -1, Long.MAX_VALUE, TopicConfigs.RETENTION_BYTES,
            "delete oldest segments while a partition is larger; -1 for no limit"));
        add(m, longKey(LOG_FLUSH_INTERVAL_MESSAGES, String.valueOf(Long.MAX_VALUE), 1, Long.MAX_VALUE, TopicConfigs.FLUSH_MESSAGES,
            "Kafka's message-count flush; maps onto flush policy messages:N when log.flush.policy is none"));
        add(m, longKey(LOG_FLUSH_INTERVAL_MS, null, 0, Long.MAX_VALUE, TopicConfigs.FLUSH_MS,
            "Kafka's time flush; maps onto flush policy interval:T when log.flush.policy is none"));
        add(m, stringKey(LOG_FLUSH_POLICY, d.flushPolicy().toString(), null, "none, messages:N, interval:T or batch", v ->
        {
            try
            {
                FlushPolicy.parse(v);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException(LOG_FLUSH_POLICY, v, "none, messages:N (N >= 1), interval:T (T >= 1 ms) or batch");
            }
        }, TopicConfigs.FLUSH_POLICY, "when written records are forced to disk (per topic: flush.policy)"));
        add(m, intKey(MESSAGE_MAX_BYTES, String.valueOf(d.maxBatchBytes()), 68, Integer.MAX_VALUE, TopicConfigs.MAX_MESSAGE_BYTES,
            "largest record batch accepted"));
        add(m, intKey(MESSAGE_MAX_DECOMPRESSED_BYTES, "16777216", 1024, 1 << 30, null,
            "most bytes a compressed batch's records may decompress to (more: MESSAGE_TOO_LARGE); bounds the memory one batch can claim"));
        add(m, intKey(LOG_INDEX_INTERVAL_BYTES, String.valueOf(d.indexIntervalBytes()), 0, Integer.MAX_VALUE, TopicConfigs.INDEX_INTERVAL_BYTES,
            "bytes between sparse index entries"));
        add(m, intKey(LOG_INDEX_SIZE_MAX_BYTES, String.valueOf(d.segmentIndexBytes()), 24, Integer.MAX_VALUE, TopicConfigs.SEGMENT_INDEX_BYTES,
            "most an index file may hold"));
        add(m, stringKey(LOG_MESSAGE_TIMESTAMP_TYPE, "CreateTime", Set.of("createtime", "logappendtime"), "CreateTime or LogAppendTime", null,
            TopicConfigs.MESSAGE_TIMESTAMP_TYPE, "whose time records carry"));
        add(m, listKey(LOG_CLEANUP_POLICY, "delete", Set.of("delete"), "delete (compaction is not supported)", "what happens to old segments"));
        add(m, stringKey(COMPRESSION_TYPE, "producer", Set.of("producer"), "producer (batches are stored as sent)", null,
            TopicConfigs.COMPRESSION_TYPE, "compression of stored batches"));
        add(m, intKey(LOG_SEGMENT_PREALLOCATE_BYTES, String.valueOf(d.preallocateBytes()), 4096, Integer.MAX_VALUE,
            TopicConfigs.SEGMENT_PREALLOCATE_BYTES, "disk blocks reserved ahead of the writer in one step"));
        add(m, boolKey(LOG_RECOVERY_TRUNCATE_ON_CORRUPTION, "false", TopicConfigs.RECOVERY_TRUNCATE_ON_CORRUPTION,
            "truncate at corruption in durable data instead of failing to open"));
        add(m, intKey(MIN_INSYNC_REPLICAS, "1", 1, Integer.MAX_VALUE, TopicConfigs.MIN_INSYNC_REPLICAS,
            "in-sync replicas an acks=all write needs"));
        add(m, boolKey(UNCLEAN_LEADER_ELECTION_ENABLE, "false", TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE,
            "allow an out-of-sync replica to become leader"));
        // ---- engine
        add(m, intKey(LOG_WRITER_THREADS, "1", 1, 256, null, "log writer threads; logs are spread over them"));
        add(m, intKey(LOG_WRITER_RING_BYTES, "0", 0, 1 << 30, null, "each writer's ring (power of two); 0 sizes it from message.max.bytes"));
        add(m, intKey(LOG_WRITER_MAX_PENDING, "16384", 16, 1 << 20, null, "appends in flight per writer"));
        add(m, longKey(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, "60000", 1, Long.MAX_VALUE, null, "how often recovery points are checkpointed"));
        add(m, longKey(LOG_RETENTION_CHECK_INTERVAL_MS, "300000", 1, Long.MAX_VALUE, null, "how often retention runs"));
        add(m, boolKey(LOG_SCRUB_ENABLE, "true", null, "verify the CRC and structure of sealed segments in the background"));
        add(m, longKey(LOG_SCRUB_BYTES_PER_SECOND, String.valueOf(LogManagerConfig.DEFAULT_SCRUB_BYTES_PER_SECOND), 1, Long.MAX_VALUE, null,
            "most bytes the scrubber reads per second"));
        add(m, longKey(LOG_SCRUB_INTERVAL_MS, String.valueOf(LogManagerConfig.DEFAULT_SCRUB_INTERVAL_MS), 1, Long.MAX_VALUE, null,
            "a full scrub pass starts this often (at once after a longer pass)"));
        // ---- producer state
        add(m, longKey(PRODUCER_ID_EXPIRATION_MS, "86400000", 1, Long.MAX_VALUE, null, "forget a producer id silent this long"));
        add(m, longKey(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, "600000", 1, Long.MAX_VALUE, null, "how often producer ids are expired"));
        add(m, longKey(PRODUCER_STATE_SNAPSHOT_INTERVAL_MS, "30000", 1, Long.MAX_VALUE, null,
            "how often producer state is snapshotted (also at shutdown): a restart replays only the log after the snapshot"));
        // ---- consumer groups
        add(m, intKey(OFFSETS_TOPIC_NUM_PARTITIONS, "50", 1, 1_000_000, null,
            "partitions of __consumer_offsets (do not change once it exists: a group's partition is hash(group) mod this)"));
        add(m, new ConfigKey(OFFSETS_TOPIC_REPLICATION_FACTOR, ConfigKey.Type.SHORT, "3", 1, Short.MAX_VALUE, null, null,
            "[1, " + Short.MAX_VALUE + "]", null, "replication factor of __consumer_offsets; it is created with min(this, live brokers)"));
        add(m, intKey(OFFSETS_COMMIT_TIMEOUT_MS, "5000", 1, Integer.MAX_VALUE, null,
            "longest wait for an offset commit or group write to reach the high watermark (acks=all)"));
        add(m, intKey(OFFSET_METADATA_MAX_BYTES, "4096", 0, Integer.MAX_VALUE, null, "longest metadata string of a committed offset"));
        add(m, intKey(GROUP_INITIAL_REBALANCE_DELAY_MS, "3000", 0, Integer.MAX_VALUE, null,
            "wait for more members before the first rebalance of an empty group"));
        add(m, intKey(GROUP_MIN_SESSION_TIMEOUT_MS, "6000", 1, Integer.MAX_VALUE, null, "smallest session.timeout.ms a member may ask for"));
        add(m, intKey(GROUP_MAX_SESSION_TIMEOUT_MS, "1800000", 1, Integer.MAX_VALUE, null, "largest session.timeout.ms a member may ask for"));
        add(m, intKey(GROUP_MAX_SIZE, String.valueOf(Integer.MAX_VALUE), 1, Integer.MAX_VALUE, null, "most members of one group"));
        add(m, intKey(OFFSETS_RETENTION_MINUTES, "10080", 1, Integer.MAX_VALUE, null,
            "committed offsets of an empty group expire after this long (KIP-211); an empty group without offsets is removed"));
        add(m, longKey(OFFSETS_RETENTION_CHECK_INTERVAL_MS, "600000", 1, Long.MAX_VALUE, null, "how often offsets and empty groups expire"));
        add(m, boolKey(AUTO_LEADER_REBALANCE_ENABLE, "true", null,
            "the active controller moves leadership back to preferred replicas when a broker leads too few of its own"));
        add(m, intKey(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, "300", 1, 604_800, null, "how often the active controller checks leader balance"));
        add(m, intKey(LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, "10", 0, 100, null,
            "share of a broker's preferred partitions led elsewhere that triggers preferred-leader elections"));
        add(m, stringKey(REPLICA_PLACEMENT, "fixed", Set.of("fixed", "random"), "fixed or random", null, null,
            "new topics' replicas: fixed = partition i on brokers i, i+1, ... (mod n); random = Kafka's random start and shift per topic"));
        add(m, stringKey(METRICS_HTTP_LISTENER, "", null, "host:port, or :port for loopback", BrokerConfigKeys::checkMetricsListener, null,
            "Prometheus endpoint (GET /metrics: every metric, JVM ones included); empty: off; port 0 picks a free port"));
        BY_NAME = Collections.unmodifiableMap(m);
        ALL = List.copyOf(m.values());
    }

    private BrokerConfigKeys()
    {
    }

    private static void add(final Map<String, ConfigKey> m, final ConfigKey key)
    {
        if (m.put(key.name(), key) != null)
        {
            throw new IllegalStateException("duplicate key " + key.name());
        }
    }

    private static ConfigKey intKey(final String name, final String def, final long min, final long max, final String topicKey,
        final String doc)
    {
        return new ConfigKey(name, ConfigKey.Type.INT, def, min, max, null, null, "[" + min + ", " + max + "]", topicKey, doc);
    }

    private static ConfigKey longKey(final String name, final String def, final long min, final long max, final String topicKey,
        final String doc)
    {
        return new ConfigKey(name, ConfigKey.Type.LONG, def, min, max, null, null, "[" + min + ", " + max + "]", topicKey, doc);
    }

    private static ConfigKey boolKey(final String name, final String def, final String topicKey, final String doc)
    {
        return new ConfigKey(name, ConfigKey.Type.BOOLEAN, def, 0, 0, null, null, "true or false", topicKey, doc);
    }

    private static void checkMetricsListener(final String v)
    {
        final String value = v.trim();
        if (value.isEmpty())
        {
            return;
        }
        final int colon = value.lastIndexOf(':');
        int port = -1;
        if (colon >= 0)
        {
            try
            {
                port = Integer.parseInt(value.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                port = -1;
            }
        }
        if (port < 0 || port > 65535 || value.contains("://"))
        {
            throw new ConfigException(METRICS_HTTP_LISTENER, v, "host:port or :port with a port in [0, 65535]");
        }
    }

    private static ConfigKey stringKey(final String name, final String def, final Set<String> choices, final String allowed,
        final Consumer<String> check, final String topicKey, final String doc)
    {
        return new ConfigKey(name, ConfigKey.Type.STRING, def, 0, 0, choices, check, allowed, topicKey, doc);
    }

    private static ConfigKey listKey(final String name, final String def, final Set<String> choices, final String allowed, final String doc)
    {
        final String topicKey = LOG_CLEANUP_POLICY.equals(name) ? TopicConfigs.CLEANUP_POLICY : null;
        return new ConfigKey(name, ConfigKey.Type.LIST, def, 0, 0, choices, null, allowed, topicKey, doc);
    }

    /**
     * @param key  the key, for errors.
     * @param text comma-separated endpoints.
     * @return them, names unique.
     */
    static List<Endpoint> endpoints(final String key, final String text)
    {
        final List<Endpoint> result = new java.util.ArrayList<>();
        final java.util.Set<String> names = new java.util.HashSet<>();
        for (final String item : ConfigKey.asList(text))
        {
            final Endpoint e = Endpoint.parse(key, item);
            if (!names.add(e.name()))
            {
                throw new ConfigException(key, text, "each listener name at most once; " + e.name() + " repeats");
            }
            result.add(e);
        }
        return result;
    }

    /**
     * Parses {@code max.connections.per.ip.overrides}: Kafka's {@code host:count} pairs, the host a name or an
     * address (an IPv6 address before the last colon).
     *
     * @param text the value.
     * @return the limit of each address.
     * @throws ConfigException naming the key when an entry is malformed, a host does not resolve or repeats.
     */
    static Map<InetAddress, Integer> connectionOverrides(final String text)
    {
        final Map<InetAddress, Integer> result = new LinkedHashMap<>();
        for (final String item : ConfigKey.asList(text))
        {
            final int colon = item.lastIndexOf(':');
            final String host = colon <= 0 ? "" : item.substring(0, colon).trim();
            final String count = colon < 0 ? "" : item.substring(colon + 1).trim();
            final int limit;
            try
            {
                limit = Integer.parseInt(count);
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, text,
                    "comma-separated host:count with count in [0, " + Integer.MAX_VALUE + "]; " + item + " is not one");
            }
            if (host.isEmpty() || limit < 0)
            {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, text,
                    "comma-separated host:count with count in [0, " + Integer.MAX_VALUE + "]; " + item + " is not one");
            }
            final InetAddress address;
            try
            {
                address = InetAddress.getByName(host);
            }
            catch (final UnknownHostException ex)
            {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, text, "host " + host + " does not resolve");
            }
            if (result.put(address, limit) != null)
            {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, text,
                    "each address at most once; " + address.getHostAddress() + " repeats");
            }
        }
        return result;
    }

    /**
     * Parses {@code listener.security.protocol.map}.
     *
     * @param text comma-separated {@code NAME:PROTOCOL} pairs.
     * @return listener name (upper case) to security protocol, in order.
     * @throws ConfigException on a malformed pair, an unknown protocol or a repeated name.
     */
    static Map<String, String> protocolMap(final String text)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (final String item : ConfigKey.asList(text))
        {
            final int colon = item.indexOf(':');
            final String name = colon <= 0 ? "" : item.substring(0, colon).trim().toUpperCase(java.util.Locale.ROOT);
            final String protocol = colon <= 0 ? "" : item.substring(colon + 1).trim().toUpperCase(java.util.Locale.ROOT);
            if (!name.matches("[A-Z0-9_]+") || !SECURITY_PROTOCOLS.contains(protocol))
            {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, text,
                    "NAME:PROTOCOL pairs with PROTOCOL one of " + SECURITY_PROTOCOLS + "; " + item + " is not one");
            }
            if (map.put(name, protocol) != null)
            {
                throw new ConfigException(LISTENER_SECURITY_PROTOCOL_MAP, text, "each listener name at most once; " + name + " repeats");
            }
        }
        return map;
    }
}
