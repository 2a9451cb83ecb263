package io.tidemark.perf.replication;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.broker.EmbeddedCluster;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.controller.PartitionInfo;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The replication benchmark: one {@link EmbeddedCluster} of three brokers on loopback (one JVM, Raft controller
 * quorum, followers fetching over the REPLICATION listener), driven by the official Java producer, in one run:
 *
 * <pre>
 *   scenario           topic RF  acks  topic flush.policy  what it shows
 *   rf1-acks1             1       1     none               the baseline: no replication at all
 *   rf3-acks1             3       1     none               the leader's cost of serving followers, not waited for
 *   rf3-acksall           3      all    none               acks=all: each produce waits for the HW (followers' LEO)
 *   rf3-acksall-batch     3      all    batch              the HW follows durable offsets: every replica fsyncs first
 *
 *   per scenario:  throughput  closed loop, N records as fast as the producer takes them
 *                  at-rate     open loop at R records/s; latency from each record's intended send time
 *                              (no coordinated omission), after an unmeasured warm-up
 *   produce latency  = send() to the acknowledgement callback, per record (HdrHistogram)
 *   replication delay = on each partition's leader, log end offset reported by the writer -> HW passes it
 *                       ({@link HwDelayProbe}, a PartitionWatcher), per group of appends
 * </pre>
 *
 * Topics get {@code min.insync.replicas} = min(2, RF). Each scenario waits for a full ISR before producing and
 * deletes its topic afterwards. Results are one {@code RESULT key=value ...} line per scenario and mode, then a
 * markdown table with the ratios.
 *
 * <pre>{@code
 * java -Xmx2g -cp perf/target/tidemark.jar io.tidemark.perf.replication.ReplicationBench --record-size 1024
 * }</pre>
 */
@Command(name = "replication-bench", mixinStandardHelpOptions = true,
    description = "acks=all RF3 vs acks=1 RF1, replication delay (append to HW) and flush policy batch vs none, on an embedded cluster.")
public final class ReplicationBench implements Callable<Integer>
{
    /**
     * One configuration measured.
     *
     * @param name              its label.
     * @param replicationFactor the topic's replication factor.
     * @param acks              the producer's acks.
     * @param flushPolicy       the topic's flush.policy.
     */
    public record Scenario(String name, int replicationFactor, String acks, String flushPolicy)
    {
        /** The default scenarios, in order. */
        public static final List<Scenario> DEFAULTS = List.of(
            new Scenario("rf1-acks1", 1, "1", "none"),
            new Scenario("rf3-acks1", 3, "1", "none"),
            new Scenario("rf3-acksall", 3, "all", "none"),
            new Scenario("rf3-acksall-batch", 3, "all", "batch"));

        /**
         * @param name a default scenario's name.
         * @return it.
         */
        public static Scenario named(final String name)
        {
            for (final Scenario s : DEFAULTS)
            {
                if (s.name.equals(name))
                {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scenario " + name + "; one of " + DEFAULTS.stream().map(Scenario::name).toList());
        }
    }

    /**
     * What to run.
     *
     * @param dir               the cluster's directory (created; left for the caller to delete).
     * @param scenarios         what to measure.
     * @param partitions        partitions per topic.
     * @param recordSize        value bytes per record.
     * @param records           closed-loop records measured.
     * @param warmupRecords     closed-loop records before, not measured.
     * @param rate              open-loop records per second (0 skips the at-rate mode).
     * @param rateSeconds       open-loop seconds measured.
     * @param rateWarmupSeconds open-loop seconds before, not measured.
     * @param lingerMs          the producer's linger.ms.
     */
    public record Settings(Path dir, List<Scenario> scenarios, int partitions, int recordSize, long records, long warmupRecords,
        long rate, int rateSeconds, int rateWarmupSeconds, int lingerMs)
    {
        /** Validates. */
        public Settings
        {
            scenarios = List.copyOf(scenarios);
            if (partitions < 1 || recordSize < 0 || records < 1 || warmupRecords < 0 || rate < 0 || rateSeconds < 1 ||
                rateWarmupSeconds < 0 || lingerMs < 0)
            {
                throw new IllegalArgumentException("invalid settings " + this);
            }
        }
    }

    /**
     * One measured figure set.
     *
     * @param scenario     the scenario.
     * @param mode         {@code throughput} (closed loop) or {@code at-rate} (open loop).
     * @param recordSize   value bytes per record.
     * @param records      records measured.
     * @param seconds      how long they took.
     * @param latency      produce latency, microseconds.
     * @param delay        replication delay (leader append to HW), nanoseconds.
     * @param delayDropped appends not sampled (probe queue full).
     */
    public record Result(Scenario scenario, String mode, int recordSize, long records, double seconds, Histogram latency, Histogram delay,
        long delayDropped)
    {
        /**
         * @return records per second.
         */
        public double recordsPerSecond()
        {
            return records / seconds;
        }

        /**
         * @return value MiB per second.
         */
        public double mibPerSecond()
        {
            return records * (double)recordSize / seconds / (1024 * 1024);
        }

        /**
         * @param percentile e.g. 99.0.
         * @return produce latency at it, milliseconds.
         */
        public double latencyMs(final double percentile)
        {
            return latency.getValueAtPercentile(percentile) / 1e3;
        }

        /**
         * @param percentile e.g. 99.0.
         * @return replication delay at it, milliseconds (NaN without samples).
         */
        public double delayMs(final double percentile)
        {
            return delay.getTotalCount() == 0 ? Double.NaN : delay.getValueAtPercentile(percentile) / 1e6;
        }

        String line()
        {
            return String.format("RESULT scenario=%s rf=%d acks=%s flush=%s mode=%s size=%d records=%d seconds=%.3f records_per_s=%.0f " +
                    "MB_per_s=%.2f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f hw_delay_p50_ms=%.3f hw_delay_p99_ms=%.3f " +
                    "hw_delay_p999_ms=%.3f hw_delay_samples=%d hw_delay_dropped=%d",
                scenario.name, scenario.replicationFactor, scenario.acks, scenario.flushPolicy, mode, recordSize, records, seconds,
                recordsPerSecond(), mibPerSecond(), latencyMs(50), latencyMs(99), latencyMs(99.9), latency.getMaxValue() / 1e3,
                delayMs(50), delayMs(99), delayMs(99.9), delay.getTotalCount(), delayDropped);
        }
    }

    @Option(names = "--dir", description = "Cluster directory (default: a new temporary directory, deleted at the end).")
    Path dir;

    @Option(names = "--scenarios", split = ",", defaultValue = "rf1-acks1,rf3-acks1,rf3-acksall,rf3-acksall-batch")
    List<String> scenarios;

    @Option(names = "--partitions", defaultValue = "3")
    int partitions;

    @Option(names = "--record-size", defaultValue = "1024")
    int recordSize;

    @Option(names = "--records", defaultValue = "300000", description = "Closed-loop records measured.")
    long records;

    @Option(names = "--warmup-records", defaultValue = "-1", description = "Closed-loop warm-up (default: a fifth of --records).")
    long warmupRecords;

    @Option(names = "--rate", defaultValue = "2000", description = "Open-loop records/s; 0 skips the at-rate mode.")
    long rate;

    @Option(names = "--rate-seconds", defaultValue = "15")
    int rateSeconds;

    @Option(names = "--rate-warmup-seconds", defaultValue = "3")
    int rateWarmupSeconds;

    @Option(names = "--linger-ms", defaultValue = "0", description = "Producer linger.ms (0: latency shows the brokers, not the client's wait).")
    int lingerMs;

    /**
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new ReplicationBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final boolean temporary = dir == null;
        final Path d = temporary ? Files.createTempDirectory("replication-bench") : dir;
        try
        {
            final List<Scenario> list = scenarios.stream().map(Scenario::named).toList();
            final Settings s = new Settings(d, list, partitions, recordSize, records, warmupRecords >= 0 ? warmupRecords : records / 5, rate,
                rateSeconds, rateWarmupSeconds, lingerMs);
            final List<Result> results = run(s, System.out);
            System.out.println();
            System.out.print(table(results));
            return 0;
        }
        finally
        {
            if (temporary)
            {
                deleteRecursively(d);
            }
        }
    }

    /**
     * Runs every scenario on one embedded three-broker cluster.
     *
     * @param s   what to run.
     * @param out where RESULT lines go as they are measured.
     * @return the results, in order.
     * @throws Exception if the cluster or a producer fails.
     */
    public static List<Result> run(final Settings s, final PrintStream out) throws Exception
    {
        Files.createDirectories(s.dir());
        final List<Result> results = new ArrayList<>();
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(s.dir()).brokers(3).start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
        {
            for (final Scenario scenario : s.scenarios())
            {
                final String topic = "bench-" + scenario.name;
                createTopic(admin, cluster, topic, scenario, s.partitions());
                final Result tput = measure(cluster, topic, scenario, s, false);
                out.println(tput.line());
                results.add(tput);
                if (s.rate() > 0)
                {
                    final Result atRate = measure(cluster, topic, scenario, s, true);
                    out.println(atRate.line());
                    results.add(atRate);
                }
                admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
            }
        }
        return results;
    }

    private static void createTopic(final Admin admin, final EmbeddedCluster cluster, final String topic, final Scenario scenario,
        final int partitions) throws Exception
    {
        final NewTopic nt = new NewTopic(topic, partitions, (short)scenario.replicationFactor)
            .configs(Map.of("flush.policy", scenario.flushPolicy, "min.insync.replicas", String.valueOf(Math.min(2, scenario.replicationFactor))));
        admin.createTopics(List.of(nt)).all().get(60, TimeUnit.SECONDS);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int p = 0; p < partitions; p++)
        {
            while (leaderPartition(cluster, topic, p, scenario.replicationFactor) == null)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException(topic + "-" + p + " has no leader with a full ISR after 60 s: " + cluster.partition(topic, p));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /**
     * @return the leader's partition once the metadata shows a full ISR and the leader applied it, else null.
     */
    private static Partition leaderPartition(final EmbeddedCluster cluster, final String topic, final int p, final int rf)
    {
        final PartitionInfo info = cluster.partition(topic, p);
        if (info == null || info.leader() < 0 || info.isr().size() < rf || !cluster.isRunning(info.leader()))
        {
            return null;
        }
        final Partition partition = cluster.broker(info.leader()).replicaManager().partition(new TopicPartition(topic, p));
        return partition != null && partition.isLeader() && partition.state().isr().size() >= rf ? partition : null;
    }

    private static Result measure(final EmbeddedCluster cluster, final String topic, final Scenario scenario, final Settings s,
        final boolean atRate) throws Exception
    {
        final List<Partition> leaders = new ArrayList<>();
        final List<HwDelayProbe> probes = new ArrayList<>();
        for (int p = 0; p < s.partitions(); p++)
        {
            final Partition leader = leaderPartition(cluster, topic, p, scenario.replicationFactor);
            if (leader == null)
            {
                throw new IllegalStateException(topic + "-" + p + " lost its full ISR: " + cluster.partition(topic, p));
            }
            final HwDelayProbe probe = new HwDelayProbe(leader.log().logEndOffset());
            leader.addWatcher(probe);
            leaders.add(leader);
            probes.add(probe);
        }
        try
        {
            final Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.ACKS_CONFIG, scenario.acks);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf("all".equals(scenario.acks)));
            props.put(ProducerConfig.LINGER_MS_CONFIG, s.lingerMs());
            final byte[] payload = new byte[s.recordSize()];
            new Random(42).nextBytes(payload);
            final long warm = atRate ? s.rate() * s.rateWarmupSeconds() : s.warmupRecords();
            final long count = atRate ? s.rate() * s.rateSeconds() : s.records();
            final long rate = atRate ? s.rate() : 0;
            final Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
            final AtomicReference<Exception> failure = new AtomicReference<>();
            final long start;
            final long end;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
            {
                send(producer, topic, payload, warm, rate, recorder, failure);
                producer.flush();
                recorder.reset();
                for (final HwDelayProbe probe : probes)
                {
                    probe.reset();
                }
                start = System.nanoTime();
                send(producer, topic, payload, count, rate, recorder, failure);
                producer.flush();
                end = System.nanoTime();
            }
            if (failure.get() != null)
            {
                throw failure.get();
            }
            final Histogram delay = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long dropped = 0;
            for (final HwDelayProbe probe : probes)
            {
                probe.addTo(delay);
                dropped += probe.dropped();
            }
            return new Result(scenario, atRate ? "at-rate" : "throughput", s.recordSize(), count, (end - start) / 1e9,
                recorder.getIntervalHistogram(), delay, dropped);
        }
        finally
        {
            for (int i = 0; i < leaders.size(); i++)
            {
                leaders.get(i).removeWatcher(probes.get(i));
            }
        }
    }

    /**
     * Sends {@code count} records, closed loop ({@code rate} 0) or paced at {@code rate}/s with latency counted
     * from each record's intended send time.
     */
    private static void send(final KafkaProducer<byte[], byte[]> producer, final String topic, final byte[] payload, final long count,
        final long rate, final Recorder recorder, final AtomicReference<Exception> failure)
    {
        final long startNs = System.nanoTime();
        final double intervalNs = rate > 0 ? 1e9 / rate : 0;
        final long maxUs = TimeUnit.SECONDS.toMicros(60);
        for (long i = 0; i < count && failure.get() == null; i++)
        {
            final long intendedNs;
            if (rate > 0)
            {
                intendedNs = startNs + (long)(i * intervalNs);
                long now;
                while ((now = System.nanoTime()) < intendedNs)
                {
                    if (intendedNs - now > 50_000)
                    {
                        LockSupport.parkNanos(intendedNs - now - 20_000);
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                }
            }
            else
            {
                intendedNs = System.nanoTime();
            }
            producer.send(new ProducerRecord<>(topic, payload), (metadata, ex) ->
            {
                if (ex != null)
                {
                    failure.compareAndSet(null, ex);
                    return;
                }
                recorder.recordValue(Math.min(maxUs, (System.nanoTime() - intendedNs) / 1000));
            });
        }
    }

    /**
     * @param results what {@link #run} returned.
     * @return a markdown table with acks=all RF3 / acks=1 RF1 and batch / none ratios.
     */
    public static String table(final List<Result> results)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("| scenario | mode | records/s | MiB/s | produce p50 / p99 / p99.9 ms | append→HW p50 / p99 / p99.9 ms (samples) |\n");
        sb.append("|---|---|---:|---:|---|---|\n");
        for (final Result r : results)
        {
            sb.append(String.format("| %s | %s | %.0f | %.1f | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f (%d) |%n", r.scenario().name(), r.mode(),
                r.recordsPerSecond(), r.mibPerSecond(), r.latencyMs(50), r.latencyMs(99), r.latencyMs(99.9), r.delayMs(50), r.delayMs(99),
                r.delayMs(99.9), r.delay().getTotalCount()));
        }
        sb.append('\n');
        ratio(sb, results, "rf3-acksall", "rf1-acks1");
        ratio(sb, results, "rf3-acksall-batch", "rf3-acksall");
        return sb.toString();
    }

    private static void ratio(final StringBuilder sb, final List<Result> results, final String a, final String b)
    {
        for (final String mode : List.of("throughput", "at-rate"))
        {
            final Result ra = find(results, a, mode);
            final Result rb = find(results, b, mode);
            if (ra != null && rb != null)
            {
                sb.append(String.format("%s / %s (%s): records/s %.2f, p50 %.2f, p99 %.2f%n", a, b, mode,
                    ra.recordsPerSecond() / rb.recordsPerSecond(), ra.latencyMs(50) / rb.latencyMs(50), ra.latencyMs(99) / rb.latencyMs(99)));
            }
        }
    }

    private static Result find(final List<Result> results, final String scenario, final String mode)
    {
        for (final Result r : results)
        {
            if (r.scenario().name().equals(scenario) && r.mode().equals(mode))
            {
                return r;
            }
        }
        return null;
    }

    private static void deleteRecursively(final Path root) throws java.io.IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (var paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
