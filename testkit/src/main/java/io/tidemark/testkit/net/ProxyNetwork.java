package io.tidemark.testkit.net;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A full mesh of directed {@link FaultProxy} links between named nodes. The link {@code from -> to} carries
 * every connection that {@code from} opens to {@code to}; configure {@code from} to reach {@code to} at
 * {@link #address(String, String)} (per-peer address overrides). Servers are added with their real
 * address; pure clients (producers, consumers, admin tools) with {@link #addClient(String)}: they open
 * connections but accept none.
 *
 * <pre>
 *   ProxyNetwork net = new ProxyNetwork();
 *   net.addServer("broker-1", addr1); net.addServer("broker-2", addr2); net.addClient("client");
 *   net.address("broker-1", "broker-2");   // what broker-1's config names as broker-2
 *   net.partition(Set.of("broker-1"), Set.of("broker-2", "client"));   // both directions blackholed
 *   net.heal();
 * </pre>
 *
 * Note that a TCP connection carries both directions, so cutting {@code a -> b} alone blocks a's
 * requests to b and b's answers to them, while connections b opens to a still work: that is what a
 * one-way partition means here. Thread-safe; {@link #close()} closes every link.
 */
public final class ProxyNetwork implements AutoCloseable
{
    private final Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
    private final Set<String> nodes = new LinkedHashSet<>();
    private final Map<String, FaultProxy> links = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Adds a node that accepts connections at {@code address}, and the links to and from every node
     * already present.
     *
     * @param name    node name, e.g. {@code broker-1}.
     * @param address the node's real listening address.
     */
    public synchronized void addServer(final String name, final InetSocketAddress address)
    {
        addNode(name);
        servers.put(name, address);
        for (final String other : nodes)
        {
            if (!other.equals(name))
            {
                createLink(other, name);
                if (servers.containsKey(other))
                {
                    createLink(name, other);
                }
            }
        }
    }

    /**
     * Adds a node that only opens connections, and its links to every server.
     *
     * @param name node name, e.g. {@code client-1}.
     */
    public synchronized void addClient(final String name)
    {
        addNode(name);
        for (final String server : servers.keySet())
        {
            createLink(name, server);
        }
    }

    private void addNode(final String name)
    {
        if (closed)
        {
            throw new IllegalStateException("network is closed");
        }
        if (name.contains(">") || name.isBlank() || !nodes.add(name))
        {
            throw new IllegalArgumentException("node name '" + name + "' is blank, has '>' or is already taken");
        }
    }

    private void createLink(final String from, final String to)
    {
        links.put(key(from, to), FaultProxy.start(from + "->" + to, servers.get(to)));
    }

    private static String key(final String from, final String to)
    {
        return from + "->" + to;
    }

    /** @return every node name, in the order added. */
    public synchronized List<String> nodes()
    {
        return new ArrayList<>(nodes);
    }

    /**
     * @param from the connecting node.
     * @param to   the server node.
     * @return the link carrying connections from {@code from} to {@code to}.
     */
    public synchronized FaultProxy link(final String from, final String to)
    {
        final FaultProxy link = links.get(key(from, to));
        if (link == null)
        {
            throw new IllegalArgumentException("no link " + from + "->" + to + " (nodes " + nodes + ", servers "
                + servers.keySet() + ")");
        }
        return link;
    }

    /**
     * @param from the connecting node.
     * @param to   the server node.
     * @return the address {@code from} must use to reach {@code to}.
     */
    public InetSocketAddress address(final String from, final String to)
    {
        return link(from, to).address();
    }

    /** @return every link. */
    public synchronized List<FaultProxy> links()
    {
        return new ArrayList<>(links.values());
    }

    /**
     * Sets the mode of every link between a node of {@code sideA} and one of {@code sideB}, both directions.
     *
     * @param sideA one side.
     * @param sideB the other side.
     * @param mode  what the cut links do.
     * @return the links changed.
     */
    public synchronized List<FaultProxy> partition(final Collection<String> sideA, final Collection<String> sideB,
        final LinkMode mode)
    {
        final List<FaultProxy> changed = new ArrayList<>();
        for (final String a : sideA)
        {
            for (final String b : sideB)
            {
                if (a.equals(b))
                {
                    throw new IllegalArgumentException("node " + a + " is on both sides");
                }
                changed.addAll(setIfPresent(a, b, mode));
                changed.addAll(setIfPresent(b, a, mode));
            }
        }
        return changed;
    }

    /**
     * Blackholes every link between the two sides, both directions.
     *
     * @param sideA one side.
     * @param sideB the other side.
     * @return the links changed.
     */
    public List<FaultProxy> partition(final Collection<String> sideA, final Collection<String> sideB)
    {
        return partition(sideA, sideB, LinkMode.blackhole());
    }

    /**
     * Cuts {@code node} off from every other node, both directions.
     *
     * @param node the node.
     * @param mode what its links do.
     * @return the links changed.
     */
    public synchronized List<FaultProxy> isolate(final String node, final LinkMode mode)
    {
        if (!nodes.contains(node))
        {
            throw new IllegalArgumentException("unknown node " + node + " (nodes " + nodes + ")");
        }
        final List<String> others = new ArrayList<>(nodes);
        others.remove(node);
        return partition(List.of(node), others, mode);
    }

    /**
     * Blackholes every link to and from {@code node}.
     *
     * @param node the node.
     * @return the links changed.
     */
    public List<FaultProxy> isolate(final String node)
    {
        return isolate(node, LinkMode.blackhole());
    }

    /**
     * Sets the mode of every link that carries connections into {@code node} (e.g. DROP_RESPONSES: requests
     * reach it, its answers are lost).
     *
     * @param node the server node.
     * @param mode the mode.
     * @return the links changed.
     */
    public synchronized List<FaultProxy> inbound(final String node, final LinkMode mode)
    {
        final List<FaultProxy> changed = new ArrayList<>();
        for (final String from : nodes)
        {
            changed.addAll(setIfPresent(from, node, mode));
        }
        return changed;
    }

    /** Sets every link back to PASS. */
    public synchronized void heal()
    {
        for (final FaultProxy link : links.values())
        {
            if (link.mode().kind() != LinkMode.Kind.PASS)
            {
                link.pass();
            }
        }
    }

    private List<FaultProxy> setIfPresent(final String from, final String to, final LinkMode mode)
    {
        final FaultProxy link = links.get(key(from, to));
        if (link == null)
        {
            return List.of();
        }
        link.mode(mode);
        return List.of(link);
    }

    /** @return one line per link that is not passing, or "all links pass". */
    @Override
    public synchronized String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final FaultProxy link : links.values())
        {
            if (link.mode().kind() != LinkMode.Kind.PASS)
            {
                sb.append(link.name()).append(' ').append(link.mode()).append('\n');
            }
        }
        return sb.length() == 0 ? "all links pass" : sb.toString();
    }

    /** Closes every link (their connections are reset). Idempotent. */
    @Override
    public void close()
    {
        final List<FaultProxy> toClose;
        synchronized (this)
        {
            closed = true;
            toClose = new ArrayList<>(links.values());
        }
        RuntimeException failure = null;
        for (final FaultProxy link : toClose)
        {
            try
            {
                link.close();
            }
            catch (final RuntimeException e)
            {
                if (failure == null)
                {
                    failure = e;
                }
                else
                {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
