package io.tidemark.perf.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FlushPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark bench}: the durability-vs-latency lab. With no arguments it runs the default subset on
 * an embedded cluster in temporary directories (about 3 minutes on 2 cores) and writes its report to
 * {@code bench-out/}. Exit 0 = ran, 2 = bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "The durability-vs-latency lab: for each flush policy x acks x replication factor x record size, measure throughput, produce and " +
            "end-to-end latency, and the acknowledged records actually lost when the power is cut under load (read back after restart).",
        "Default: policies none,interval:100,interval:10,messages:100,batch x acks 1,all x the largest replication factor the embedded " +
            "cluster takes x 100 B records, 2 seeds x power cuts of one node and of all nodes per cell (about 3 minutes on 2 cores). --full runs the whole grid " +
            "(adds replication factors 1 and 3 and 1 KiB records)." },
    footer = { "", "Writes to --out: results.csv, cuts.csv, results.json, hgrm/*.hgrm and report.html (self-contained, no network).",
        "Against another cluster (Apache Kafka, Redpanda, a Tidemark started elsewhere): --bootstrap-server HOST:PORT runs the same workload " +
            "without power cuts." })
public final class BenchCommand implements Callable<Integer>
{
    static final List<String> ALL_POLICIES = List.of("none", "interval:100", "interval:10", "messages:100", "batch");

    @Option(names = "--policies", split = ",", paramLabel = "POLICY", description = "Flush policies (default: ${DEFAULT-VALUE}).",
        defaultValue = "none,interval:100,interval:10,messages:100,batch")
    List<String> policies;

    @Option(names = "--acks", split = ",", paramLabel = "ACKS", description = "1 and/or all (default: ${DEFAULT-VALUE}).", defaultValue = "1,all")
    List<String> acks;

    @Option(names = "--replication-factor", split = ",", paramLabel = "RF",
        description = "Replication factors (default: the largest the cluster takes, up to 3).")
    List<Integer> replicationFactors;

    @Option(names = "--record-size", split = ",", paramLabel = "BYTES", description = "Record value sizes, >= 16 (default: ${DEFAULT-VALUE}).",
        defaultValue = "100")
    List<Integer> recordSizes;

