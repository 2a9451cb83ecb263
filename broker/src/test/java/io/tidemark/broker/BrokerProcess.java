package io.tidemark.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tidemark.broker.cli.TidemarkCli;
import io.tidemark.testkit.Await;

/**
 * A broker in a child JVM started through the CLI's main class ({@code tidemark broker --config FILE}) on
 * the test class path, for what only a real process can show: kill -9 and SIGTERM.
 */
final class BrokerProcess implements AutoCloseable
{
    private static final Pattern STARTED = Pattern.compile("started, listening on \\[PLAINTEXT://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path output;
    private final int port;

    private BrokerProcess(final Process process, final Path output, final int port)
    {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    /**
     * @param work  directory for the config file and the output.
     * @param props server.properties content.
     * @param name  a name for the files.
     * @return the started process, its port known.
     * @throws IOException if it cannot start.
     */
    static BrokerProcess start(final Path work, final Map<String, String> props, final String name) throws IOException
    {
        return start(work, props, name, List.of("-Xmx256m"));
    }

    /**
     * @param work     directory for the config file and the output.
     * @param props    server.properties content.
     * @param name     a name for the files.
     * @param jvmFlags JVM flags besides the project's (heap size, GC options).
     * @return the started process, its port known.
     * @throws IOException if it cannot start.
     */
    static BrokerProcess start(final Path work, final Map<String, String> props, final String name, final List<String> jvmFlags)
        throws IOException
    {
        final Path config = work.resolve(name + ".properties");
        final StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(config, text.toString());
        final Path output = work.resolve(name + ".out");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("tidemark.jvm.flags", "").trim().split("\\s+")));
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TidemarkCli.class.getName());
        command.add("broker");
        command.add("--config");
        command.add(config.toString());
        command.removeIf(String::isEmpty);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        final int[] port = { -1 };
        try
        {
            Await.await(() -> "broker process to start; output so far:\n" + read(output), Duration.ofSeconds(60), () ->
            {
                if (!process.isAlive())
                {
                    throw new AssertionError("broker process exited with " + process.exitValue() + ":\n" + read(output));
                }
                final Matcher m = STARTED.matcher(read(output));
                if (m.find())
                {
                    port[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            });
        }
        catch (final AssertionError ex)
        {
            process.destroyForcibly();
            throw ex;
        }
        return new BrokerProcess(process, output, port[0]);
    }

    static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    int port()
    {
        return port;
    }

    /**
     * @return the child's process id (for jcmd).
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * @return true while the child runs.
     */
    boolean isAlive()
    {
        return process.isAlive();
    }

    String output()
    {
        return read(output);
    }

    /**
     * kill -9: no shutdown hook, no clean marker.
     */
    void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError("kill -9 did not end the process");
        }
    }

    /**
     * SIGTERM and wait.
     *
     * @return the exit code.
     */
    int terminate() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("the broker did not stop within 60 s of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
