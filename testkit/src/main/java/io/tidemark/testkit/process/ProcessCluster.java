package io.tidemark.testkit.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tidemark.testkit.Ports;

/**
 * Starts and manages child JVMs (or any command) as the nodes of a cluster, for out-of-process fault tests.
 *
 * <pre>
 *   baseDir/
 *     broker-1/                 working directory of the process
 *       broker-1.properties     written from node.config() before every start
 *       stdout.log stderr.log   appended across restarts, with a banner per start
 *       data/                   node.dataDir(): put it in the config (e.g. log.dirs); wipe() deletes it
 * </pre>
 *
 * <pre>
 *   try (ProcessCluster cluster = ProcessCluster.builder(tempDir)
 *           .command(node -&gt; ProcessCluster.javaCommand(flags, classpath, "io.tidemark.broker.Main",
 *               List.of("broker", "--config", node.configFile().toString())))
 *           .readiness(Readiness.tcp(node -&gt; address(node)))
 *           .build())
 *   {
 *       ProcessCluster.Node b1 = cluster.add("broker-1");
 *       b1.config().setProperty("log.dirs", b1.dataDir().toString());
 *       cluster.startAll();
 *       cluster.kill9("broker-1");   // 137
 *       cluster.start("broker-1");
 *   }
 * </pre>
 *
 * With {@link Builder#lossyFs()} every node's data directory is its own {@link LossyFs} mount (backing files in
 * {@code broker-1/lossy/backing}), and {@link #powerCut} kills nodes with SIGKILL and drops everything their
 * filesystem was not told to keep by an fsync: the power cut the engine cannot see coming.
 *
 * <p>Faults: {@link #kill9} (SIGKILL of the process tree), {@link #stop} (SIGTERM, and a shutdown that does not
 * finish in time is a {@link ShutdownHangError}), {@link #pause}/{@link #resume} (SIGSTOP/SIGCONT),
 * {@link #wipe} and {@link #corrupt} on a stopped node. Every process is killed by {@link #close()} and, should
 * the test JVM exit first, by a shutdown hook (a test JVM killed with SIGKILL cannot clean up; its children
 * then outlive it).
 *
 * <p>Thread-safe: operations on one node are serialised; different nodes can be driven concurrently.
 */
