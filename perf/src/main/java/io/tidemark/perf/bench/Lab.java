package io.tidemark.perf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.engine.PowerCut;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs a sweep: for every cell, a closed-loop phase (throughput), an open-loop phase at the fixed rate
 * (produce latency without coordinated omission, and end-to-end latency), then power-cut trials.
 *
 * <pre>
 *  trial (seed s, mode one|all):
 *    new topic -- open-loop load at the rate --+-- at a random moment in [0.3, 0.9] x duration:
 *                                              |     cut the power of one node or all (unsynced pages tear)
 *                                              +-- stop the producer (unacknowledged sends fail)
 *    restart the cut nodes (recovery) -- read the topic back -- lost = acknowledged ids not read back
 * </pre>
 *
 * Loss figures come only from that read-back; the flush policy is never used to compute them.
 */
public final class Lab
{
    /**
     * Where each cell's cluster comes from.
     */
    public interface ClusterSource
    {
        /**
         * @return how many brokers its clusters have.
         */
        int brokers();

        /**
         * @param cellIndex the cell about to run.
         * @return a cluster for it (closed after the cell).
         */
        BenchCluster open(int cellIndex);
    }

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FLOW_TIMEOUT = Duration.ofSeconds(30);

    private record Open(LoadResult load, Histogram e2eUs)
    {
    }

    private final SweepPlan plan;
    private final ClusterSource source;
    private final Progress progress;

    /**
     * @param plan     what to run.
     * @param source   the clusters.
     * @param progress where progress goes.
     */
    public Lab(final SweepPlan plan, final ClusterSource source, final Progress progress)
    {
        this.plan = plan;
        this.source = source;
        this.progress = progress;
    }

    /**
     * A source of fresh embedded clusters, one per cell, under {@code root}.
     *
     * @param root    a directory for the brokers' files (each cell's are deleted after it).
     * @param brokers brokers per cluster.
     * @return the source.
     */
    public static ClusterSource embedded(final Path root, final int brokers)
    {
        return new ClusterSource()
        {
            @Override
            public int brokers()
            {
                return brokers;
            }

            @Override
            public BenchCluster open(final int cellIndex)
            {
                return EmbeddedBenchCluster.start(root.resolve("cell-" + cellIndex), brokers);
            }
        };
    }

    /**
     * A source of fresh broker-process clusters on lossyfs mounts ({@code --cut fs}), one per cell, under
     * {@code root}.
     *
     * @param root    a directory for the brokers' files and mounts (each cell's are deleted after it).
     * @param brokers brokers per cluster.
     * @return the source.
     */
    public static ClusterSource processesOnLossyFs(final Path root, final int brokers)
    {
        return new ClusterSource()
        {
            @Override
            public int brokers()
            {
                return brokers;
            }

            @Override
            public BenchCluster open(final int cellIndex)
            {
                return ProcessBenchCluster.start(root.resolve("cell-" + cellIndex), brokers);
            }
        };
    }

    /**
     * @param bootstrap any Kafka-API cluster.
     * @param brokers   its brokers (for the replication factors it can take).
     * @return a source handing out that cluster (never closed by the lab).
     */
    public static ClusterSource external(final String bootstrap, final int brokers)
    {
        final ExternalBenchCluster cluster = new ExternalBenchCluster(bootstrap, brokers);
        return new ClusterSource()
        {
            @Override
            public int brokers()
            {
                return brokers;
            }

            @Override
            public BenchCluster open(final int cellIndex)
            {
                return cluster;
            }
        };
    }

    /**
     * @param fsyncDir where to measure the fsync ceiling, or null to skip it.
     * @param cluster  a description of the clusters for the report.
     * @return the results.
     * @throws InterruptedException if interrupted.
     */
    public SweepResult run(final Path fsyncDir, final String cluster) throws InterruptedException
    {
        final long start = System.nanoTime();
        final int cutsPerCell = plan.seeds() * plan.cutModes().size();
        progress.total(plan.cells().size() * plan.estimatedCellMs(cutsPerCell) + (fsyncDir != null ? 1000 : 0));
        Histogram fsync = null;
        if (fsyncDir != null)
        {
            progress.step("ceiling: raw 4 KiB write + fsync", 1000);
            fsync = fsyncCeiling(fsyncDir, Duration.ofSeconds(1));
        }
        final List<CellResult> results = new ArrayList<>();
        for (int i = 0; i < plan.cells().size(); i++)
        {
            try
            {
                results.add(runCell(i, plan.cells().get(i), cutsPerCell));
            }
            catch (final RuntimeException ex)
            {
                // one broken cell does not lose the others' figures; the reports name the failure
                System.getLogger(Lab.class.getName()).log(System.Logger.Level.ERROR, "cell " + plan.cells().get(i).label() + " failed", ex);
                results.add(CellResult.skipped(plan.cells().get(i), "failed: " + ex));
            }
        }
        progress.done();
        return new SweepResult(plan, cluster, machine(), fsync, results, (System.nanoTime() - start) / 1e9);
    }

