package io.tidemark.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Free ephemeral ports on 127.0.0.1 for configs that must name a port before the process that binds it
 * starts. A port is free when handed out; another process could take it before the caller binds it (rare
 * on loopback with the kernel's random ephemeral choice). Never hands out the same port twice in one JVM.
 *
 * <p>A handed-out port is closed until its process binds it, so this JVM's own later {@code bind(0)} could
 * get it: Linux gives {@code bind(0)} the odd ports and {@code connect()} the even ones, so another
 * listener, not a client, is what takes such a port. Listeners a test opens while configured processes are
 * still starting (fault proxies) go through {@link #bindListener()}, which never keeps a handed-out port.
 */
public final class Ports
{
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports()
    {
    }

    /** @return a port that was free on 127.0.0.1 a moment ago and was not handed out before. */
    public static synchronized int freePort()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try (ServerSocket socket = new ServerSocket())
            {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                final int port = socket.getLocalPort();
                if (HANDED_OUT.add(port))
                {
                    return port;
                }
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot bind 127.0.0.1:0", e);
            }
        }
        throw new IllegalStateException("no fresh ephemeral port after 100 attempts");
    }

    /**
     * Binds a listener on 127.0.0.1 at a kernel-chosen port that {@link #freePort()} has not handed out (a
     * port handed out for a process that has not bound it yet is free in the kernel's eyes). The port is
     * then counted as handed out, so {@link #freePort()} never names it either, even after it is closed.
     *
     * @param reuseAddress SO_REUSEADDR for the listener.
     * @param backlog      the accept backlog.
     * @return the bound listener.
     * @throws IOException when 127.0.0.1 cannot be bound.
     */
    public static ServerSocket bindListener(final boolean reuseAddress, final int backlog) throws IOException
    {
        return bindAvoidingHandedOut(() ->
        {
            final ServerSocket socket = new ServerSocket();
            try
            {
                socket.setReuseAddress(reuseAddress);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
                return socket;
            }
            catch (final IOException e)
            {
                socket.close();
                throw e;
            }
        });
    }

    /** Binds one listening socket; the seam {@link #bindAvoidingHandedOut} is tested through. */
    @FunctionalInterface
    interface Binder
    {
        ServerSocket bind() throws IOException;
    }

    static synchronized ServerSocket bindAvoidingHandedOut(final Binder binder) throws IOException
    {
        // a rejected socket stays bound until the end, so the kernel cannot offer its port again
        final List<ServerSocket> rejected = new ArrayList<>();
        try
        {
            for (int attempt = 0; attempt < 100; attempt++)
            {
                final ServerSocket socket = binder.bind();
                if (HANDED_OUT.add(socket.getLocalPort()))
                {
                    return socket;
                }
                rejected.add(socket);
            }
            throw new IOException("no port that was not handed out after 100 binds");
        }
        finally
        {
            for (final ServerSocket socket : rejected)
            {
                socket.close();
            }
        }
    }

    /**
     * @param count how many.
     * @return distinct free ports.
     */
    public static int[] freePorts(final int count)
    {
        final int[] ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            ports[i] = freePort();
        }
        return ports;
    }

    /**
     * @param port a port.
     * @return 127.0.0.1:port.
     */
    public static InetSocketAddress loopback(final int port)
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
