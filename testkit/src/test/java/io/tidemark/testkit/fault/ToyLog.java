package io.tidemark.testkit.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.tidemark.testkit.Ports;
import io.tidemark.testkit.process.ProcessCluster;
import io.tidemark.testkit.process.Readiness;

/** Starts {@link ToyLogMain} nodes and talks to them. */
final class ToyLog
{
    private ToyLog()
    {
    }

    static ProcessCluster cluster(final Path dir)
    {
        final String classes;
        try
        {
            classes = Path.of(ToyLogMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException e)
        {
            throw new IllegalStateException(e);
        }
        return ProcessCluster.builder(dir)
            .command(node -> ProcessCluster.javaCommand(List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                classes, ToyLogMain.class.getName(), List.of("broker", "--config", node.configFile().toString())))
            .readiness(Readiness.tcp(node -> Ports.loopback(port(node))))
            .startTimeout(Duration.ofSeconds(30))
            .stopTimeout(Duration.ofSeconds(20))
            .build();
    }

    static ProcessCluster.Node addNode(final ProcessCluster cluster, final String name, final boolean durable)
    {
        final ProcessCluster.Node node = cluster.add(name);
        node.config().setProperty("port", Integer.toString(Ports.freePort()));
        node.config().setProperty("data.dir", node.dataDir().toString());
        node.config().setProperty("durable", Boolean.toString(durable));
        return node;
    }

    static int port(final ProcessCluster.Node node)
    {
        return Integer.parseInt(node.config().getProperty("port"));
    }

    /** One connection; every call may throw on timeout, reset or end of stream. */
    static final class Client implements AutoCloseable
    {
        private final Socket socket = new Socket();
        private final BufferedReader in;
        private final PrintStream out;

        Client(final InetSocketAddress address, final int timeoutMs) throws IOException
        {
            try
            {
                socket.connect(address, timeoutMs);
                socket.setSoTimeout(timeoutMs);
                in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                out = new PrintStream(socket.getOutputStream(), true, StandardCharsets.US_ASCII);
            }
            catch (final IOException e)
            {
                socket.close();
                throw e;
            }
        }

        private String call(final String request) throws IOException
        {
            out.println(request);
            final String line = in.readLine();
            if (line == null)
            {
                throw new IOException("connection closed");
            }
            return line;
        }

        long append(final long value) throws IOException
        {
            final String answer = call("APPEND " + value);
            if (!answer.startsWith("OK "))
            {
                throw new IOException("unexpected answer " + answer);
            }
            return Long.parseLong(answer.substring(3));
        }

        /** @return [end, o1, v1, o2, v2, ...] */
        long[] read(final long from) throws IOException
        {
            final String[] parts = call("READ " + from).split(" ");
            final long[] out = new long[1 + (parts.length - 2) * 2];
            out[0] = Long.parseLong(parts[1]);
            for (int i = 2; i < parts.length; i++)
            {
                final int colon = parts[i].indexOf(':');
                out[1 + (i - 2) * 2] = Long.parseLong(parts[i].substring(0, colon));
                out[2 + (i - 2) * 2] = Long.parseLong(parts[i].substring(colon + 1));
            }
            return out;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
