package io.tidemark.testkit.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.function.Function;

import io.tidemark.testkit.Ports;

/**
 * Decides whether a started node is ready for work. Polled by {@link ProcessCluster#start(String)} until it
 * returns true, the process exits or the start timeout passes. An exception counts as "not yet".
 */
@FunctionalInterface
public interface Readiness
{
    /**
     * @param node the node being started.
     * @return true once the node is ready.
     * @throws Exception treated as "not ready yet".
     */
    boolean isReady(ProcessCluster.Node node) throws Exception;

    /** @return ready as soon as the process is running. */
    static Readiness none()
    {
        return node -> true;
    }

    /**
     * @param port a loopback port.
     * @return ready when 127.0.0.1:port accepts a connection.
     */
    static Readiness tcpPort(final int port)
    {
        return tcp(node -> Ports.loopback(port));
    }

    /**
     * @param address the node's address, e.g. read from its config.
     * @return ready when the address accepts a connection.
     */
    static Readiness tcp(final Function<ProcessCluster.Node, InetSocketAddress> address)
    {
        return node ->
        {
            try (Socket s = new Socket())
            {
                s.connect(address.apply(node), 500);
                return true;
            }
            catch (final IOException e)
            {
                return false;
            }
        };
    }

    /**
     * @param relativePath a path relative to the node's working directory.
     * @return ready when the file exists (e.g. a "ready" marker the process writes).
     */
    static Readiness fileExists(final String relativePath)
    {
        return node -> Files.exists(node.workDir().resolve(relativePath));
    }

    /**
     * @param other another check.
     * @return ready when both are.
     */
    default Readiness and(final Readiness other)
    {
        return node -> isReady(node) && other.isReady(node);
    }
}
