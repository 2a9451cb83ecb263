package io.tidemark.broker.metrics;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.management.ObjectName;

import io.tidemark.broker.group.GroupCoordinator;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.SyncStats;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.PartitionState;
import io.tidemark.replication.ReplicaManager;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.replication.controller.raft.RaftController;
import io.tidemark.transport.Counter;
import io.tidemark.transport.TransportServer;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Every metric of one broker, named: Kafka's ({@code kafka.server}, {@code kafka.controller},
 * {@code kafka.network}, {@code kafka.log}) and Tidemark's ({@code tidemark.log}, {@code tidemark.server},
 * {@code tidemark.group}); the list is in {@code docs/METRICS.md}. Gauges read the engine, replication and
 * transport when asked; the {@code tidemark-metrics} thread ticks the meters' rates every 5 s, drains the log
 * directories' fsync recorders, and once a second registers the metrics of partitions, followers and groups
 * that appeared and removes those that went.
 */
public final class BrokerMetrics implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(BrokerMetrics.class.getName());
    private static final long REFRESH_MS = 1_000;

    /**
     * What the metrics read.
     *
     * @param nodeId       this broker.
     * @param logManager   the logs.
     * @param replicas     the partitions hosted here.
     * @param controller   the controller (its image; its quorum state when it is a Raft one).
     * @param groups       the group coordinator.
     * @param listeners    the Kafka listeners' transport servers by listener name.
     */
    public record Sources(int nodeId, LogManager logManager, ReplicaManager replicas, Supplier<Controller> controller,
        GroupCoordinator groups, Map<String, TransportServer> listeners)
    {
    }

    private final MetricsRegistry registry = new MetricsRegistry();
    private final Sources sources;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final TopicMetrics topics;
    private final Timer logFlush;
    private final Map<Path, io.tidemark.broker.metrics.Histogram[]> dirHistograms = new HashMap<>();
    private final Histogram[] recycled = new Histogram[2];
    private final Set<TopicPartition> partitionsRegistered = new HashSet<>();
    private final Set<ObjectName> followerLagNames = new HashSet<>();
    /** Each hosted partition's FetcherLagMetrics name: its clientId names the leader, so it moves with it. */
    private final Map<TopicPartition, ObjectName> fetcherLagNames = new HashMap<>();
    private final Map<ObjectName, Long> groupLag = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread;
    private volatile RequestMetrics requests;
    private long lastTickNs;

    /**
     * Registers the broker-wide metrics and starts the metrics thread.
     *
     * @param sources what the metrics read.
     */
    public BrokerMetrics(final Sources sources)
    {
        this.sources = sources;
        this.topics = new TopicMetrics(registry, clock);
        this.logFlush = registry.add(MetricsRegistry.name("kafka.log", "type", "LogFlushStats", "name", "LogFlushRateAndTimeMs"),
            new Timer("flushes", TimeUnit.MINUTES.toMicros(1), clock), "log fsyncs and their duration, ms");
        replicaManagerMetrics();
        controllerMetrics();
        socketServerMetrics();
        groupCoordinatorMetrics();
        logDirMetrics();
        lastTickNs = clock.nanoTime();
        thread = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "tidemark-metrics-" + sources.nodeId());
            t.setDaemon(true);
            return t;
        });
        refresh();
        thread.scheduleWithFixedDelay(this::refreshQuietly, REFRESH_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * @return the registry (MBean server, Prometheus collector).
     */
    public MetricsRegistry registry()
    {
        return registry;
    }

    /**
     * @return the per-topic meters, marked by the produce and fetch paths.
     */
    public TopicMetrics topics()
    {
        return topics;
    }

    /**
     * Registers the request metrics of the APIs served.
     *
     * @param apis the APIs.
     * @return the observer to give the request processor.
     */
    public RequestMetrics requests(final Iterable<org.apache.kafka.common.protocol.ApiKeys> apis)
    {
        requests = new RequestMetrics(registry, apis, clock);
        return requests;
    }

    private <T extends Metric> T add(final ObjectName name, final T metric, final String help)
    {
        return registry.add(name, metric, help);
    }

    private void gauge(final String domain, final String type, final String name, final Supplier<?> value, final String help)
    {
        add(MetricsRegistry.name(domain, "type", type, "name", name), new Gauge(value), help);
    }

    // ---------------------------------------------------------------------------------------------
    // broker-wide
    // ---------------------------------------------------------------------------------------------

    private void replicaManagerMetrics()
    {
        final ReplicaManager rm = sources.replicas();
        gauge("kafka.server", "ReplicaManager", "PartitionCount", () -> rm.partitions().size(), "partitions hosted");
        gauge("kafka.server", "ReplicaManager", "LeaderCount", () -> count(p -> p.isLeader()), "partitions led");
        gauge("kafka.server", "ReplicaManager", "UnderReplicatedPartitions",
            () -> count(p -> p.isLeader() && p.state().isr().size() < p.state().replicas().size()), "led partitions whose ISR lacks a replica");
        gauge("kafka.server", "ReplicaManager", "UnderMinIsrPartitionCount",
            () -> count(p -> p.isLeader() && p.state().isr().size() < p.state().minInsyncReplicas()), "led partitions below min.insync.replicas");
        gauge("kafka.server", "ReplicaManager", "AtMinIsrPartitionCount",
            () -> count(p -> p.isLeader() && p.state().isr().size() == p.state().minInsyncReplicas()), "led partitions at min.insync.replicas");
        gauge("kafka.server", "ReplicaManager", "OfflineReplicaCount", () -> count(p -> p.log().isClosed() || p.log().failure() != null),
            "replicas whose log is offline (closed, or failed with its log dir)");
        add(MetricsRegistry.name("kafka.server", "type", "ReplicaManager", "name", "IsrShrinksPerSec"),
            Meter.counting("shrinks", clock, () -> rm.stats().isrShrinks()), "ISR shrinks accepted by the controller");
        add(MetricsRegistry.name("kafka.server", "type", "ReplicaManager", "name", "IsrExpandsPerSec"),
            Meter.counting("expands", clock, () -> rm.stats().isrExpands()), "ISR expansions accepted by the controller");
    }

    private int count(final java.util.function.Predicate<Partition> which)
    {
        int n = 0;
        for (final Partition p : sources.replicas().partitions())
        {
            if (which.test(p))
            {
                n++;
            }
        }
        return n;
    }

    private MetadataImage image()
    {
        final Controller c = sources.controller().get();
        return c == null ? null : c.image();
    }

    private void controllerMetrics()
    {
        gauge("kafka.controller", "KafkaController", "ActiveControllerCount", () ->
        {
            final MetadataImage i = image();
            return i != null && i.controllerId() == sources.nodeId() ? 1 : 0;
        }, "1 on the active controller");
        gauge("kafka.controller", "KafkaController", "OfflinePartitionsCount", () -> partitionsWhere(p -> p.leader() < 0),
            "partitions without a leader (counted by every broker from its metadata image)");
        gauge("kafka.controller", "KafkaController", "GlobalTopicCount", () ->
        {
            final MetadataImage i = image();
            return i == null ? 0 : i.topics().size();
        }, "topics in the cluster");
        gauge("kafka.controller", "KafkaController", "GlobalPartitionCount", () -> partitionsWhere(p -> true), "partitions in the cluster");
        add(MetricsRegistry.name("kafka.server", "type", "raft-metrics"), new AttributeGroup(List.of(
            new AttributeGroup.Attr("current-leader", "the quorum leader's id, -1 when unknown", () -> raft(r -> r.leader(), sources.nodeId()), false),
            new AttributeGroup.Attr("current-epoch", "the quorum's current term", () -> raft(r -> r.term(), 0), false),
            new AttributeGroup.Attr("current-state", "1 if this node leads the quorum", () -> raft(r -> r.leader() == r.nodeId() ? 1 : 0, 1), false),
            new AttributeGroup.Attr("high-watermark", "version of the applied metadata image", () ->
            {
                final MetadataImage i = image();
                return i == null ? -1 : i.version();
            }, false))), "quorum state");
    }

    private long raft(final java.util.function.ToLongFunction<RaftController> f, final long single)
    {
        final Controller c = sources.controller().get();
        return c instanceof RaftController r ? f.applyAsLong(r) : single;
    }

    private int partitionsWhere(final java.util.function.Predicate<PartitionInfo> which)
    {
        final MetadataImage i = image();
        if (i == null)
        {
            return 0;
        }
        int n = 0;
        for (final TopicInfo t : i.topics().values())
        {
            for (final PartitionInfo p : t.partitions())
            {
                if (which.test(p))
                {
                    n++;
                }
            }
        }
        return n;
    }

    private void socketServerMetrics()
    {
        for (final Map.Entry<String, TransportServer> e : sources.listeners().entrySet())
        {
            final TransportServer s = e.getValue();
            add(MetricsRegistry.name("kafka.server", "type", "socket-server-metrics", "listener", e.getKey()), new AttributeGroup(List.of(
                new AttributeGroup.Attr("connection-count", "open connections", () -> s.counters().activeConnections(), false),
                new AttributeGroup.Attr("connection-creation-total", "connections accepted",
                    () -> s.counters().get(Counter.CONNECTIONS_OPENED), true),
                new AttributeGroup.Attr("connection-close-total", "connections closed", () -> s.counters().get(Counter.CONNECTIONS_CLOSED), true),
                new AttributeGroup.Attr("connection-rejected-total", "connections refused at max.connections",
                    () -> s.counters().get(Counter.CONNECTIONS_REJECTED), true),
                new AttributeGroup.Attr("incoming-byte-total", "bytes read", () -> s.counters().get(Counter.BYTES_RECEIVED), true),
                new AttributeGroup.Attr("outgoing-byte-total", "bytes written", () -> s.counters().get(Counter.BYTES_SENT), true),
                new AttributeGroup.Attr("request-total", "requests received", () -> s.counters().get(Counter.FRAMES_RECEIVED), true),
                new AttributeGroup.Attr("response-total", "responses sent", () -> s.counters().get(Counter.FRAMES_SENT), true))),
                "connections of a listener");
        }
    }

    private void groupCoordinatorMetrics()
    {
        add(MetricsRegistry.name("kafka.server", "type", "group-coordinator-metrics"), new AttributeGroup(List.of(
            new AttributeGroup.Attr("group-count", "groups coordinated here", () -> groupStats()[0], false),
            new AttributeGroup.Attr("num-offsets", "committed offsets held here", () -> groupStats()[1], false))), "group coordinator");
    }

    private long[] groupStats()
    {
        final long[] n = new long[2];
        final GroupCoordinator g = sources.groups();
        if (g != null)
        {
            g.forEachGroup((id, state, committed) ->
            {
                n[0]++;
                n[1] += committed.size();
            });
        }
        return n;
    }

    private void logDirMetrics()
    {
        final LogManager lm = sources.logManager();
        for (final Path dir : lm.logDirs())
        {
            final String d = dir.toString();
            dirHistograms.put(dir, new io.tidemark.broker.metrics.Histogram[] {
                add(MetricsRegistry.name("tidemark.log", "type", "LogDir", "name", "FsyncTimeMs", "dir", d),
                    new io.tidemark.broker.metrics.Histogram(SyncStats.MAX_LATENCY_US, 1000.0, clock), "fsync latency of a log directory, ms"),
                add(MetricsRegistry.name("tidemark.log", "type", "LogDir", "name", "GroupCommitRecords", "dir", d),
                    new io.tidemark.broker.metrics.Histogram(SyncStats.MAX_GROUP_RECORDS, 1.0, clock), "records made durable per fsync") });
        }
        gauge("tidemark.log", "LogWriter", "RingOccupancyBytes", lm::writerRingOccupancyBytes, "bytes queued in the writers' rings");
        gauge("tidemark.log", "LogWriter", "RingCapacityBytes", lm::writerRingCapacityBytes, "capacity of the writers' rings");
        add(MetricsRegistry.name("tidemark.log", "type", "LogWriter", "name", "BackPressuredPerSec"),
            Meter.counting("appends", clock, lm::writerBackPressureEvents), "appends refused for a full ring (retried)");
    }

    // ---------------------------------------------------------------------------------------------
    // the metrics thread
    // ---------------------------------------------------------------------------------------------

    private void refreshQuietly()
    {
        try
        {
            refresh();
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "metrics refresh failed: " + ex);
        }
    }

    /**
     * Drains the fsync recorders, ticks the rates when due, and brings the per-partition, per-follower and
     * per-group metrics in step with what is hosted. The metrics thread (tests may call it).
     */
    public synchronized void refresh()
    {
        for (final Map.Entry<Path, io.tidemark.broker.metrics.Histogram[]> e : dirHistograms.entrySet())
        {
            final SyncStats stats = sources.logManager().syncStats(e.getKey());
            if (stats == null)
            {
                continue;
            }
            recycled[0] = stats.sampleLatencyUs(recycled[0]);
            e.getValue()[0].absorb(recycled[0]);
            logFlush.absorb(recycled[0]);
            recycled[1] = stats.sampleGroupCommitRecords(recycled[1]);
            e.getValue()[1].absorb(recycled[1]);
        }
        final long now = clock.nanoTime();
        while (now - lastTickNs >= Meter.TICK_INTERVAL_NS)
        {
            lastTickNs += Meter.TICK_INTERVAL_NS;
            registry.tick();
        }
        partitions();
        groups();
    }

    private void partitions()
    {
        final Set<TopicPartition> hosted = new HashSet<>();
        final Set<String> topicNames = new HashSet<>();
        final Set<ObjectName> followers = new HashSet<>();
        for (final Partition p : sources.replicas().partitions())
        {
            final TopicPartition tp = p.topicPartition();
            hosted.add(tp);
            topicNames.add(tp.topic());
            if (partitionsRegistered.add(tp))
            {
                partitionMetrics(p);
            }
            fetcherLag(p);
            if (p.isLeader())
            {
                final PartitionState state = p.state();
                for (final int r : state.replicas())
                {
                    if (r == sources.nodeId())
                    {
                        continue;
                    }
                    final ObjectName records = MetricsRegistry.name("tidemark.server", "type", "ReplicationLag", "name", "Records",
                        "topic", tp.topic(), "partition", String.valueOf(tp.partition()), "follower", String.valueOf(r));
                    final ObjectName ms = MetricsRegistry.name("tidemark.server", "type", "ReplicationLag", "name", "Ms",
                        "topic", tp.topic(), "partition", String.valueOf(tp.partition()), "follower", String.valueOf(r));
                    followers.add(records);
                    followers.add(ms);
                    if (!followerLagNames.contains(records))
                    {
                        add(records, new Gauge(() -> followerLag(p, r, 0)), "records a follower lacks of the leader's log end offset");
                        add(ms, new Gauge(() -> followerLag(p, r, 2)), "ms since a follower was last caught up (0 when caught up)");
                    }
                }
            }
        }
        for (final ObjectName n : Set.copyOf(followerLagNames))
        {
            if (!followers.contains(n))
            {
                registry.removeIf(n::equals);
            }
        }
        followerLagNames.clear();
        followerLagNames.addAll(followers);
        for (final TopicPartition tp : Set.copyOf(partitionsRegistered))
        {
            if (!hosted.contains(tp))
            {
                partitionsRegistered.remove(tp);
                fetcherLagNames.remove(tp);
                final String partition = String.valueOf(tp.partition());
                registry.removeIf(n -> tp.topic().equals(n.getKeyProperty("topic")) && partition.equals(n.getKeyProperty("partition")) &&
                    !"ReplicationLag".equals(n.getKeyProperty("type")));
            }
        }
        topics.retain(topicNames);
    }

    private long followerLag(final Partition p, final int follower, final int which)
    {
        final long[] progress = p.followerProgress().get(follower);
        if (progress == null)
        {
            return -1;
        }
        if (which == 0)
        {
            return Math.max(0, p.log().logEndOffset() - Math.max(0, progress[0]));
        }
        return progress[0] >= p.log().logEndOffset() ? 0 : Math.max(0, System.currentTimeMillis() - progress[2]);
    }

    private void partitionMetrics(final Partition p)
    {
        final TopicPartition tp = p.topicPartition();
        final String topic = tp.topic();
        final String partition = String.valueOf(tp.partition());
        final Log log = p.log();
        logGauge("kafka.log", "Log", "Size", topic, partition, log::sizeInBytes, "bytes of the partition's segments");
        logGauge("kafka.log", "Log", "NumLogSegments", topic, partition, log::segmentCount, "segments");
        logGauge("kafka.log", "Log", "LogStartOffset", topic, partition, log::logStartOffset, "first readable offset");
        logGauge("kafka.log", "Log", "LogEndOffset", topic, partition, log::logEndOffset, "next offset to be written");
        logGauge("tidemark.log", "Log", "UnsyncedRecords", topic, partition, () -> log.unsyncedWindow().records(),
            "records a power cut would lose now");
        logGauge("tidemark.log", "Log", "UnsyncedBytes", topic, partition, () -> log.unsyncedWindow().bytes(), "bytes a power cut would lose now");
        logGauge("tidemark.log", "Log", "UnsyncedAgeMs", topic, partition, () -> log.unsyncedWindow().ageMs(),
            "age of the oldest unsynced record, ms");
        logGauge("tidemark.log", "Log", "DurableOffset", topic, partition, log::durableOffset, "log end offset as of the last fsync");
        logGauge("tidemark.log", "Log", "DurableLag", topic, partition, () -> Math.max(0, log.logEndOffset() - log.durableOffset()),
            "records between the durable offset and the log end offset");
        logGauge("tidemark.log", "Log", "FlushPolicy", topic, partition, () -> log.config().flushPolicy().toString(),
            "the flush policy in force (JMX only: a string)");
    }

    private void fetcherLag(final Partition p)
    {
        final TopicPartition tp = p.topicPartition();
        final ObjectName name = MetricsRegistry.name("kafka.server", "type", "FetcherLagMetrics", "name", "ConsumerLag", "clientId",
            "ReplicaFetcherThread-0-" + Math.max(0, p.state().leader()), "topic", tp.topic(), "partition", String.valueOf(tp.partition()));
        final ObjectName before = fetcherLagNames.put(tp, name);
        if (name.equals(before))
        {
            return;
        }
        if (before != null)
        {
            registry.removeIf(before::equals);
        }
        add(name, new Gauge(p::followerLag), "on a follower: records behind the leader's high watermark (-1 on the leader)");
    }

    private void logGauge(final String domain, final String type, final String name, final String topic, final String partition,
        final Supplier<?> value, final String help)
    {
        add(MetricsRegistry.name(domain, "type", type, "name", name, "topic", topic, "partition", partition), new Gauge(value), help);
    }

    private void groups()
    {
        final GroupCoordinator g = sources.groups();
        if (g == null)
        {
            return;
        }
        final Map<ObjectName, Long> now = new HashMap<>();
        g.forEachGroup((groupId, state, committed) ->
        {
            for (final Map.Entry<org.apache.kafka.common.TopicPartition, Long> e : committed.entrySet())
            {
                final Partition p = sources.replicas().partition(new TopicPartition(e.getKey().topic(), e.getKey().partition()));
                if (p == null)
                {
                    continue; // lag is known where the partition is hosted
                }
                now.put(MetricsRegistry.name("tidemark.group", "type", "ConsumerGroupLag", "name", "Lag", "group", groupId,
                    "topic", e.getKey().topic(), "partition", String.valueOf(e.getKey().partition())),
                    Math.max(0, p.highWatermark() - e.getValue()));
            }
        });
        for (final Map.Entry<ObjectName, Long> e : now.entrySet())
        {
            if (groupLag.put(e.getKey(), e.getValue()) == null)
            {
                final ObjectName n = e.getKey();
                add(n, new Gauge(() -> groupLag.getOrDefault(n, 0L)), "records between a group's committed offset and the high watermark");
            }
        }
        for (final ObjectName n : Set.copyOf(groupLag.keySet()))
        {
            if (!now.containsKey(n))
            {
                groupLag.remove(n);
                registry.removeIf(n::equals);
            }
        }
    }

    /**
     * Stops the metrics thread and unregisters every MBean.
     */
    @Override
    public void close()
    {
        thread.shutdownNow();
        try
        {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        registry.close();
    }
}
