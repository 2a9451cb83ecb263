package io.tidemark.perf.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link ReplicationBench} for a moment with tiny settings: every scenario yields figures, and they are
 * present and positive. No timing is asserted.
 */
@Tag(Tags.INTEGRATION)
class ReplicationBenchSmokeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReportPositiveFiguresForEveryScenarioWhenRunBriefly() throws Exception
    {
        final ReplicationBench.Settings settings = new ReplicationBench.Settings(dir, ReplicationBench.Scenario.DEFAULTS, 2, 100, 2_000, 200,
            500, 1, 0, 0);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final List<ReplicationBench.Result> results = ReplicationBench.run(settings, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertEquals(2 * ReplicationBench.Scenario.DEFAULTS.size(), results.size());
        for (final ReplicationBench.Result r : results)
        {
            assertTrue(r.recordsPerSecond() > 0, r::toString);
            assertTrue(r.latency().getTotalCount() == r.records(), () -> "one latency sample per record: " + r);
            assertTrue(r.latencyMs(50) > 0 && r.latencyMs(99) >= r.latencyMs(50), r::toString);
            assertTrue(r.delay().getTotalCount() > 0, () -> "append-to-HW samples: " + r);
            assertTrue(r.delayMs(99) >= r.delayMs(50) && r.delayMs(50) >= 0, r::toString);
        }
        final String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(results.size(), out.lines().filter(l -> l.startsWith("RESULT ")).count(), out);
        assertTrue(ReplicationBench.table(results).contains("rf3-acksall / rf1-acks1"), ReplicationBench.table(results));
    }
}
