package io.tidemark.replication.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Scheduler;

/**
 * A multi-broker controller held in memory by one object, not replicated: for in-process clusters in
 * tests and for deterministic simulations (everything runs on the given {@link Scheduler}). It applies
 * the same transformations as the replicated controller ({@link ControllerTopics},
 * {@link ControllerBrokers}) and fences brokers silent for {@code sessionTimeoutMs}.
 */
public final class InMemoryController implements Controller
{
    private static final System.Logger LOG = System.getLogger(InMemoryController.class.getName());

    private final Scheduler scheduler;
    private final Map<String, String> brokerDefaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;
    private final long sessionTimeoutMs;
    private final Supplier<UUID> ids;
    private final CopyOnWriteArrayList<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, Long> lastHeartbeatMs = new HashMap<>();
    private final List<String> electionLog = new ArrayList<>();
    private MetadataImage image;
    private boolean closed;

    /**
     * @param scheduler                time and the session check timer.
     * @param clusterId                the cluster id.
     * @param brokerDefaults           broker-level topic defaults.
     * @param defaultPartitions        {@code num.partitions}.
     * @param defaultReplicationFactor {@code default.replication.factor}.
     * @param sessionTimeoutMs         {@code broker.session.timeout.ms}.
     * @param ids                      source of topic ids (seeded in simulations).
     */
    public InMemoryController(
        final Scheduler scheduler,
        final String clusterId,
        final Map<String, String> brokerDefaults,
        final int defaultPartitions,
        final short defaultReplicationFactor,
        final long sessionTimeoutMs,
        final Supplier<UUID> ids)
    {
        this.scheduler = scheduler;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.ids = ids;
        this.image = new MetadataImage(clusterId, -1, 0, Map.of(), Map.of(), 0);
        scheduleSessionCheck();
    }

    private void scheduleSessionCheck()
    {
        scheduler.schedule(Math.max(1, sessionTimeoutMs / 4), () ->
        {
            if (!isClosed())
            {
                checkSessions();
                scheduleSessionCheck();
            }
        });
    }

    private synchronized boolean isClosed()
    {
        return closed;
    }

    private void checkSessions()
    {
        final long now = scheduler.nowMs();
        final List<Integer> expired = new ArrayList<>();
        synchronized (this)
        {
            for (final BrokerInfo b : image.brokers().values())
            {
                final Long last = lastHeartbeatMs.get(b.id());
                if (!b.fenced() && (last == null || now - last > sessionTimeoutMs))
                {
                    expired.add(b.id());
                }
            }
        }
        for (final int id : expired)
        {
            LOG.log(System.Logger.Level.INFO, "broker {0} missed its session timeout: fencing it", id);
            apply(img -> ControllerBrokers.fence(img, id, brokerDefaults));
        }
    }

    @Override
    public synchronized MetadataImage image()
    {
        return image;
    }

    @Override
    public Map<String, String> brokerDefaults()
    {
        return brokerDefaults;
    }

    /**
     * @return every election made so far, with its kind ("clean", "unclean", "offline").
     */
    public synchronized List<String> electionLog()
    {
        return List.copyOf(electionLog);
    }

    @Override
    public void addListener(final Consumer<MetadataImage> listener)
    {
        final MetadataImage current;
        synchronized (this)
        {
            listeners.add(listener);
            current = image;
        }
        listener.accept(current);
    }

    private MetadataImage apply(final java.util.function.Function<MetadataImage, ControllerBrokers.Result> change)
    {
        final MetadataImage next;
        synchronized (this)
        {
            final ControllerBrokers.Result r = change.apply(image);
            if (r.image() == image)
            {
                return image;
            }
            image = r.image();
            next = image;
            for (final Map.Entry<TopicPartition, String> e : r.elections().entrySet())
            {
                electionLog.add(e.getKey() + " " + e.getValue());
                if ("unclean".equals(e.getValue()))
                {
                    LOG.log(System.Logger.Level.WARNING, "UNCLEAN leader election for {0}: a replica outside the ISR leads; " +
                        "acknowledged records may be lost", e.getKey());
                }
            }
        }
        publish(next);
        return next;
    }

    private void publish(final MetadataImage next)
    {
        for (final Consumer<MetadataImage> l : listeners)
        {
            l.accept(next);
        }
    }