    private CellResult runCell(final int index, final Cell cell, final int cutsPerCell) throws InterruptedException
    {
        final String prefix = String.format(Locale.ROOT, "cell %d/%d %s", index + 1, plan.cells().size(), cell.label());
        if (cell.replicationFactor() > source.brokers())
        {
            progress.step(prefix + ": skipped", plan.estimatedCellMs(cutsPerCell));
            return CellResult.skipped(cell, "replication factor " + cell.replicationFactor() + " needs " + cell.replicationFactor() +
                " brokers; the cluster has " + source.brokers());
        }
        final long phaseMs = plan.warmupMs() + plan.durationMs();
        progress.step(prefix + ": starting, closed loop", 1500 + phaseMs + (index == 0 ? 3 * plan.warmupMs() : 0));
        try (BenchCluster cluster = source.open(index))
        {
            final String base = "tidemark-bench-" + index + "-" + Long.toHexString(plan.seed() & 0xffffff);
            final LoadResult closed = closedLoop(cluster, cell, base + "-closed", index == 0 ? 4 * plan.warmupMs() : plan.warmupMs());
            progress.step(prefix + ": open loop at " + (long)plan.rate() + " records/s", phaseMs);
            final Open open = openLoop(cluster, cell, base + "-open");
            final List<CutRecord> cuts = new ArrayList<>();
            if (cluster.canCutPower())
            {
                int trial = 0;
                for (int s = 0; s < plan.seeds(); s++)
                {
                    for (final String mode : plan.cutModes())
                    {
                        final long seed = trialSeed(index, trial);
                        progress.step(String.format(Locale.ROOT, "%s: power cut %d/%d (%s node%s, seed %d)", prefix, trial + 1, cutsPerCell, mode,
                            "all".equals(mode) ? "s" : "", seed), plan.durationMs() * 6 / 10 + 1500);
                        cuts.add(cutTrial(cluster, cell, base + "-cut-" + trial, mode, seed));
                        trial++;
                    }
                }
            }
            return new CellResult(cell, closed, open.load(), open.e2eUs(), cuts, null);
        }
    }

    private long trialSeed(final int cell, final int trial)
    {
        return plan.seed() * 100_000L + cell * 100L + trial; // readable: base seed, cell, trial
    }

    private LoadResult closedLoop(final BenchCluster cluster, final Cell cell, final String topic, final long warmupMs) throws InterruptedException
    {
        Topics.create(cluster.bootstrapServers(), topic, cell, cluster.tidemarkTopicConfigs());
        try (LoadGenerator load = new LoadGenerator(cluster.bootstrapServers(), topic, cell, plan.lingerMs(), plan.seed(), null, 60_000))
        {
            load.run(0, System.nanoTime() + warmupMs * 1_000_000, null); // the first cell's is longer: it also warms the JIT
            load.flush();
            final long acked0 = load.acked();
            final long failed0 = load.failed();
            final Recorder recorder = new Recorder(LoadGenerator.MAX_LATENCY_US, 3);
            final long t0 = System.nanoTime();
            load.run(0, t0 + plan.durationMs() * 1_000_000, recorder);
            load.flush();
            final double seconds = (System.nanoTime() - t0) / 1e9;
            return new LoadResult("closed", 0, load.acked() - acked0, load.failed() - failed0, seconds, recorder.getIntervalHistogram());
        }
        finally
        {
            Topics.delete(cluster.bootstrapServers(), topic);
        }
    }

    private Open openLoop(final BenchCluster cluster, final Cell cell, final String topic) throws InterruptedException
    {
        Topics.create(cluster.bootstrapServers(), topic, cell, cluster.tidemarkTopicConfigs());
        try (EndToEnd e2e = new EndToEnd(cluster.bootstrapServers(), topic);
            LoadGenerator load = new LoadGenerator(cluster.bootstrapServers(), topic, cell, plan.lingerMs(), plan.seed(), null, 60_000))
        {
            load.run(plan.rate(), System.nanoTime() + plan.warmupMs() * 1_000_000, null);
            load.flush();
            e2e.measureFrom(load.sentIds());
            final long acked0 = load.acked();
            final long failed0 = load.failed();
            final Recorder recorder = new Recorder(LoadGenerator.MAX_LATENCY_US, 3);
            final long t0 = System.nanoTime();
            load.run(plan.rate(), t0 + plan.durationMs() * 1_000_000, recorder);
            load.flush();
            final double seconds = (System.nanoTime() - t0) / 1e9;
            final long acked = load.acked() - acked0;
            final Histogram e2eUs = e2e.finish(acked, Duration.ofSeconds(10));
            return new Open(new LoadResult("open", plan.rate(), acked, load.failed() - failed0, seconds, recorder.getIntervalHistogram()), e2eUs);
        }
        finally
        {
            Topics.delete(cluster.bootstrapServers(), topic);
        }
    }

