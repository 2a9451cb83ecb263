package io.tidemark.testkit.fault;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.history.AnomalyKind;
import io.tidemark.testkit.history.Checker;
import io.tidemark.testkit.history.Contract;
import io.tidemark.testkit.history.FinalRead;
import io.tidemark.testkit.history.History;
import io.tidemark.testkit.history.PollRecords;
import io.tidemark.testkit.history.Report;
import io.tidemark.testkit.history.Values;
import io.tidemark.testkit.junit.FailureDiagnostics;
import io.tidemark.testkit.net.ProxyNetwork;
import io.tidemark.testkit.process.ProcessCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole toolkit on a toy log run as a child process: a producer and a consumer go through a
 * {@link ProxyNetwork} link, a seeded {@link FaultSchedule} kills, stops, pauses and cuts the node, the
 * {@link History} is checked against the final read. A log that fsyncs before acknowledging passes; one
 * that keeps acknowledged records in memory is caught losing them.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class EndToEndFaultTest
{
    private static final int PARTITION = 0;
    private static final int TIMEOUT_MS = 250;

    @TempDir
    Path dir;

    @RegisterExtension
    final FailureDiagnostics diagnostics = new FailureDiagnostics();

    @Test
    void shouldAcceptDurableLogUnderSeededFaults() throws Exception
    {
        final long seed = diagnostics.seed("EndToEndFaultTest.durable");
        final FaultSchedule schedule = FaultSchedule.random(seed, List.of("log-1"), 3_000,
            EnumSet.of(FaultKind.KILL, FaultKind.BOUNCE, FaultKind.PAUSE, FaultKind.ISOLATE, FaultKind.DROP_RESPONSES,
                FaultKind.REFUSE, FaultKind.LINK_DELAY, FaultKind.LINK_RESET),
            new FaultSchedule.Options(200, 400, 150, 300, 600));

        final Report report = run(true, schedule, seed);

        assertTrue(report.valid(), report::toString);
        assertTrue(report.acknowledged() > 50 && report.polledRecords() > 50, report::toString);
        assertTrue(report.recoveries().size() == schedule.faults().size(), report::toString);
    }

    @Test
    void shouldCatchAcknowledgedWritesLostByLogThatDoesNotPersist() throws Exception
    {
        // killed late in the run: the restarted, empty log never grows back to its old length
        final FaultSchedule schedule = FaultSchedule.of(2_000, List.of(new Fault(FaultKind.KILL, "log-1", 1_200, 200)));

        final Report report = run(false, schedule, 0);

        assertFalse(report.valid(), report::toString);
        assertTrue(report.lost() > 0, report::toString);
        assertTrue(report.count(AnomalyKind.INCONSISTENT_OFFSET) > 0, "offsets were reused: " + report);
    }

    private Report run(final boolean durable, final FaultSchedule schedule, final long seed) throws Exception
    {
        try (ProcessCluster cluster = ToyLog.cluster(dir); ProxyNetwork network = new ProxyNetwork())
        {
            final ProcessCluster.Node node = ToyLog.addNode(cluster, "log-1", durable);
            network.addServer("log-1", Ports.loopback(ToyLog.port(node)));
            network.addClient("client");
            diagnostics.attach(cluster).attach("fault schedule", schedule::toString).attach("links", network::toString);
            cluster.startAll();
            final InetSocketAddress via = network.address("client", "log-1");
            final History history = new History();
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread consumer = new Thread(() -> consume(history, via, stop), "tidemark-test-consumer");
            consumer.start();
            try (FaultRunner nemesis = FaultRunner.start(schedule, new ClusterFaults(cluster, network).delayMs(50), history))
            {
                diagnostics.attach("nemesis", () -> String.join(System.lineSeparator(), nemesis.log()));
                produce(history, via, schedule.durationMs());
                nemesis.awaitCompletion(Duration.ofSeconds(60));
            }
            finally
            {
                stop.set(true);
                consumer.join(10_000);
            }
            final Report report = new Checker(Contract.acksAll()).seed(seed).check(history, finalRead(via));
            diagnostics.attach("report", report::toString);
            System.out.println(schedule + System.lineSeparator() + report);
            return report;
        }
    }

    private static void pace(final long nanos)
    {
        LockSupport.parkNanos(nanos); // rate limit of the workload, not synchronisation
    }

    private static void produce(final History history, final InetSocketAddress via, final long durationMs)
    {
        final Values.Sequence values = new Values.Sequence(1);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        ToyLog.Client client = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            pace(1_000_000);
            final History.Send send = history.invokeSend(1, PARTITION, values.next());
            if (client == null)
            {
                try
                {
                    client = new ToyLog.Client(via, TIMEOUT_MS);
                }
                catch (final IOException e)
                {
                    send.fail("cannot connect, nothing sent: " + e); // definite: the request never left
                    continue;
                }
            }
            try
            {
                send.ok(client.append(send.value()));
            }
            catch (final IOException e)
            {
                send.info(e.toString()); // timeout or reset: it may or may not have been appended
                close(client);
                client = null;
            }
        }
        close(client);
    }

    private static void consume(final History history, final InetSocketAddress via, final AtomicBoolean stop)
    {
        long position = 0;
        ToyLog.Client client = null;
        while (!stop.get())
        {
            pace(5_000_000);
            try
            {
                if (client == null)
                {
                    client = new ToyLog.Client(via, TIMEOUT_MS);
                }
            }
            catch (final IOException e)
            {
                continue;
            }
            final History.Poll poll = history.invokePoll(100);
            try
            {
                final long[] read = client.read(position);
                final PollRecords.Builder records = PollRecords.builder().highWatermark(PARTITION, read[0]);
                for (int i = 1; i < read.length; i += 2)
                {
                    records.add(PARTITION, read[i], read[i + 1]);
                    position = read[i] + 1;
                }
                poll.ok(records.build());
            }
            catch (final IOException e)
            {
                poll.info(e.toString());
                close(client);
                client = null;
            }
        }
        close(client);
    }

    private static FinalRead finalRead(final InetSocketAddress via) throws IOException
    {
        final FinalRead.Builder builder = FinalRead.builder();
        try (ToyLog.Client client = new ToyLog.Client(via, 5_000))
        {
            long[] read = client.read(0);
            final FinalRead.LogBuilder log = builder.partition(PARTITION, 0, read[0]);
            long next = 0;
            while (next < read[0])
            {
                for (int i = 1; i < read.length; i += 2)
                {
                    log.add(read[i], read[i + 1]);
                    next = read[i] + 1;
                }
                read = client.read(next);
            }
        }
        return builder.build();
    }

    private static void close(final ToyLog.Client client)
    {
        if (client != null)
        {
            try
            {
                client.close();
            }
            catch (final IOException ignored)
            {
                // abandoning the connection
            }
        }
    }
}
