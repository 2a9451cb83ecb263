package io.tidemark.perf.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.cli.TidemarkCli;
import io.tidemark.perf.engine.JvmFlags;

/**
 * The broker processes of {@code tidemark dev}: launched from this JVM's class path, their output appended
 * to {@code broker.log} (and followed to stdout with a {@code [broker-I]} prefix), ready when they print
 * {@code started, listening on}. Thread-safe: {@link #stop()} may run in a shutdown hook while the main
 * thread waits in {@link #awaitAllExited()}.
 */
final class DevCluster
{
    private static final String READY = " started, listening on ";
    private static final long START_TIMEOUT_MS = 120_000;
    private static final int START_ATTEMPTS = 3;

    private final ClusterLayout layout;
    private final List<Child> children = new ArrayList<>();
    private final long stopTimeoutMs;
    private boolean stopped;

    /**
     * One broker process, its output appended to its log file by the OS (complete even if this JVM is
     * killed), and the thread that follows that file: readiness, and the prefixed copy on stdout.
     */
    private static final class Child
    {
        private static final long POLL_MS = 50;

        final int nodeId;
        final Process process;
        final Thread tail;
        final CountDownLatch ready = new CountDownLatch(1);
        final StringBuilder startupOutput = new StringBuilder();

        Child(final int nodeId, final Process process, final Path logFile, final long from, final boolean stream)
        {
            this.nodeId = nodeId;
            this.process = process;
            this.tail = new Thread(() -> follow(logFile, from, stream), "tidemark-dev-broker-" + nodeId);
            this.tail.setDaemon(true);
            this.tail.start();
        }

        private void follow(final Path logFile, final long from, final boolean stream)
        {
            final String prefix = "[broker-" + nodeId + "] ";
            try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r"))
            {
                file.seek(from);
                final ByteArrayOutputStream line = new ByteArrayOutputStream();
                final byte[] buffer = new byte[8192];
                while (true)
                {
                    final boolean exited = !process.isAlive(); // checked before reading: the last bytes are read after exit
                    final int n = file.read(buffer);
                    if (n > 0)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            if (buffer[i] == '\n')
                            {
                                onLine(line.toString(StandardCharsets.UTF_8), prefix, stream);
                                line.reset();
                            }
                            else
                            {
                                line.write(buffer[i]);
                            }
                        }
                    }
                    else if (exited)
                    {
                        if (line.size() > 0)
                        {
                            onLine(line.toString(StandardCharsets.UTF_8), prefix, stream);
                        }
                        return;
                    }
                    else
                    {
                        Thread.sleep(POLL_MS); // following a file: there is nothing to wait on
                    }
                }
            }
            catch (final IOException ex)
            {
                System.err.println(prefix + "cannot follow " + logFile + ": " + ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private void onLine(final String line, final String prefix, final boolean stream)
        {
            if (ready.getCount() > 0)
            {
                synchronized (startupOutput)
                {
                    startupOutput.append(line).append('\n');
                }
                if (line.contains(READY))
                {
                    ready.countDown();
                }
            }
            if (stream)
            {
                System.out.println(prefix + line);
            }
        }

        String startupOutput()
        {
            synchronized (startupOutput)
            {
                return startupOutput.toString();
            }
        }
    }

    private DevCluster(final ClusterLayout layout, final long stopTimeoutMs)
    {
        this.layout = layout;
        this.stopTimeoutMs = stopTimeoutMs;
    }

    /**
     * Writes the configs, launches every broker and waits until each is serving. With ephemeral ports, a
     * start that fails because a port was taken meanwhile is retried on fresh ports.
     *
     * @param root          the cluster directory.
     * @param brokers       how many brokers.
     * @param basePort      0 for ephemeral ports, else the first port.
     * @param heap          each broker's -Xmx.
     * @param overrides     {@code key=value} for every broker.
     * @param stream        whether to copy the brokers' output to stdout.
     * @param stopTimeoutMs how long a SIGTERM may take.
     * @return the running cluster.
     * @throws IllegalStateException when a broker does not start (its output is in the message).
     */
    static DevCluster start(final Path root, final int brokers, final int basePort, final String heap, final List<String> overrides,
        final boolean stream, final long stopTimeoutMs) throws IOException, InterruptedException
    {
        final Path saved = root.resolve("cluster.properties");
        final boolean reuse = basePort == 0 && Files.exists(saved);
        for (int attempt = 1; ; attempt++)
        {
            final ClusterLayout layout;
            if (reuse)
            {
                layout = ClusterLayout.fromProperties(DevCommand.readProperties(saved));
                if (layout.size() != brokers)
                {
                    throw new IllegalArgumentException(root + " holds a cluster of " + layout.size() + " brokers, not " + brokers
                        + " (use another --dir)");
                }
            }
            else
            {
                layout = basePort == 0 ? ClusterLayout.ephemeral(brokers) : ClusterLayout.fromBasePort(brokers, basePort);
            }
            final DevCluster cluster = new DevCluster(layout, stopTimeoutMs);
            try
            {
                cluster.launch(root, heap, overrides, stream);
                cluster.awaitReady();
                if (!reuse)
                {
                    try (OutputStream out = Files.newOutputStream(saved))
                    {
                        layout.toProperties().store(out, "tidemark dev: the ports this cluster's data was created with");
                    }
                }
                return cluster;
            }
            catch (final IllegalStateException ex)
            {
                cluster.stop();
                final boolean portTaken = ex.getMessage().contains("Address already in use") || ex.getMessage().contains("BindException");
                if (!portTaken || basePort != 0 || reuse || attempt == START_ATTEMPTS)
                {
                    throw ex;
                }
                System.out.println("tidemark dev: a port was taken meanwhile; retrying on fresh ports");
            }
        }
    }

    static Path configFile(final Path root, final int nodeId)
    {
        return root.resolve("broker-" + nodeId).resolve("server.properties");
    }

    private void launch(final Path root, final String heap, final List<String> overrides, final boolean stream) throws IOException
    {
        for (final ClusterLayout.NodePorts n : layout.nodes())
        {
            final Path nodeDir = root.resolve("broker-" + n.nodeId());
            final Path data = nodeDir.resolve("data");
            Files.createDirectories(data);
            final Map<String, String> props = new LinkedHashMap<>(layout.serverProperties(n.nodeId(), data));
            for (final String o : overrides)
            {
                final int eq = o.indexOf('=');
                if (eq <= 0)
                {
                    throw new IllegalArgumentException("--override " + o + ": expected KEY=VALUE");
                }
                props.put(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
            }
            final Path config = configFile(root, n.nodeId());
            Files.writeString(config, ClusterLayout.render(props, "tidemark dev: broker " + n.nodeId() + " of " + layout.size()));
            final Path log = nodeDir.resolve("broker.log");
            Files.writeString(log, "==== tidemark dev: start at " + Instant.now() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            final long from = Files.size(log);
            final ProcessBuilder pb = new ProcessBuilder(command(heap, config)).directory(nodeDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            final Process p = pb.start();
            p.getOutputStream().close();
            synchronized (this)
            {
                children.add(new Child(n.nodeId(), p, log, from, stream));
            }
        }
    }

    private static List<String> command(final String heap, final Path config)
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.tidemark());
        cmd.add("-Xmx" + heap);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TidemarkCli.class.getName());
        cmd.add("broker");
        cmd.add("--config");
        cmd.add(config.toString());
        return cmd;
    }

    private void awaitReady() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        for (final Child c : snapshot())
        {
            while (!c.ready.await(50, TimeUnit.MILLISECONDS))
            {
                if (!c.process.isAlive())
                {
                    c.tail.join(2_000);
                    throw new IllegalStateException("broker " + c.nodeId + " exited with " + c.process.exitValue()
                        + " while starting:\n" + c.startupOutput());
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("broker " + c.nodeId + " did not start within " + START_TIMEOUT_MS + " ms:\n"
                        + c.startupOutput());
                }
            }
        }
    }

