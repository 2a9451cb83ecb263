package io.tidemark.perf.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.fault.Fault;
import io.tidemark.testkit.fault.FaultKind;
import io.tidemark.testkit.fault.FaultRunner;
import io.tidemark.testkit.fault.FaultSchedule;
import io.tidemark.testkit.history.Checker;
import io.tidemark.testkit.history.Contract;
import io.tidemark.testkit.history.FinalRead;
import io.tidemark.testkit.history.History;
import io.tidemark.testkit.history.Report;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Process-level fault tests (RELIABILITY §3, §4): three broker JVMs started through {@code bin/tidemark
 * broker}, every inter-broker link through a fault proxy, a topic with replication factor 3 and
 * {@code min.insync.replicas=2}, two idempotent acks=all producers and a reader ({@link Workload}); a
 * seeded fault schedule against the leader of partition 0; then heal, wait for a full ISR, read every
 * partition and check the history against the acks=all idempotent contract: no acknowledged record lost,
 * no duplicate, per-partition order, nothing read that is later lost, nothing read beyond the HW, no
 * offset with two values; and for the workload's consumer-group member, committed offsets that never go
 * back and never pass a record no member read.
 *
 * <pre>
 *   kill      kill -9 of the leader, three times, each restarted after 2-5 s
 *   zombie    SIGSTOP of the leader for 1.5 s, then past broker.session.timeout.ms (4 s) for 6-8 s, SIGCONT
 *   partition the leader cut off from the other brokers (controller and replication links) for 8-12 s
 *   rolling   SIGTERM, restart and full ISR, one broker after the other
 * </pre>
 *
 * Each run prints its seed ({@code -Dtidemark.seed=N} replays the schedule) and the figures: acknowledged,
 * lost, duplicated, unavailable seconds; and appends a line to {@code perf/target/fault-results.txt}. The
 * default build runs one short run per kind; {@code -Pslow} adds longer runs with every kind mixed.
 */
@Tag(Tags.FAULT)
class ProcessFaultIT
{
    private static final String TOPIC = "faults";
    private static final int PARTITIONS = 3;
    private static final int SESSION_TIMEOUT_MS = 4_000;
    private static final Map<String, String> BROKER_SETTINGS = Map.of(
        "broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
        "broker.heartbeat.interval.ms", "1000",
        "replica.lag.time.max.ms", "3000",
        "offsets.topic.num.partitions", "5",
        "group.initial.rebalance.delay.ms", "0");

    @TempDir
    Path dir;

    /** The kinds of run. */
    enum Kind
    {
        KILL, ZOMBIE, PARTITION, ROLLING
    }