    private <T> CompletableFuture<T> change(
        final java.util.function.UnaryOperator<MetadataImage> transform, final boolean validateOnly,
        final java.util.function.Function<MetadataImage, T> result)
    {
        final MetadataImage next;
        try
        {
            synchronized (this)
            {
                final MetadataImage candidate = transform.apply(image);
                if (validateOnly)
                {
                    return CompletableFuture.completedFuture(result.apply(candidate));
                }
                image = candidate;
                next = candidate;
            }
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
        publish(next);
        return CompletableFuture.completedFuture(result.apply(next));
    }

    @Override
    public CompletableFuture<TopicInfo> createTopic(
        final String name, final int partitions, final short replicationFactor, final List<List<Integer>> assignment,
        final Map<String, String> configs, final boolean validateOnly)
    {
        final int p = partitions < 0 ? defaultPartitions : partitions;
        final int rf = replicationFactor < 0 ? defaultReplicationFactor : replicationFactor;
        final UUID id = ids.get();
        return change(img -> ControllerTopics.createTopic(img, name, id, p, rf, assignment, configs, brokerDefaults), validateOnly,
            img -> img.topics().get(name));
    }

    @Override
    public CompletableFuture<Void> deleteTopic(final String name)
    {
        return change(img -> ControllerTopics.deleteTopic(img, name), false, img -> null);
    }

    @Override
    public CompletableFuture<TopicInfo> createPartitions(final String name, final int totalCount, final boolean validateOnly)
    {
        return change(img -> ControllerTopics.createPartitions(img, name, totalCount), validateOnly, img -> img.topics().get(name));
    }

    @Override
    public CompletableFuture<TopicInfo> alterConfigs(final String name, final Map<String, String> changes, final boolean validateOnly)
    {
        return change(img -> ControllerTopics.alterConfigs(img, name, changes, brokerDefaults), validateOnly,
            img -> img.topics().get(name));
    }

    @Override
    public CompletableFuture<Long> registerBroker(final BrokerInfo broker, final UUID incarnationId, final boolean cleanShutdown,
        final Map<TopicPartition, ReplicaLogSummary> logSummaries)
    {
        final BrokerInfo withIncarnation = new BrokerInfo(broker.id(), 0, incarnationId, broker.host(), broker.port(), broker.rack(),
            false, broker.endpoints());
        final long[] epoch = new long[1];
        synchronized (this)
        {
            lastHeartbeatMs.put(broker.id(), scheduler.nowMs());
        }
        final MetadataImage next = apply(img ->
        {
            epoch[0] = img.version() + 1;
            return ControllerBrokers.register(img, withIncarnation, epoch[0], cleanShutdown, logSummaries, brokerDefaults);
        });
        return CompletableFuture.completedFuture(next.brokers().get(broker.id()).epoch());
    }

    @Override
    public CompletableFuture<Void> heartbeat(final int brokerId, final long brokerEpoch)
    {
        final boolean unfence;
        synchronized (this)
        {
            final BrokerInfo b = image.brokers().get(brokerId);
            if (b == null || b.epoch() != brokerEpoch)
            {
                return CompletableFuture.failedFuture(new ControllerException(ControllerException.Reason.STALE,
                    "broker " + brokerId + " with epoch " + brokerEpoch + " is not the registered incarnation"));
            }
            lastHeartbeatMs.put(brokerId, scheduler.nowMs());
            unfence = b.fenced();
        }
        if (unfence)
        {
            apply(img -> ControllerBrokers.unfence(img, brokerId, brokerDefaults));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<PartitionInfo> alterPartition(
        final String topic, final int partition, final int leaderId, final int leaderEpoch, final int partitionEpoch,
        final List<Integer> newIsr, final Map<Integer, Long> brokerEpochs)
    {
        return change(img -> ControllerBrokers.alterPartition(img, topic, partition, leaderId, leaderEpoch, partitionEpoch, newIsr,
            brokerEpochs, brokerDefaults), false, img -> img.topics().get(topic).partitions().get(partition));
    }

    @Override
    public CompletableFuture<Void> controlledShutdown(final int brokerId, final long brokerEpoch)
    {
        synchronized (this)
        {
            final BrokerInfo b = image.brokers().get(brokerId);
            if (b == null || b.epoch() != brokerEpoch)
            {
                return CompletableFuture.failedFuture(new ControllerException(ControllerException.Reason.STALE,
                    "broker " + brokerId + " with epoch " + brokerEpoch + " is not registered"));
            }
            lastHeartbeatMs.remove(brokerId);
        }
        apply(img -> ControllerBrokers.controlledShutdown(img, brokerId, brokerDefaults));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<TopicPartition>> electLeaders(final boolean preferred, final Map<String, List<Integer>> partitions)
    {
        final List<TopicPartition> changed = new ArrayList<>();
        apply(img ->
        {
            final ControllerBrokers.Result r = ControllerBrokers.electLeaders(img, preferred, partitions, brokerDefaults);
            changed.addAll(r.elections().keySet());
            return r;
        });
        return CompletableFuture.completedFuture(changed);
    }

    @Override
    public CompletableFuture<ProducerIdBlock> allocateProducerIds(final int brokerId, final long brokerEpoch)
    {
        final ControllerProducerIds.Allocating allocation = ControllerProducerIds.allocating(brokerId, brokerEpoch);
        return change(allocation, false, img -> allocation.block());
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        listeners.clear();
    }
}
