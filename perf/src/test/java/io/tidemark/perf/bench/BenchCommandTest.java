package io.tidemark.perf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.tidemark.broker.cli.TidemarkCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tidemark bench}'s options and the cells they choose, without running a sweep.
 */
class BenchCommandTest
{
    private static SweepPlan plan(final int brokers, final String... args)
    {
        final BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return command.plan(brokers);
    }

    @Test
    void shouldBeASubcommandOfTidemarkThroughServiceLoader()
    {
        assertTrue(TidemarkCli.commandLine().getSubcommands().containsKey("bench"));
    }

    @Test
    void shouldRunTheDefaultSubsetOnThreeBrokersWithBothCutModes()
    {
        final SweepPlan plan = plan(3);
        assertEquals(10, plan.cells().size());
        final Set<String> policies = new HashSet<>();
        for (final Cell c : plan.cells())
        {
            policies.add(c.policy());
            assertEquals(3, c.replicationFactor());
            assertEquals(100, c.recordSize());
        }
        assertEquals(new HashSet<>(BenchCommand.ALL_POLICIES), policies);
        assertEquals(List.of("one", "all"), plan.cutModes());
        assertEquals(2, plan.seeds());
        assertTrue(plan.note().startsWith("the default subset") && plan.note().contains("--full"), plan.note());
    }

    @Test
    void shouldRunTheFullGridWithFull()
    {
        final SweepPlan plan = plan(3, "--full");
        assertEquals(5 * 2 * 2 * 2, plan.cells().size());
        assertEquals(Set.of(1, 3), new HashSet<>(plan.cells().stream().map(Cell::replicationFactor).toList()));
        assertEquals(Set.of(100, 1024), new HashSet<>(plan.cells().stream().map(Cell::recordSize).toList()));
    }

    @Test
    void shouldTakeTheCellOptions()
    {
        final SweepPlan plan = plan(1, "--policies", "batch,messages:10", "--acks", "all", "--record-size", "64,1024", "--duration", "1.5s",
            "--rate", "700", "--seed", "12", "--seeds", "4");
        assertEquals(4, plan.cells().size());
        assertEquals(new Cell("batch", "all", 1, 64), plan.cells().get(0));
        assertEquals(1500, plan.durationMs());
        assertEquals(700, plan.rate());
        assertEquals(12, plan.seed());
        assertEquals(4, plan.seeds());
        assertEquals(List.of("all"), plan.cutModes(), "one node is all nodes with one broker");
    }

    @Test
    void shouldCutNothingAgainstAnExternalCluster()
    {
        final SweepPlan plan = plan(3, "--bootstrap-server", "127.0.0.1:9", "--brokers", "3");
        assertEquals(0, plan.seeds());
        assertEquals(List.of(), plan.cutModes());
    }

    @Test
    void shouldRejectABadPolicyWithExitCode2()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = new CommandLine(new BenchCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))).execute("--policies", "sometimes");
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("sometimes"), err.toString(StandardCharsets.UTF_8));
    }

    private static String failing(final String... args)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = new CommandLine(new BenchCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
        assertEquals(2, exit, err.toString(StandardCharsets.UTF_8));
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRejectAnUnknownCutWithExitCode2()
    {
        final String err = failing("--cut", "disk");
        assertTrue(err.contains("--cut takes engine or fs, not disk"), err);
    }

    @Test
    void shouldRefuseTheFsCutOfAnExternalCluster()
    {
        final String err = failing("--cut", "fs", "--bootstrap-server", "127.0.0.1:9", "--brokers", "3");
        assertTrue(err.contains("--cut fs is unavailable: --cut fs runs its own broker processes"), err);
    }

    @Test
    void shouldParseTimes()
    {
        assertEquals(2000, BenchCommand.millis("2s", "--duration"));
        assertEquals(1500, BenchCommand.millis("1500ms", "--duration"));
        assertEquals(60_000, BenchCommand.millis("1m", "--duration"));
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.millis("soon", "--duration"));
    }
}
