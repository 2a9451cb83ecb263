package io.tidemark.replication;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.ReplicaLogSummary;

/**
 * A broker's session with the controller: registers (retrying until it gets a broker epoch), then
 * heartbeats every {@code heartbeatIntervalMs}; a heartbeat refused as stale (the controller does not
 * know this epoch, e.g. after a lost registration answer) makes it register again. On shutdown it asks
 * for a controlled shutdown so leadership moves before the process stops.
 */
public final class BrokerLifecycle implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(BrokerLifecycle.class.getName());

    private final Controller controller;
    private final Scheduler scheduler;
    private final BrokerInfo self;
    private final UUID incarnation;
    private final Supplier<Map<TopicPartition, ReplicaLogSummary>> summaries;
    private final LongConsumer onRegistered;
    private final long heartbeatIntervalMs;
    private final long retryBackoffMs;
    private volatile boolean cleanShutdown;
    private volatile long brokerEpoch = -1;
    private volatile boolean closed;
    private final CompletableFuture<Long> registered = new CompletableFuture<>();

    /**
     * @param controller          the controller (local or remote).
     * @param scheduler           timers.
     * @param self                this broker's endpoints.
     * @param incarnation         its storage incarnation.
     * @param cleanShutdown       whether its logs were closed cleanly before this start.
     * @param summaries           its replicas' log summaries (for an unclean restart).
     * @param onRegistered        told the broker epoch each time it registers.
     * @param heartbeatIntervalMs {@code broker.heartbeat.interval.ms}.
     * @param retryBackoffMs      pause before retrying a failed registration.
     */
    public BrokerLifecycle(
        final Controller controller,
        final Scheduler scheduler,
        final BrokerInfo self,
        final UUID incarnation,
        final boolean cleanShutdown,
        final Supplier<Map<TopicPartition, ReplicaLogSummary>> summaries,
        final LongConsumer onRegistered,
        final long heartbeatIntervalMs,
        final long retryBackoffMs)
    {
        this.controller = controller;
        this.scheduler = scheduler;
        this.self = self;
        this.incarnation = incarnation;
        this.cleanShutdown = cleanShutdown;
        this.summaries = summaries;
        this.onRegistered = onRegistered;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * Starts registering.
     *
     * @return completes with the first broker epoch.
     */
    public CompletableFuture<Long> start()
    {
        scheduler.execute(this::register);
        return registered;
    }

    /**
     * @return the current broker epoch, -1 before registration.
     */
    public long brokerEpoch()
    {
        return brokerEpoch;
    }

    private void register()
    {
        if (closed)
        {
            return;
        }
        final Map<TopicPartition, ReplicaLogSummary> s = cleanShutdown ? Map.of() : summaries.get();
        controller.registerBroker(self, incarnation, cleanShutdown, s).whenComplete((epoch, error) -> scheduler.execute(() ->
        {
            if (closed)
            {
                return;
            }
            if (error != null)
            {
                LOG.log(System.Logger.Level.WARNING, "broker {0}: registration failed ({1}); retrying", self.id(), error.toString());
                scheduler.schedule(retryBackoffMs, this::register);
                return;
            }
            brokerEpoch = epoch;
            // from now on a re-registration by this process loses nothing: it kept running
            cleanShutdown = true;
            onRegistered.accept(epoch);
            registered.complete(epoch);
            scheduler.schedule(heartbeatIntervalMs, this::heartbeat);
        }));
    }

    private void heartbeat()
    {
        if (closed)
        {
            return;
        }
        final long epoch = brokerEpoch;
        controller.heartbeat(self.id(), epoch).whenComplete((ok, error) -> scheduler.execute(() ->
        {
            if (closed || epoch != brokerEpoch)
            {
                return;
            }
            if (error != null && isStale(error))
            {
                LOG.log(System.Logger.Level.WARNING, "broker {0}: heartbeat refused as stale; registering again", self.id());
                brokerEpoch = -1;
                register();
                return;
            }
            scheduler.schedule(heartbeatIntervalMs, this::heartbeat);
        }));
    }

    private static boolean isStale(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof io.tidemark.replication.controller.ControllerException ce &&
                ce.reason() == io.tidemark.replication.controller.ControllerException.Reason.STALE)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks the controller to move leadership away and fence this broker before it stops.
     *
     * @return completes when the controller did it (or failed).
     */
    public CompletableFuture<Void> controlledShutdown()
    {
        final long epoch = brokerEpoch;
        if (epoch < 0)
        {
            return CompletableFuture.completedFuture(null);
        }
        return controller.controlledShutdown(self.id(), epoch);
    }

    @Override
    public void close()
    {
        closed = true;
    }
}