    /** @return the kinds to run: every kind, or those named in {@code -Dtidemark.fault.kinds=KILL,ZOMBIE}. */
    static Stream<Kind> kinds()
    {
        final String only = System.getProperty("tidemark.fault.kinds", "").trim();
        return only.isEmpty() ? Stream.of(Kind.values()) : Arrays.stream(only.split(",")).map(k -> Kind.valueOf(k.trim()));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldKeepEveryAcknowledgedRecordUnderFault(final Kind kind) throws Exception
    {
        final long seed = Seeds.seed("ProcessFaultIT." + kind);
        run(kind.name(), seed, schedule(kind, new Random(seed), 1));
    }

    @Test
    @Tag(Tags.SLOW)
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void shouldKeepEveryAcknowledgedRecordUnderEveryKindOfFaultMixed() throws Exception
    {
        final long seed = Seeds.seed("ProcessFaultIT.MIXED");
        final Random random = new Random(seed);
        final List<Fault> all = new ArrayList<>();
        long t = 0;
        for (int round = 0; round < 3; round++)
        {
            for (final Kind kind : shuffled(random))
            {
                final FaultSchedule part = schedule(kind, random, 1);
                for (final Fault f : part.faults())
                {
                    all.add(new Fault(f.kind(), f.target(), t + f.startMs(), f.durationMs()));
                }
                t += part.durationMs() - 3_000;
            }
        }
        run("MIXED", seed, FaultSchedule.of(t + 5_000, all));
    }

    private static List<Kind> shuffled(final Random random)
    {
        final List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        Collections.shuffle(kinds, random);
        return kinds;
    }

    /**
     * @param kind   the kind of run.
     * @param random the run's randomness.
     * @param rounds how many times the pattern repeats.
     * @return faults starting after a 3 s settle, the run ending 5 s after the last heal.
     */
    static FaultSchedule schedule(final Kind kind, final Random random, final int rounds)
    {
        final List<Fault> faults = new ArrayList<>();
        long t = 3_000;
        for (int round = 0; round < rounds; round++)
        {
            switch (kind)
            {
                case KILL ->
                {
                    for (int i = 0; i < 3; i++)
                    {
                        final long d = between(random, 2_000, 5_000);
                        faults.add(new Fault(FaultKind.KILL, "leader", t, d));
                        t += d + between(random, 4_000, 6_000);
                    }
                }
                case ZOMBIE ->
                {
                    final long shortPause = 1_500;
                    faults.add(new Fault(FaultKind.PAUSE, "leader", t, shortPause));
                    t += shortPause + between(random, 2_000, 3_000);
                    final long d = SESSION_TIMEOUT_MS + between(random, 2_000, 4_000);
                    faults.add(new Fault(FaultKind.PAUSE, "leader", t, d));
                    t += d + between(random, 4_000, 6_000);
                }
                case PARTITION ->
                {
                    final long d = between(random, 8_000, 12_000);
                    faults.add(new Fault(FaultKind.ISOLATE, "leader", t, d));
                    t += d + between(random, 4_000, 6_000);
                }
                case ROLLING ->
                {
                    for (int id = 1; id <= 3; id++)
                    {
                        faults.add(new Fault(FaultKind.BOUNCE, TidemarkCluster.name(id), t, 1_000));
                        t += 1_000 + between(random, 2_000, 3_000);
                    }
                }
                default -> throw new IllegalArgumentException(kind.toString());
            }
        }
        return FaultSchedule.of(t + 2_000, faults);
    }

    private static long between(final Random random, final long min, final long max)
    {
        return min + (long)(random.nextDouble() * (max - min));
    }

    private void run(final String name, final long seed, final FaultSchedule schedule) throws Exception
    {
        System.out.println("[fault-run] " + name + " seed=" + seed + " schedule:\n" + schedule);
        final History history = new History();
        try (TidemarkCluster cluster = new TidemarkCluster(dir.resolve("cluster"), 3, true, BROKER_SETTINGS))
        {
            cluster.admin().createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3)
                .configs(Map.of("min.insync.replicas", "2", "unclean.leader.election.enable", "false"))))
                .all().get(30, TimeUnit.SECONDS);
            cluster.awaitIsr(TOPIC, 3, Duration.ofSeconds(60));
            final Workload workload = new Workload(cluster.bootstrapServers(), TOPIC, PARTITIONS, history, seed, 2, 100);
            workload.start();
            final List<String> nemesisLog;
            try (FaultRunner nemesis = FaultRunner.start(schedule, new BrokerFaults(cluster, TOPIC, 3), history))
            {
                nemesis.awaitCompletion(Duration.ofMillis(schedule.durationMs() + 180_000));
                nemesisLog = nemesis.log();
            }
            // every fault is healed: let the producers finish what is in flight, then check the cluster converged
            final long outstanding = workload.stopProducing(Duration.ofSeconds(120));
            cluster.awaitIsr(TOPIC, 3, Duration.ofSeconds(90));
            workload.stopReading();
            assertEquals(List.of(), workload.crashes(), "workload threads crashed");
            assertEquals(0, outstanding, "sends still outstanding after the heal:\n" + cluster.tails(30));
            final FinalRead read = workload.finalRead(Duration.ofSeconds(60));
            final Contract contract = Contract.acksAll().toBuilder().idempotent(true).build();
            final Report report = new Checker(contract).seed(seed).check(history, read);
            record(name, seed, schedule, report, nemesisLog);
            if (!report.valid())
            {
                Diagnostics.misplacedAcks(history, read, 20);
                Diagnostics.keepLogs(cluster, name + "-" + seed);
            }
            assertTrue(report.valid(), () -> report + "\n" + cluster.tails(60));
            assertTrue(report.acknowledged() > 500, "the workload made progress: " + report.acknowledged() + " acknowledged");
            assertTrue(read.committed().containsKey(Workload.GROUP), "the group member committed offsets that were read back");
        }
    }

    private static void record(final String name, final long seed, final FaultSchedule schedule, final Report report,
        final List<String> nemesisLog)
    {
        System.out.println(String.join("\n", nemesisLog));
        System.out.println(report);
        final String line = String.format("%s %-9s seed=%d verdict=%s acknowledged=%d (of %d sent, %d indeterminate, %d failed) lost=%d"
                + " duplicated=%d reordered=%d read-then-lost=%d unavailable=%.0fs of a %.0fs schedule%n",
            Instant.now(), name, seed, report.valid() ? "VALID" : "INVALID" + report.fatalKinds(), report.acknowledged(), report.sends(),
            report.indeterminate(), report.failed(), report.lost(), report.duplicated(), report.reordered(), report.readThenLost(),
            report.unavailableSeconds(), schedule.durationMs() / 1000.0);
        System.out.print("[fault-run] " + line);
        try
        {
            final Path results = Path.of(System.getProperty("tidemark.root", "..")).resolve("perf/target/fault-results.txt");
            Files.writeString(results, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            System.out.println("[fault-run] cannot append to fault-results.txt: " + ex);
        }
    }
}
