package io.tidemark.perf.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.IntSupplier;

/**
 * The ports and {@code server.properties} of a local cluster of co-located brokers and controllers on
 * loopback, as {@code tidemark dev} and the process-level tests run it. Node {@code i} (1-based) listens on
 * three ports:
 *
 * <pre>
 *   PLAINTEXT://127.0.0.1:kafka          the Kafka API (clients)
 *   REPLICATION://127.0.0.1:replication  followers' fetches (inter.broker.listener.name)
 *   CONTROLLER://127.0.0.1:controller    the Raft quorum (controller.listener.names, controller.quorum.voters)
 * </pre>
 *
 * Immutable.
 */
public final class ClusterLayout
{
    /** The loopback host every listener binds. */
    public static final String HOST = "127.0.0.1";
    /** Highest number of brokers a layout holds. */
    public static final int MAX_BROKERS = 64;

    private final List<NodePorts> nodes;

    /**
     * One node's ports.
     *
     * @param nodeId      the node id, 1..n.
     * @param kafka       the PLAINTEXT (Kafka API) port.
     * @param replication the REPLICATION port.
     * @param controller  the CONTROLLER port.
     */
    public record NodePorts(int nodeId, int kafka, int replication, int controller)
    {
        /**
         * Validates the ports.
         *
         * @param nodeId      the node id.
         * @param kafka       the Kafka port.
         * @param replication the replication port.
         * @param controller  the controller port.
         */
        public NodePorts
        {
            for (final int p : new int[] { kafka, replication, controller })
            {
                if (p < 1 || p > 65535)
                {
                    throw new IllegalArgumentException("node " + nodeId + ": port " + p + " not in 1..65535");
                }
            }
        }

        /** @return {@code 127.0.0.1:kafka}. */
        public String bootstrap()
        {
            return HOST + ":" + kafka;
        }
    }

    private ClusterLayout(final List<NodePorts> nodes)
    {
        if (nodes.isEmpty() || nodes.size() > MAX_BROKERS)
        {
            throw new IllegalArgumentException("brokers " + nodes.size() + " not in 1.." + MAX_BROKERS);
        }
        this.nodes = List.copyOf(nodes);
    }

    /**
     * @param brokers how many nodes.
     * @return a layout on ports that were free on 127.0.0.1 a moment ago (bound to port 0, then closed).
     */
    public static ClusterLayout ephemeral(final int brokers)
    {
        final Set<Integer> taken = new HashSet<>();
        return ephemeral(brokers, () -> freePort(taken));
    }

    /**
     * @param brokers  how many nodes.
     * @param freePort hands out a distinct free port per call (a test harness passes the one that also
     *                 keeps its own listeners off the ports it handed out).
     * @return a layout on the ports it hands out.
     */
    public static ClusterLayout ephemeral(final int brokers, final IntSupplier freePort)
    {
        checkCount(brokers);
        final List<NodePorts> nodes = new ArrayList<>();
        for (int id = 1; id <= brokers; id++)
        {
            nodes.add(new NodePorts(id, freePort.getAsInt(), freePort.getAsInt(), freePort.getAsInt()));
        }
        return new ClusterLayout(nodes);
    }

    /**
     * @param brokers  how many nodes.
     * @param basePort node {@code i} uses {@code basePort + 3(i-1)}, {@code +1} and {@code +2}.
     * @return the layout.
     */
    public static ClusterLayout fromBasePort(final int brokers, final int basePort)
    {
        checkCount(brokers);
        if (basePort < 1024 || basePort + 3 * brokers - 1 > 65535)
        {
            throw new IllegalArgumentException("--base-port " + basePort + ": ports " + basePort + ".." + (basePort + 3 * brokers - 1)
                + " must lie in 1024..65535");
        }
        final List<NodePorts> nodes = new ArrayList<>();
        for (int id = 1; id <= brokers; id++)
        {
            final int p = basePort + 3 * (id - 1);
            nodes.add(new NodePorts(id, p, p + 1, p + 2));
        }
        return new ClusterLayout(nodes);
    }

    /**
     * @param nodes the nodes' ports, ids 1..n in order.
     * @return the layout.
     */
    public static ClusterLayout of(final List<NodePorts> nodes)
    {
        for (int i = 0; i < nodes.size(); i++)
        {
            if (nodes.get(i).nodeId() != i + 1)
            {
                throw new IllegalArgumentException("node ids must be 1..n in order: " + nodes);
            }
        }
        return new ClusterLayout(nodes);
    }

    private static void checkCount(final int brokers)
    {
        if (brokers < 1 || brokers > MAX_BROKERS)
        {
            throw new IllegalArgumentException("--brokers " + brokers + " not in 1.." + MAX_BROKERS);
        }
    }