public final class ProcessCluster implements AutoCloseable
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int TAIL_LINES = 40;

    private final Path baseDir;
    private final Function<Node, List<String>> command;
    private final Readiness readiness;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final Map<String, String> environment;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final boolean lossyFs;
    private final Thread cleanupHook;
    private boolean closed;

    /** The lifecycle of a node's process. */
    public enum State
    {
        /** Never started, or stopped, killed or exited. */
        DOWN,
        /** Running. */
        RUNNING,
        /** Stopped by SIGSTOP. */
        PAUSED
    }

    /** One node: its directories, config and current process. */
    public static final class Node
    {
        private final String name;
        private final Path workDir;
        private final Path dataDir;
        private final Path configFile;
        private final Path stdout;
        private final Path stderr;
        private final Properties config = new Properties();
        private volatile Process process;
        private volatile State state = State.DOWN;
        private volatile int starts;
        private volatile Integer lastExitCode;
        private volatile LossyFs lossyFs;

        Node(final String name, final Path workDir)
        {
            this.name = name;
            this.workDir = workDir;
            this.dataDir = workDir.resolve("data");
            this.configFile = workDir.resolve(name + ".properties");
            this.stdout = workDir.resolve("stdout.log");
            this.stderr = workDir.resolve("stderr.log");
        }

        /** @return the node's name. */
        public String name()
        {
            return name;
        }

        /** @return the lossy filesystem mounted at {@link #dataDir()}, or null without {@link Builder#lossyFs()}. */
        public LossyFs lossyFs()
        {
            return lossyFs;
        }

        /** @return the process's working directory. */
        public Path workDir()
        {
            return workDir;
        }

        /** @return the directory meant for the node's data; {@link ProcessCluster#wipe} deletes it. */
        public Path dataDir()
        {
            return dataDir;
        }

        /** @return where {@link #config()} is written before every start. */
        public Path configFile()
        {
            return configFile;
        }

        /** @return the mutable config, written to {@link #configFile()} at each start. */
        public Properties config()
        {
            return config;
        }

        /** @return the stdout capture file. */
        public Path stdoutFile()
        {
            return stdout;
        }

        /** @return the stderr capture file. */
        public Path stderrFile()
        {
            return stderr;
        }

        /** @return the current process id, or -1 when down. */
        public long pid()
        {
            final Process p = process;
            return p == null ? -1 : p.pid();
        }

        /** @return the lifecycle state (a process that exited by itself is DOWN). */
        public State state()
        {
            final Process p = process;
            return p == null || !p.isAlive() ? State.DOWN : state;
        }

        /** @return how many times the node was started. */
        public int starts()
        {
            return starts;
        }

        /** @return the exit code of the last process, or null if none has ended. */
        public Integer lastExitCode()
        {
            final Process p = process;
            if (p != null && !p.isAlive())
            {
                return p.exitValue();
            }
            return lastExitCode;
        }

        @Override
        public String toString()
        {
            return name + "[" + state() + (pid() > 0 ? " pid " + pid() : "") + "]";
        }
    }

    /** Builds a {@link ProcessCluster}. */
    public static final class Builder
    {
        private final Path baseDir;
        private Function<Node, List<String>> command;
        private Readiness readiness = Readiness.none();
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean lossyFs;

        Builder(final Path baseDir)
        {
            this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
        }

        /**
         * @param command the command line of a node, e.g. {@code bin/tidemark broker --config FILE}. Required.
         * @return this.
         */
        public Builder command(final Function<Node, List<String>> command)
        {
            this.command = command;
            return this;
        }

        /**
         * @param readiness when a started node is ready; default: as soon as it runs.
         * @return this.
         */
        public Builder readiness(final Readiness readiness)
        {
            this.readiness = readiness;
            return this;
        }

        /**
         * @param timeout how long a start may take to become ready; default 60 s.
         * @return this.
         */
        public Builder startTimeout(final Duration timeout)
        {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long a SIGTERM shutdown may take before it counts as hung; default 30 s.
         * @return this.
         */
        public Builder stopTimeout(final Duration timeout)
        {
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * @param name  an environment variable for every node.
         * @param value its value.
         * @return this.
         */
        public Builder environment(final String name, final String value)
        {
            environment.put(name, value);
            return this;
        }

        /**
         * Mounts a {@link LossyFs} at every node's data directory (check {@link LossyFs#unavailable()} first).
         *
         * @return this.
         */
        public Builder lossyFs()
        {
            this.lossyFs = true;
            return this;
        }

        /** @return the cluster, with no nodes yet. */
        public ProcessCluster build()
        {
            if (command == null)
            {
                throw new IllegalArgumentException("command is required");
            }
            return new ProcessCluster(this);
        }
    }

    private ProcessCluster(final Builder b)
    {
        this.baseDir = b.baseDir;
        this.command = b.command;
        this.readiness = b.readiness;
        this.startTimeout = b.startTimeout;
        this.stopTimeout = b.stopTimeout;
        this.environment = new LinkedHashMap<>(b.environment);
        this.lossyFs = b.lossyFs;
        this.cleanupHook = new Thread(() ->
        {
            killAllQuietly();
            unmountAllQuietly();
        }, "tidemark-process-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /**
     * @param baseDir where node directories are created.
     * @return a builder.
     */
    public static Builder builder(final Path baseDir)
    {
        return new Builder(baseDir);
    }

    /** @return the {@code java} executable of the running JVM. */
    public static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @param jvmFlags  flags such as {@code -Xmx256m} and the {@code --add-opens} the engine needs.
     * @param classpath the class path.
     * @param mainClass the main class.
     * @param args      program arguments.
     * @return {@code java <flags> -cp <classpath> <mainClass> <args>} with this JVM's java.
     */
    public static List<String> javaCommand(final List<String> jvmFlags, final String classpath, final String mainClass,
        final List<String> args)
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** @return a free ephemeral port on 127.0.0.1 for a node's config (see {@link Ports}). */
    public static int freePort()
    {
        return Ports.freePort();
    }

    /**
     * Adds a node and creates its directories.
     *
     * @param name the node's name (also its directory name).
     * @return the node, whose config the caller fills in.
     */
    public Node add(final String name)
    {
        if (!name.matches("[A-Za-z0-9._-]+"))
        {
            throw new IllegalArgumentException("node name '" + name + "' must match [A-Za-z0-9._-]+");
        }
        synchronized (nodes)
        {
            if (closed)
            {
                throw new IllegalStateException("cluster is closed");
            }
            if (nodes.containsKey(name))
            {
                throw new IllegalArgumentException("node " + name + " already exists");
            }
            final Node node = new Node(name, baseDir.resolve(name));
            try
            {
                Files.createDirectories(node.dataDir);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot create " + node.dataDir, e);
            }
            if (lossyFs)
            {
                final Path lossy = node.workDir.resolve("lossy");
                node.lossyFs = LossyFs.mount(lossy.resolve("backing"), lossy.resolve("trash"), node.dataDir,
                    node.workDir.resolve("lossyfs.log"));
            }
            nodes.put(name, node);
            return node;
        }
    }

    /**
     * @param name a node's name.
     * @return the node.
     */
    public Node node(final String name)
    {
        synchronized (nodes)
        {
            final Node node = nodes.get(name);
            if (node == null)
            {
                throw new IllegalArgumentException("no node " + name + " (nodes " + nodes.keySet() + ")");
            }
            return node;
        }
    }

    /** @return every node, in the order added. */
    public List<Node> nodes()
    {
        synchronized (nodes)
        {
            return new ArrayList<>(nodes.values());
        }
    }

    /** @return every node's name, in the order added. */
    public List<String> names()
    {
        synchronized (nodes)
        {
            return new ArrayList<>(nodes.keySet());
        }
    }

    /**
     * Starts a node and waits until it is ready.
     *
     * @param name the node.
     * @throws AssertionError when it exits during startup or is not ready within the start timeout; the
     *                        message carries the tail of its output.
     */
    public void start(final String name)
    {
        launch(name);
        awaitReady(name);
    }

    /** Launches every node that is down, then waits for each to be ready (nodes may need each other to start). */
    public void startAll()
    {
        final List<String> launched = new ArrayList<>();
        for (final Node node : nodes())
        {
            if (node.state() == State.DOWN)
            {
                launch(node.name);
                launched.add(node.name);
            }
        }
        for (final String name : launched)
        {
            awaitReady(name);
        }
    }

    /**
     * Writes the node's config and starts its process without waiting for readiness.
     *
     * @param name the node.
     */
    public void launch(final String name)
    {
        final Node node = node(name);
        synchronized (node)
        {
            checkOpen();
            if (node.state() != State.DOWN)
            {
                throw new IllegalStateException("node " + node + " is already running");
            }
            final List<String> cmd = command.apply(node);
            try
            {
                Files.createDirectories(node.dataDir);
                Files.writeString(node.configFile, render(node.config), StandardCharsets.UTF_8);
                final String banner = "==== testkit: start #" + (node.starts + 1) + " of " + name + " at " + Instant.now()
                    + ": " + String.join(" ", cmd) + System.lineSeparator();
                appendLine(node.stdout, banner);
                appendLine(node.stderr, banner);
                final ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(node.workDir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.stdout.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(node.stderr.toFile()));
                pb.environment().putAll(environment);
                final Process p = pb.start();
                p.getOutputStream().close(); // stdin at end of file: a node never waits for console input
                node.process = p;
                node.state = State.RUNNING;
                node.starts++;
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot start " + name + ": " + cmd, e);
            }
        }
    }

    private static String render(final Properties config) throws IOException
    {
        final StringWriter out = new StringWriter();
        config.store(out, null);
        return Arrays.stream(out.toString().split("\\R"))
            .filter(line -> !line.startsWith("#") && !line.isEmpty())
            .sorted()
            .collect(Collectors.joining(System.lineSeparator(), "", System.lineSeparator()));
    }

    private static void appendLine(final Path file, final String line) throws IOException
    {
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Waits until a launched node is ready.
     *
     * @param name the node.
     */
    public void awaitReady(final String name)
    {
        final Node node = node(name);
        final Process p = node.process;
        if (p == null)
        {
            throw new IllegalStateException("node " + name + " was never launched");
        }
        final long deadlineNs = System.nanoTime() + startTimeout.toNanos();
        Exception lastCheckFailure = null;
        while (true)
        {
            if (!p.isAlive())
            {
                throw new AssertionError("node " + name + " exited with code " + p.exitValue() + " while starting"
                    + System.lineSeparator() + tail(name, TAIL_LINES));
            }
            try
            {
                if (readiness.isReady(node))
                {
                    return;
                }
            }
            catch (final Exception e)
            {
                lastCheckFailure = e;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                final AssertionError error = new AssertionError("node " + name + " (pid " + p.pid() + ") not ready within "
                    + startTimeout.toMillis() + " ms" + System.lineSeparator() + tail(name, TAIL_LINES));
                if (lastCheckFailure != null)
                {
                    error.addSuppressed(lastCheckFailure);
                }
                throw error;
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    /**
     * Kills a node's process tree with SIGKILL and waits for it to be gone.
     *
     * @param name the node.
     * @return the exit code (137 for a JVM killed by SIGKILL).
     */
    public int kill9(final String name)
    {
        final Node node = node(name);
        synchronized (node)
        {
            final Process p = requireAlive(node, "kill -9");
            for (final ProcessHandle h : Signals.treeLeavesFirst(p.toHandle()))
            {
                h.destroyForcibly();
            }
            return awaitExit(node, p, Duration.ofSeconds(30), "SIGKILL");
        }
    }

    /**
     * Stops a node with SIGTERM (a paused node is continued so it can handle it) and waits for it to exit.
     *
     * @param name the node.
     * @return the exit code (143 for a JVM that ran its shutdown hooks after SIGTERM).
     * @throws ShutdownHangError when it does not exit within the stop timeout; it is then killed.
     */
    public int stop(final String name)
    {
        final Node node = node(name);
        synchronized (node)
        {
            final Process p = requireAlive(node, "stop");
            final List<ProcessHandle> tree = Signals.treeLeavesFirst(p.toHandle());
            for (final ProcessHandle h : tree)
            {
                h.destroy();
            }
            if (node.state == State.PAUSED)
            {
                for (final ProcessHandle h : tree)
                {
                    Signals.send(h.pid(), "CONT");
                }
                node.state = State.RUNNING;
            }
            if (waitFor(p, stopTimeout))
            {
                return awaitExit(node, p, Duration.ofSeconds(10), "SIGTERM");
            }
            final long outputBefore = size(node.stdout);
            try
            {
                Signals.send(p.pid(), "QUIT"); // a JVM prints every thread's stack to stdout
                awaitQuiet(node.stdout, outputBefore);
            }
            catch (final IllegalStateException ignored)
            {
                // the process may have exited meanwhile: the dump is a courtesy
            }
            for (final ProcessHandle h : Signals.treeLeavesFirst(p.toHandle()))
            {
                h.destroyForcibly();
            }
            awaitExit(node, p, Duration.ofSeconds(30), "SIGKILL after a hung shutdown");
            throw new ShutdownHangError(name, "node " + name + " (pid " + p.pid() + ") did not stop within "
                + stopTimeout.toMillis() + " ms of SIGTERM; sent SIGQUIT for a thread dump, then SIGKILL"
                + System.lineSeparator() + tail(name, 200));
        }
    }

    /** Waits until the thread dump stops growing the file, at most 3 s. */
    private static void awaitQuiet(final Path file, final long sizeBefore)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long last = sizeBefore;
        long stableSinceNs = System.nanoTime();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final long now = size(file);
            if (now != last)
            {
                last = now;
                stableSinceNs = System.nanoTime();
            }
            else if (now > sizeBefore && System.nanoTime() - stableSinceNs > TimeUnit.MILLISECONDS.toNanos(200))
            {
                return;
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException e)
        {
            return 0;
        }
    }

    /**
     * A power cut of the named nodes at once: every running one is killed with SIGKILL (all of them before any
     * filesystem is cut, so none outlives another's cut), then each node's lossy filesystem drops what was not
     * synced (torn page by page when {@code tornSeed} is given, each node with its own seed derived from it)
     * and is mounted again. The nodes stay down; start them to recover.
     *
     * @param names    the nodes (one, a minority or every node).
     * @param tornSeed null for a clean cut (everything unsynced gone), else the seed of a torn cut.
     * @return per node, the filesystem's state just before its cut ({@link LossyFs#status()}).
     */
    public Map<String, String> powerCut(final List<String> names, final Long tornSeed)
    {
        final List<Node> cut = new ArrayList<>();
        for (final String name : names)
        {
            final Node node = node(name);
            if (node.lossyFs == null)
            {
                throw new IllegalStateException("node " + name + " has no lossy filesystem (Builder.lossyFs())");
            }
            cut.add(node);
        }
        for (final Node node : cut)
        {
            if (isAlive(node.name))
            {
                kill9(node.name);
            }
        }
        final Map<String, String> before = new LinkedHashMap<>();
        for (final Node node : cut)
        {
            synchronized (node)
            {
                before.put(node.name, node.lossyFs.status());
                if (tornSeed == null)
                {
                    node.lossyFs.cut();
                }
                else
                {
                    node.lossyFs.cutTorn(tornSeed * 31 + node.name.hashCode());
                }
                node.lossyFs.remount();
                try
                {
                    appendLine(node.stdout, "==== testkit: power cut (" + (tornSeed == null ? "clean" : "torn, seed " + tornSeed)
                        + ") at " + Instant.now() + "; the filesystem before it: "
                        + before.get(node.name).replace('\n', ' ') + System.lineSeparator());
                }
                catch (final IOException e)
                {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return before;
    }

    /**
     * Stops (SIGTERM, see {@link #stop}) and starts a node.
     *
     * @param name the node.
     */
    public void restart(final String name)
    {
        stop(name);
        start(name);
    }

    /**
     * Freezes a node's process tree with SIGSTOP; returns once the kernel reports it stopped.
     *
     * @param name the node.
     */
    public void pause(final String name)
    {
        final Node node = node(name);
        synchronized (node)
        {
            final Process p = requireAlive(node, "pause");
            if (node.state == State.PAUSED)
            {
                throw new IllegalStateException("node " + name + " is already paused");
            }
            for (final ProcessHandle h : Signals.treeLeavesFirst(p.toHandle()))
            {
                Signals.send(h.pid(), "STOP");
                if (!Signals.awaitStopped(h.pid(), true, 10_000))
                {
                    throw new IllegalStateException("process " + h.pid() + " of " + name + " did not stop after SIGSTOP");
                }
            }
            node.state = State.PAUSED;
        }
    }

    /**
     * Continues a paused node with SIGCONT.
     *
     * @param name the node.
     */
    public void resume(final String name)
    {
        final Node node = node(name);
        synchronized (node)
        {
            final Process p = requireAlive(node, "resume");
            if (node.state != State.PAUSED)
            {
                throw new IllegalStateException("node " + name + " is not paused");
            }
            final List<ProcessHandle> tree = Signals.treeLeavesFirst(p.toHandle());
            for (int i = tree.size() - 1; i >= 0; i--)
            {
                Signals.send(tree.get(i).pid(), "CONT");
                Signals.awaitStopped(tree.get(i).pid(), false, 10_000);
            }
            node.state = State.RUNNING;
        }
    }

    /**
     * @param name the node.
     * @return true while its process runs (paused counts as alive).
     */
    public boolean isAlive(final String name)
    {
        final Process p = node(name).process;
        return p != null && p.isAlive();
    }

    /**
     * Deletes a stopped node's data directory (and recreates it empty): a disk replaced by a blank one.
     *
     * @param name the node.
     */
    public void wipe(final String name)
    {
        final Node node = node(name);
        synchronized (node)
        {
            requireDown(node, "wipe");
            if (node.lossyFs != null)
            {
                deleteContents(node.dataDir);
            }
            else
            {
                deleteTree(node.dataDir);
            }
            try
            {
                Files.createDirectories(node.dataDir);
                appendLine(node.stdout, "==== testkit: wiped " + node.dataDir + " at " + Instant.now() + System.lineSeparator());
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot recreate " + node.dataDir, e);
            }
        }
    }

    /**
     * Applies a corruption to a file of a stopped node.
     *
     * @param name         the node.
     * @param relativePath the file, relative to the node's data directory.
     * @param how          the corruption.
     * @return what was done (random choices resolved), also written to the node's stdout log.
     */
    public String corrupt(final String name, final String relativePath, final Corruption how)
    {
        final Node node = node(name);
        synchronized (node)
        {
            requireDown(node, "corrupt");
            final String what = how.apply(dataPath(node, relativePath));
            try
            {
                appendLine(node.stdout, "==== testkit: corrupted: " + what + System.lineSeparator());
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
            return what;
        }
    }

    /**
     * @param name         the node.
     * @param relativePath a file relative to its data directory.
     * @return a whole-file snapshot, for a later {@link Corruption#rollBack}.
     */
    public FileSnapshot snapshot(final String name, final String relativePath)
    {
        return Corruption.snapshot(dataPath(node(name), relativePath));
    }

    /**
     * @param name         the node.
     * @param relativePath a file relative to its data directory.
     * @param position     start (negative: from the end).
     * @param length       bytes.
     * @return a snapshot of that range.
     */
    public FileSnapshot snapshot(final String name, final String relativePath, final long position, final int length)
    {
        return Corruption.snapshot(dataPath(node(name), relativePath), position, length);
    }

    /**
     * @param name the node.
     * @param glob a glob over paths relative to the data directory, e.g. {@code "*&#47;*.log"}.
     * @return the matching regular files, relative to the data directory, sorted.
     */
    public List<String> dataFiles(final String name, final String glob)
    {
        final Path dir = node(name).dataDir;
        final PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile)
                .map(dir::relativize)
                .filter(matcher::matches)
                .map(Path::toString)
                .sorted()
                .collect(Collectors.toList());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static Path dataPath(final Node node, final String relativePath)
    {
        final Path file = node.dataDir.resolve(relativePath).normalize();
        if (!file.startsWith(node.dataDir))
        {
            throw new IllegalArgumentException(relativePath + " is outside the data directory of " + node.name);
        }
        return file;
    }

    /**
     * @param name  the node.
     * @param lines how many lines of each stream.
     * @return the end of its stdout and stderr, for failure messages.
     */
    public String tail(final String name, final int lines)
    {
        final Node node = node(name);
        return "---- " + name + " stdout (" + node.stdout + ") ----" + System.lineSeparator()
            + tailOf(node.stdout, lines)
            + "---- " + name + " stderr (" + node.stderr + ") ----" + System.lineSeparator()
            + tailOf(node.stderr, lines);
    }

    /**
     * @param lines how many lines of each stream.
     * @return every node's tail.
     */
    public String tails(final int lines)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String name : names())
        {
            sb.append(tail(name, lines));
        }
        return sb.toString();
    }

    private static String tailOf(final Path file, final int lines)
    {
        if (!Files.exists(file))
        {
            return "(no output)" + System.lineSeparator();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            final long length = raf.length();
            final int window = (int)Math.min(length, 256L * 1024);
            final byte[] bytes = new byte[window];
            raf.seek(length - window);
            raf.readFully(bytes);
            final String[] all = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            final int from = Math.max(0, all.length - lines);
            return String.join(System.lineSeparator(), Arrays.asList(all).subList(from, all.length)) + System.lineSeparator();
        }
        catch (final IOException e)
        {
            return "(cannot read " + file + ": " + e + ")" + System.lineSeparator();
        }
    }

    private Process requireAlive(final Node node, final String operation)
    {
        final Process p = node.process;
        if (p == null || !p.isAlive())
        {
            throw new IllegalStateException("cannot " + operation + " node " + node.name + ": it is not running"
                + (p == null ? "" : " (exited with " + p.exitValue() + ")"));
        }
        return p;
    }

    private static void requireDown(final Node node, final String operation)
    {
        final Process p = node.process;
        if (p != null && p.isAlive())
        {
            throw new IllegalStateException("cannot " + operation + " node " + node.name + " while it runs (pid " + p.pid() + ")");
        }
    }

    private static boolean waitFor(final Process p, final Duration timeout)
    {
        try
        {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for pid " + p.pid(), e);
        }
    }

    private static int awaitExit(final Node node, final Process p, final Duration timeout, final String what)
    {
        if (!waitFor(p, timeout))
        {
            throw new IllegalStateException("pid " + p.pid() + " of " + node.name + " still alive " + timeout.toMillis()
                + " ms after " + what);
        }
        // descendants (a launcher script's JVM) must be gone too
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        node.state = State.DOWN;
        node.lastExitCode = p.exitValue();
        return p.exitValue();
    }

    private static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList()))
            {
                Files.delete(p);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** Deletes what a directory holds, not the directory (a mount point). */
    private static void deleteContents(final Path dir)
    {
        try (Stream<Path> children = Files.list(dir))
        {
            for (final Path child : children.collect(Collectors.toList()))
            {
                deleteTree(child);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }

    private void checkOpen()
    {
        synchronized (nodes)
        {
            if (closed)
            {
                throw new IllegalStateException("cluster is closed");
            }
        }
    }

    /** Kills without locks: used by the shutdown hook, which must not wait for a node operation. */
    private void killAllQuietly()
    {
        final List<Node> all;
        synchronized (nodes)
        {
            all = new ArrayList<>(nodes.values());
        }
        for (final Node node : all)
        {
            final Process p = node.process;
            if (p != null && p.isAlive())
            {
                for (final ProcessHandle h : Signals.treeLeavesFirst(p.toHandle()))
                {
                    h.destroyForcibly();
                }
            }
        }
    }

    /** Unmounts every lossy filesystem (the shutdown hook's; no FUSE mount outlives the test JVM's exit). */
    private void unmountAllQuietly()
    {
        final List<Node> all;
        synchronized (nodes)
        {
            all = new ArrayList<>(nodes.values());
        }
        for (final Node node : all)
        {
            if (node.lossyFs != null)
            {
                node.lossyFs.close();
            }
        }
    }

    /** Kills every node's process tree (SIGKILL, paused ones included) and waits for them to be gone. */
    @Override
    public void close()
    {
        synchronized (nodes)
        {
            closed = true;
        }
        killAllQuietly();
        for (final Node node : nodes())
        {
            final Process p = node.process;
            if (p != null)
            {
                waitFor(p, Duration.ofSeconds(30));
                node.state = State.DOWN;
            }
            if (node.lossyFs != null)
            {
                node.lossyFs.close();
            }
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        }
        catch (final IllegalStateException e)
        {
            // the JVM is shutting down; the hook runs anyway and finds nothing alive
        }
    }
}
