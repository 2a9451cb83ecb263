package io.tidemark.perf.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.testkit.fault.Fault;
import io.tidemark.testkit.fault.FaultInjector;
import io.tidemark.testkit.fault.FaultKind;
import io.tidemark.testkit.net.FaultProxy;
import io.tidemark.testkit.process.ProcessCluster;

/**
 * Carries out a schedule's faults on a {@link TidemarkCluster}. The target {@code leader} means the broker
 * leading partition 0 of the topic when the fault starts; anything else is a node name.
 *
 * <pre>
 *   KILL     kill -9             heal: start it (ready when it serves again)
 *   PAUSE    SIGSTOP             heal: SIGCONT (longer than broker.session.timeout.ms: the zombie leader)
 *   ISOLATE  cut off from the other brokers' controller and replication links (clients still reach it)
 *                                heal: links pass again
 *   BOUNCE   SIGTERM (a shutdown that hangs fails the run)
 *                                heal: start it and wait for a full ISR (a rolling restart moves on then)
 * </pre>
 */
final class BrokerFaults implements FaultInjector
{
    private final TidemarkCluster cluster;
    private final String topic;
    private final int replicationFactor;
    private final Map<Fault, String> targets = new ConcurrentHashMap<>();
    private final Map<Fault, List<FaultProxy>> links = new ConcurrentHashMap<>();

    BrokerFaults(final TidemarkCluster cluster, final String topic, final int replicationFactor)
    {
        this.cluster = cluster;
        this.topic = topic;
        this.replicationFactor = replicationFactor;
    }

    @Override
    public boolean supports(final FaultKind kind)
    {
        return kind == FaultKind.KILL || kind == FaultKind.PAUSE || kind == FaultKind.ISOLATE || kind == FaultKind.BOUNCE;
    }

    private String resolve(final String target)
    {
        if (!target.equals("leader"))
        {
            return target;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final int leader = cluster.leaderOf(topic, 0);
            if (leader > 0)
            {
                return TidemarkCluster.name(leader);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // polling the cluster's metadata
        }
        throw new IllegalStateException("partition 0 of " + topic + " has no leader to target");
    }

    @Override
    public void start(final Fault f)
    {
        final String node = resolve(f.target());
        targets.put(f, node);
        System.out.println("[fault] " + f + " -> " + node);
        final ProcessCluster processes = cluster.processes();
        switch (f.kind())
        {
            case KILL -> processes.kill9(node);
            case PAUSE -> processes.pause(node);
            case ISOLATE -> links.put(f, cluster.isolate(node));
            case BOUNCE -> processes.stop(node);
            default -> throw new UnsupportedOperationException(f.kind().toString());
        }
    }

    @Override
    public void heal(final Fault f)
    {
        final String node = targets.remove(f);
        if (node == null)
        {
            return; // the start failed before choosing a node
        }
        final ProcessCluster processes = cluster.processes();
        switch (f.kind())
        {
            case KILL, BOUNCE ->
            {
                if (processes.node(node).state() == ProcessCluster.State.DOWN)
                {
                    processes.start(node);
                }
                if (f.kind() == FaultKind.BOUNCE)
                {
                    cluster.awaitIsr(topic, replicationFactor, Duration.ofSeconds(60));
                }
            }
            case PAUSE ->
            {
                if (processes.node(node).state() == ProcessCluster.State.PAUSED)
                {
                    processes.resume(node);
                }
            }
            case ISOLATE -> TidemarkCluster.heal(links.remove(f));
            default -> throw new UnsupportedOperationException(f.kind().toString());
        }
        System.out.println("[fault] healed " + f + " on " + node);
    }
}