    private static int freePort(final Set<Integer> taken)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try (ServerSocket socket = new ServerSocket())
            {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                if (taken.add(socket.getLocalPort()))
                {
                    return socket.getLocalPort();
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot bind " + HOST + ":0", ex);
            }
        }
        throw new IllegalStateException("no fresh ephemeral port after 100 attempts");
    }

    /** @return the nodes, by id. */
    public List<NodePorts> nodes()
    {
        return nodes;
    }

    /**
     * @param nodeId a node id, 1..n.
     * @return its ports.
     */
    public NodePorts node(final int nodeId)
    {
        if (nodeId < 1 || nodeId > nodes.size())
        {
            throw new IllegalArgumentException("no node " + nodeId + " (1.." + nodes.size() + ")");
        }
        return nodes.get(nodeId - 1);
    }

    /** @return how many nodes. */
    public int size()
    {
        return nodes.size();
    }

    /** @return {@code 127.0.0.1:k1,127.0.0.1:k2,...}: every node's Kafka listener. */
    public String bootstrapServers()
    {
        final StringJoiner j = new StringJoiner(",");
        nodes.forEach(n -> j.add(n.bootstrap()));
        return j.toString();
    }

    /** @return {@code 1@127.0.0.1:c1,2@127.0.0.1:c2,...}: every node's real controller address. */
    public String voters()
    {
        final StringJoiner j = new StringJoiner(",");
        nodes.forEach(n -> j.add(n.nodeId() + "@" + HOST + ":" + n.controller()));
        return j.toString();
    }

    /**
     * The {@code server.properties} of one node: co-located broker and controller, every listener on
     * loopback, replication factor min(3, n) and {@code min.insync.replicas} 2 when n ≥ 3 (else 1).
     *
     * @param nodeId a node id.
     * @param logDir where its logs (and the controller's Raft log) live.
     * @return the properties, in a readable order.
     */
    public Map<String, String> serverProperties(final int nodeId, final Path logDir)
    {
        final NodePorts n = node(nodeId);
        final Map<String, String> p = new LinkedHashMap<>();
        p.put("node.id", Integer.toString(nodeId));
        p.put("process.roles", "broker,controller");
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + n.kafka() + ",REPLICATION://" + HOST + ":" + n.replication()
            + ",CONTROLLER://" + HOST + ":" + n.controller());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "REPLICATION");
        p.put("controller.quorum.voters", voters());
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        final int rf = Math.min(3, nodes.size());
        p.put("default.replication.factor", Integer.toString(rf));
        p.put("min.insync.replicas", rf >= 3 ? "2" : "1");
        p.put("num.partitions", "3");
        // small enough for a laptop running several brokers
        p.put("log.segment.bytes", Integer.toString(64 << 20));
        p.put("log.segment.preallocate.bytes", Integer.toString(4 << 20));
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        return p;
    }

    /**
     * @param properties ordered properties.
     * @param header     a comment line.
     * @return the text of a properties file.
     */
    public static String render(final Map<String, String> properties, final String header)
    {
        final StringBuilder sb = new StringBuilder("# ").append(header).append('\n');
        properties.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        return sb.toString();
    }

    /**
     * @return the layout as properties ({@code brokers}, {@code node.I.ports=kafka,replication,controller}),
     *         so {@code tidemark dev --dir D} can restart a cluster on the ports its data was created with.
     */
    public Properties toProperties()
    {
        final Properties p = new Properties();
        p.setProperty("brokers", Integer.toString(nodes.size()));
        for (final NodePorts n : nodes)
        {
            p.setProperty("node." + n.nodeId() + ".ports", n.kafka() + "," + n.replication() + "," + n.controller());
        }
        return p;
    }

    /**
     * @param p properties written by {@link #toProperties()}.
     * @return the layout.
     */
    public static ClusterLayout fromProperties(final Properties p)
    {
        final int brokers = Integer.parseInt(p.getProperty("brokers", "0").trim());
        checkCount(brokers);
        final List<NodePorts> nodes = new ArrayList<>();
        for (int id = 1; id <= brokers; id++)
        {
            final String v = p.getProperty("node." + id + ".ports");
            if (v == null)
            {
                throw new IllegalArgumentException("node." + id + ".ports is missing");
            }
            final String[] ports = v.split(",");
            if (ports.length != 3)
            {
                throw new IllegalArgumentException("node." + id + ".ports=" + v + ": expected kafka,replication,controller");
            }
            nodes.add(new NodePorts(id, Integer.parseInt(ports[0].trim()), Integer.parseInt(ports[1].trim()),
                Integer.parseInt(ports[2].trim())));
        }
        return new ClusterLayout(nodes);
    }

    @Override
    public String toString()
    {
        return "ClusterLayout" + nodes;
    }
}