    private CutRecord cutTrial(final BenchCluster cluster, final Cell cell, final String topic, final String mode, final long seed)
        throws InterruptedException
    {
        final Random random = new Random(new SplittableRandom(seed).nextLong()); // neighbouring seeds, unrelated draws
        Topics.create(cluster.bootstrapServers(), topic, cell, cluster.tidemarkTopicConfigs());
        final AckLedger ledger = new AckLedger();
        final long cutAfterNs = (long)((0.3 + 0.6 * random.nextDouble()) * plan.durationMs() * 1_000_000);
        final List<Integer> nodes = new ArrayList<>();
        if ("all".equals(mode))
        {
            for (int n = 0; n < cluster.brokers(); n++)
            {
                nodes.add(n);
            }
        }
        else
        {
            nodes.add(random.nextInt(cluster.brokers()));
        }
        final LoadGenerator load = new LoadGenerator(cluster.bootstrapServers(), topic, cell, plan.lingerMs(), seed, ledger, 2_000);
        final long start = System.nanoTime();
        final Thread producing = new Thread(() -> load.run(plan.rate(), start + 10 * plan.durationMs() * 1_000_000, null),
            "tidemark-bench-load");
        producing.setDaemon(true);
        producing.start();
        final long flowing = System.nanoTime() + FLOW_TIMEOUT.toNanos();
        while (ledger.count() == 0 && System.nanoTime() < flowing && producing.isAlive())
        {
            Thread.sleep(1); // the first acknowledgement: the cut moment counts from when the load flows
        }
        if (ledger.count() == 0)
        {
            load.stop();
            producing.join();
            throw new IllegalStateException(topic + ": no record acknowledged within " + FLOW_TIMEOUT.toSeconds() + " s (" + load.failed() +
                " failed: " + load.firstFailure() + ")");
        }
        final long cutAt = System.nanoTime() + cutAfterNs;
        long now;
        while ((now = System.nanoTime()) < cutAt)
        {
            LockSupport.parkNanos(cutAt - now); // the load's schedule, not a synchronisation
        }
        final long ackedAtCut = ledger.count();
        final long cutNanos = System.nanoTime();
        final List<PowerCut.Cut> cuts;
        try
        {
            cuts = cluster.powerCut(nodes, random);
        }
        finally
        {
            load.stop();
            producing.join();
        }
        final long restartStart = System.nanoTime();
        cluster.restart(nodes);
        final long restartMs = (System.nanoTime() - restartStart) / 1_000_000;
        final boolean settled = cluster.awaitSettled(topic, SETTLE_TIMEOUT);
        if (!settled)
        {
            System.getLogger(Lab.class.getName()).log(System.Logger.Level.WARNING, topic + ": not settled (ISR full, high watermarks at the log " +
                "ends) " + SETTLE_TIMEOUT.toSeconds() + " s after the restart; reading back what the leaders serve");
        }
        final ReadBack back = ReadBack.read(cluster.bootstrapServers(), topic, ledger, Duration.ofSeconds(60));
        long lost = 0;
        long firstLost = Long.MAX_VALUE;
        long lastLost = Long.MIN_VALUE;
        for (long id = 0; id < ledger.idLimit(); id++)
        {
            if (ledger.isAcked(id) && !back.present().get((int)id))
            {
                lost++;
                firstLost = Math.min(firstLost, ledger.ackNanos(id));
                lastLost = Math.max(lastLost, ledger.ackNanos(id));
            }
        }
        long unsynced = 0;
        for (final PowerCut.Cut c : cuts)
        {
            if (c.topicPartition().topic().equals(topic))
            {
                unsynced += Math.max(0, c.logEndOffset() - c.durableOffset());
            }
        }
        Topics.delete(cluster.bootstrapServers(), topic);
        return new CutRecord(mode, seed, List.copyOf(nodes), cutAfterNs / 1_000_000, ackedAtCut, ledger.count(), unsynced, back.records(),
            lost, lost == 0 ? 0 : Math.max(0, (cutNanos - firstLost) / 1e6), lost == 0 ? 0 : (lastLost - firstLost) / 1e6, back.duplicates(),
            back.moved(), restartMs, settled);
    }

    /**
     * The ceiling for the sync-bound policies: 4 KiB appended and forced, one at a time, in {@code dir}.
     */
    static Histogram fsyncCeiling(final Path dir, final Duration duration)
    {
        final Histogram h = new Histogram(LoadGenerator.MAX_LATENCY_US, 3);
        Path file = null;
        try
        {
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "fsync-ceiling", ".bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                final ByteBuffer page = ByteBuffer.allocate(4096);
                final long end = System.nanoTime() + duration.toNanos();
                long position = 0;
                while (System.nanoTime() < end)
                {
                    page.clear();
                    final long t0 = System.nanoTime();
                    while (page.hasRemaining())
                    {
                        position += ch.write(page, position);
                    }
                    ch.force(false);
                    h.recordValue(Math.min(LoadGenerator.MAX_LATENCY_US, (System.nanoTime() - t0) / 1000));
                }
            }
            return h;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            if (file != null)
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ignore)
                {
                    // a temp file in a directory the lab deletes
                }
            }
        }
    }

    static String machine()
    {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " " + System.getProperty("os.arch") +
            ", Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    }
}