    private synchronized List<Child> snapshot()
    {
        return new ArrayList<>(children);
    }

    /** @return the ports. */
    ClusterLayout layout()
    {
        return layout;
    }

    /** @return how many brokers. */
    int size()
    {
        return layout.size();
    }

    /**
     * @param nodeId a node.
     * @return its process id.
     */
    long pid(final int nodeId)
    {
        for (final Child c : snapshot())
        {
            if (c.nodeId == nodeId)
            {
                return c.process.pid();
            }
        }
        return -1;
    }

    /** Waits until every broker process has exited (by itself, or after {@link #stop()}). */
    void awaitAllExited() throws InterruptedException
    {
        for (final Child c : snapshot())
        {
            c.process.waitFor();
            c.tail.join(5_000);
        }
    }

    /**
     * SIGTERM to every broker at once; each gets {@code stopTimeoutMs} to shut down cleanly before SIGKILL.
     * Idempotent.
     */
    void stop()
    {
        final List<Child> all;
        synchronized (this)
        {
            if (stopped)
            {
                return;
            }
            stopped = true;
            all = new ArrayList<>(children);
        }
        for (final Child c : all)
        {
            c.process.destroy();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stopTimeoutMs);
        for (final Child c : all)
        {
            try
            {
                final long leftMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
                if (!c.process.waitFor(leftMs, TimeUnit.MILLISECONDS))
                {
                    System.out.println("tidemark dev: broker " + c.nodeId + " did not stop within " + stopTimeoutMs + " ms; killing it");
                    c.process.destroyForcibly();
                    c.process.waitFor(10, TimeUnit.SECONDS);
                }
                c.tail.join(5_000);
                System.out.println("tidemark dev: broker " + c.nodeId
                    + (c.process.isAlive() ? " is still running (pid " + c.process.pid() + ")" : " exited with " + c.process.exitValue()));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                c.process.destroyForcibly();
            }
        }
    }
}