    @Option(names = "--rate", paramLabel = "RECORDS_PER_S", defaultValue = "5000",
        description = "Open-loop rate, also the load during power cuts (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "2s",
        description = "Measured time per load phase and load per power-cut trial, e.g. 2s, 1500ms (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "500ms", description = "Unmeasured load before each phase (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--brokers", paramLabel = "N",
        description = "Brokers of the embedded cluster, 1 .. " + EmbeddedBenchCluster.MAX_BROKERS + " (default: 3); with " +
            "--bootstrap-server, how many the cluster has (default: as the cluster describes itself).")
    Integer brokers;

    @Option(names = "--seed", paramLabel = "SEED", description = "Base seed of the power cuts (default: random, printed).")
    Long seed;

    @Option(names = { "--seeds", "--cuts" }, paramLabel = "N", defaultValue = "2",
        description = "Power-cut trials per cut mode and cell (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--cut-modes", split = ",", paramLabel = "MODE",
        description = "one (a random node) and/or all (every node at once); default: both, or all with one broker.")
    List<String> cutModes;

    @Option(names = "--cut", paramLabel = "HOW", defaultValue = "engine",
        description = "engine: brokers in this JVM, the engine's own power cut (fast, deterministic); fs: broker processes, each on a lossyfs "
            + "FUSE mount, cut by SIGKILL and the filesystem dropping what was not fsynced (default: ${DEFAULT-VALUE}).")
    String cut;

    @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "1", description = "The producers' linger.ms (default: ${DEFAULT-VALUE}).")
    int lingerMs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-out", description = "Where the report goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
        description = "Run the workload against this Kafka-API cluster instead (no power cuts).")
    String bootstrap;

    @Option(names = "--full", description = "The full grid: all five policies x acks 1,all x rf 1,3 x 100 B,1 KiB (overrides the cell options).")
    boolean full;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the embedded brokers' directories go (default: a temporary directory).")
    Path workDir;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** Held, so the level set on it stays (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger TIDEMARK_LOG = java.util.logging.Logger.getLogger("io.tidemark");
    private static final String KAFKA_CLIENT_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.apache.kafka.clients";
    private static final String RAFT_LOG_LEVEL = "org.slf4j.simpleLogger.log.io.microraft";

    private final PrintStream stdout;
    private final PrintStream stderr;

    /**
     * Prints to the standard streams.
     */
    public BenchCommand()
    {
        this(System.out, System.err);
    }

    BenchCommand(final PrintStream stdout, final PrintStream stderr)
    {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws Exception
    {
        final SweepPlan plan;
        final int clusterBrokers;
        try
        {
            clusterBrokers = clusterBrokers();
            plan = plan(clusterBrokers);
        }
        catch (final IllegalArgumentException ex) // also the engine's ConfigException for a bad policy
        {
            stderr.println("tidemark bench: " + ex.getMessage());
            return 2;
        }
        if (!"engine".equals(cut) && !"fs".equals(cut))
        {
            stderr.println("tidemark bench: --cut takes engine or fs, not " + cut);
            return 2;
        }
        if ("fs".equals(cut))
        {
            final String why = bootstrap != null ? "--cut fs runs its own broker processes; it cannot cut --bootstrap-server's"
                : ProcessBenchCluster.unavailable();
            if (why != null)
            {
                stderr.println("tidemark bench: --cut fs is unavailable: " + why);
                return 2;
            }
        }
        quietLogs();
        stderr.println("tidemark bench: " + plan.cells().size() + (plan.cells().size() == 1 ? " cell; " : " cells; ") + plan.note() + "; base seed " + plan.seed());
        final Progress progress = noProgress ? Progress.quiet() : new Progress(stderr, System.console() != null);
        final SweepResult result;
        final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "tidemark-bench-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(progress::tick, 250, 250, TimeUnit.MILLISECONDS);
        try
        {
            if (bootstrap != null)
            {
                result = new Lab(plan, Lab.external(bootstrap, clusterBrokers), progress).run(null, new ExternalBenchCluster(bootstrap, clusterBrokers)
                    .description());
            }
            else
            {
                final boolean temporary = workDir == null;
                final Path root = temporary ? Files.createTempDirectory("tidemark-bench-") : Files.createDirectories(workDir);
                try
                {
                    result = "fs".equals(cut) ? new Lab(plan, Lab.processesOnLossyFs(root, clusterBrokers), progress).run(root, "processes: "
                        + clusterBrokers + " broker JVM" + (clusterBrokers == 1 ? "" : "s") + " on 127.0.0.1, each on its own lossyfs mount; power cut "
                        + "= SIGKILL, then the filesystem drops and tears what was not fsynced; " + (temporary ? "temporary directories (deleted)"
                        : "directories under " + root)) :
                        new Lab(plan, Lab.embedded(root, clusterBrokers), progress).run(root, "embedded: " + clusterBrokers + " broker" +
                        (clusterBrokers == 1 ? " (its own controller)" : "s, each a controller voter,") + " in one JVM on 127.0.0.1; " +
                        (temporary ? "temporary directories (deleted)" : "directories under " + root));
                }
                finally
                {
                    if (temporary)
                    {
                        EmbeddedBenchCluster.delete(root);
                    }
                }
            }
        }
        finally
        {
            ticker.shutdownNow();
        }
        Reports.table(result, stdout);
        final List<Path> files = new ArrayList<>(Reports.write(result, out));
        files.add(HtmlReport.write(result, out));
        stdout.printf(Locale.ROOT, "%nwrote %d files to %s: %s, %s, %s, %s, %s/*.hgrm%n", files.size(), out.toAbsolutePath(), HtmlReport.FILE,
            Reports.RESULTS_CSV, Reports.CUTS_CSV, Reports.RESULTS_JSON, Reports.HGRM_DIR);
        return 0;
    }

    /**
     * The brokers' start and stop lines and the clients' reconnect warnings during power cuts would scroll the
     * progress bar away: brokers log warnings only, the clients' network layer errors only (unless set).
     */
    private static void quietLogs()
    {
        TIDEMARK_LOG.setLevel(java.util.logging.Level.WARNING);
        if (System.getProperty(KAFKA_CLIENT_LOG_LEVEL) == null)
        {
            System.setProperty(KAFKA_CLIENT_LOG_LEVEL, "error");
        }
        if (System.getProperty(RAFT_LOG_LEVEL) == null)
        {
            System.setProperty(RAFT_LOG_LEVEL, "error"); // election timeouts while a quorum forms or loses power are expected here
        }
    }

    private int clusterBrokers()
    {
        if (brokers != null && brokers < 1)
        {
            throw new IllegalArgumentException("--brokers must be >= 1, not " + brokers);
        }
        if (bootstrap != null)
        {
            return brokers != null ? brokers : describedBrokers(bootstrap);
        }
        final int n = brokers != null ? brokers : 3;
        if (n > EmbeddedBenchCluster.MAX_BROKERS)
        {
            throw new IllegalArgumentException("--brokers must be 1 .. " + EmbeddedBenchCluster.MAX_BROKERS + " for the embedded cluster, not " + n);
        }
        return n;
    }

    /**
     * @return how many brokers the cluster at {@code bootstrap} describes (DescribeCluster through the Admin client).
     */
    private static int describedBrokers(final String bootstrap)
    {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
            java.util.Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))
        {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IllegalArgumentException("cannot describe the cluster at " + bootstrap + " (give --brokers N): " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster at " + bootstrap, ex);
        }
    }

    SweepPlan plan(final int clusterBrokers)
    {
        final int defaultRf = Math.min(3, clusterBrokers);
        final List<String> ps = full ? ALL_POLICIES : policies;
        final List<String> as = full ? List.of("1", "all") : acks;
        final List<Integer> rfs = full ? List.of(1, 3) : replicationFactors != null ? replicationFactors : List.of(defaultRf);
        final List<Integer> sizes = full ? List.of(100, 1024) : recordSizes;
        for (final String p : ps)
        {
            FlushPolicy.parse(p); // names the bad policy
        }
        final List<Cell> cells = new ArrayList<>();
        for (final int rf : rfs)
        {
            for (final int size : sizes)
            {
                for (final String a : as)
                {
                    for (final String p : ps)
                    {
                        cells.add(new Cell(p, "-1".equals(a) ? "all" : a, rf, size));
                    }
                }
            }
        }
        final boolean defaults = !full && ps.equals(ALL_POLICIES) && as.equals(List.of("1", "all")) && replicationFactors == null &&
            sizes.equals(List.of(100));
        final String note = full ? "the full grid: " + describe(ps, as, rfs, sizes, cells.size()) :
            defaults ? "the default subset: " + describe(ps, as, rfs, sizes, cells.size()) + "; the full grid (rf 1,3 and 1 KiB too) is --full" :
            describe(ps, as, rfs, sizes, cells.size());
        final List<String> modes = cutModes != null ? cutModes : bootstrap != null ? List.of() : clusterBrokers > 1 ? List.of("one", "all") :
            List.of("all");
        return new SweepPlan(cells, rate, millis(duration, "--duration"), millis(warmup, "--warmup"), bootstrap != null ? 0 : seeds,
            seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000L), bootstrap != null ? List.of() : modes, lingerMs, note);
    }

    private static String describe(final List<String> ps, final List<String> as, final List<Integer> rfs, final List<Integer> sizes, final int n)
    {
        return String.format(Locale.ROOT, "policies %s x acks %s x rf %s x %s = %d cells", String.join(",", ps), String.join(",", as),
            rfs.stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse(""),
            sizes.stream().map(Cell::size).reduce((x, y) -> x + "," + y).orElse(""), n);
    }

    static long millis(final String text, final String option)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            if (t.endsWith("ms"))
            {
                return Long.parseLong(t.substring(0, t.length() - 2).trim());
            }
            if (t.endsWith("s"))
            {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000);
            }
            if (t.endsWith("m"))
            {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 60_000);
            }
            return Long.parseLong(t);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " takes a time such as 2s, 1500ms or 1m, not " + text);
        }
    }
}
