package io.tidemark.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free ephemeral ports on 127.0.0.1 for configs that must name a port before the process that binds it
 * starts. A port is free when handed out; another process could take it before the caller binds it (rare
 * on loopback with the kernel's random ephemeral choice). Never hands out the same port twice in one JVM.
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
