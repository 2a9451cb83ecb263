package io.tidemark.testkit.fault;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import io.tidemark.testkit.net.FaultProxy;
import io.tidemark.testkit.net.LinkMode;
import io.tidemark.testkit.net.ProxyNetwork;
import io.tidemark.testkit.process.ProcessCluster;

/**
 * Carries out the process and network kinds of fault on a {@link ProcessCluster} and a {@link ProxyNetwork}
 * whose node names match; other kinds (power loss, corruption, clock, disk) need a handler registered with
 * {@link #on}. Symbolic targets ({@code leader}, {@code controller}) are resolved when the fault starts by
 * the {@link #resolver}, and healing acts on the same nodes. Healing tolerates a partial start: it restarts
 * nodes that are down, resumes nodes that are paused and sets the links it changed back to PASS.
 */
public final class ClusterFaults implements FaultInjector
{
    private static final Set<FaultKind> PROCESS = EnumSet.of(FaultKind.KILL, FaultKind.KILL_TWO, FaultKind.BOUNCE,
        FaultKind.PAUSE, FaultKind.WIPE);
    private static final Set<FaultKind> NETWORK = EnumSet.of(FaultKind.ISOLATE, FaultKind.PARTITION, FaultKind.LINK_DELAY,
        FaultKind.DROP_RESPONSES, FaultKind.REFUSE, FaultKind.LINK_RESET);

    private final ProcessCluster cluster;
    private final ProxyNetwork network;
    private final Map<FaultKind, FaultInjector> handlers = new EnumMap<>(FaultKind.class);
    private final Map<Fault, List<String>> resolved = new ConcurrentHashMap<>();
    private final Map<Fault, List<FaultProxy>> changedLinks = new ConcurrentHashMap<>();
    private UnaryOperator<String> resolver = UnaryOperator.identity();
    private long delayMs = 200;

    /**
     * @param cluster the nodes' processes, or null when process faults are not wanted.
     * @param network the links between them, or null when network faults are not wanted.
     */
    public ClusterFaults(final ProcessCluster cluster, final ProxyNetwork network)
    {
        this.cluster = cluster;
        this.network = network;
    }

    /**
     * @param resolver maps a target name (e.g. {@code leader}) to a node name when a fault starts.
     * @return this.
     */
    public ClusterFaults resolver(final UnaryOperator<String> resolver)
    {
        this.resolver = resolver;
        return this;
    }

    /**
     * @param delayMs the latency LINK_DELAY adds to each direction; default 200.
     * @return this.
     */
    public ClusterFaults delayMs(final long delayMs)
    {
        this.delayMs = delayMs;
        return this;
    }

    /**
     * @param kind    a kind.
     * @param handler carries it out instead of the built-in behaviour.
     * @return this.
     */
    public ClusterFaults on(final FaultKind kind, final FaultInjector handler)
    {
        handlers.put(kind, handler);
        return this;
    }

    @Override
    public boolean supports(final FaultKind kind)
    {
        return handlers.containsKey(kind) || (PROCESS.contains(kind) && cluster != null)
            || (NETWORK.contains(kind) && network != null);
    }

    private List<String> nodes(final Fault f)
    {
        return resolved.computeIfAbsent(f, k ->
        {
            final List<String> names = new ArrayList<>();
            for (final String n : k.nodes())
            {
                names.add(resolver.apply(n));
            }
            return names;
        });
    }

    @Override
    public void start(final Fault f) throws Exception
    {
        final FaultInjector handler = handlers.get(f.kind());
        if (handler != null)
        {
            handler.start(f);
            return;
        }
        if (!supports(f.kind()))
        {
            throw new UnsupportedOperationException(f.kind() + " needs a handler: ClusterFaults.on(" + f.kind() + ", ...)");
        }
        final List<String> nodes = nodes(f);
        final List<FaultProxy> links = changedLinks.computeIfAbsent(f, k -> new ArrayList<>());
        switch (f.kind())
        {
            case KILL, KILL_TWO -> nodes.forEach(cluster::kill9);
            case BOUNCE -> cluster.stop(nodes.get(0));
            case PAUSE -> cluster.pause(nodes.get(0));
            case WIPE ->
            {
                cluster.kill9(nodes.get(0));
                cluster.wipe(nodes.get(0));
            }
            case ISOLATE -> links.addAll(network.isolate(nodes.get(0)));
            case PARTITION -> links.addAll(network.partition(resolve(f.side(0)), resolve(f.side(1))));
            case LINK_DELAY -> links.addAll(network.isolate(nodes.get(0), LinkMode.delay(delayMs)));
            case DROP_RESPONSES -> links.addAll(network.inbound(nodes.get(0), LinkMode.dropResponses()));
            case REFUSE -> links.addAll(network.inbound(nodes.get(0), LinkMode.refuse()));
            case LINK_RESET -> links.addAll(network.isolate(nodes.get(0), LinkMode.reset()));
            default -> throw new UnsupportedOperationException(f.kind().toString());
        }
    }

    private List<String> resolve(final List<String> names)
    {
        final List<String> out = new ArrayList<>();
        for (final String n : names)
        {
            out.add(resolver.apply(n));
        }
        return out;
    }

    @Override
    public void heal(final Fault f) throws Exception
    {
        final FaultInjector handler = handlers.get(f.kind());
        if (handler != null)
        {
            handler.heal(f);
            return;
        }
        try
        {
            if (PROCESS.contains(f.kind()))
            {
                healProcesses(nodes(f));
            }
            else
            {
                final List<FaultProxy> links = changedLinks.getOrDefault(f, List.of());
                for (final FaultProxy link : links)
                {
                    link.pass();
                }
            }
        }
        finally
        {
            resolved.remove(f);
            changedLinks.remove(f);
        }
    }

    private void healProcesses(final List<String> nodes)
    {
        final List<String> launched = new ArrayList<>();
        for (final String n : nodes)
        {
            final ProcessCluster.State state = cluster.node(n).state();
            if (state == ProcessCluster.State.PAUSED)
            {
                cluster.resume(n);
            }
            else if (state == ProcessCluster.State.DOWN)
            {
                cluster.launch(n);
                launched.add(n);
            }
        }
        for (final String n : launched)
        {
            cluster.awaitReady(n);
        }
    }
}
