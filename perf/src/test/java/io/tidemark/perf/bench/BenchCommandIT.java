package io.tidemark.perf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.EmbeddedCluster;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code bin/tidemark bench} as a user runs it: a tiny sweep on its own embedded cluster
 * (power cuts, all report files), and the same workload against a cluster it did not start
 * ({@code --bootstrap-server}: no cuts).
 */
@Tag(Tags.INTEGRATION)
class BenchCommandIT
{
    @TempDir
    Path dir;

    private final Path root = Path.of(System.getProperty("tidemark.root", "..")).toAbsolutePath().normalize();

    private record Run(int exit, String out, String err)
    {
    }

    private Run bench(final String... args) throws Exception
    {
        assertTrue(Files.isRegularFile(root.resolve("perf/target/tidemark.jar")), "the fat jar is packaged before this test");
        final List<String> command = new ArrayList<>(List.of("sh", root.resolve("bin/tidemark").toString(), "bench"));
        command.addAll(Arrays.asList(args));
        final Path out = Files.createTempFile(dir, "out", ".txt");
        final Path err = Files.createTempFile(dir, "err", ".txt");
        final ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_OPTS", "-Xmx512m -Djava.io.tmpdir=" + dir);
        final Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS))
        {
            p.destroyForcibly().waitFor();
            throw new AssertionError("tidemark bench " + Arrays.toString(args) + " did not finish:\n" + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void shouldRunATinySweepWithPowerCutsAndWriteTheReport() throws Exception
    {
        final Path out = dir.resolve("report");
        final Run run = bench("--brokers", "1", "--policies", "none,batch", "--acks", "all", "--duration", "400ms", "--warmup", "100ms",
            "--rate", "1000", "--seeds", "1", "--seed", "5", "--out", out.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("acks=all + batch: 0 acknowledged records lost in 1 power cut (all nodes)."), run.out());
        assertTrue(run.out().contains("base seed 5"), run.out());
        assertTrue(run.err().contains("done"), "progress on stderr: " + run.err());
        for (final String file : List.of(HtmlReport.FILE, Reports.RESULTS_CSV, Reports.CUTS_CSV, Reports.RESULTS_JSON,
            Reports.HGRM_DIR + "/batch_acks-all_rf1_100B-open.hgrm"))
        {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        try (var left = Files.list(dir))
        {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("tidemark-bench-")).toList(),
                "the embedded cluster's temporary directory is deleted");
        }
    }

    @Test
    void shouldRunTheWorkloadWithoutCutsAgainstAnotherCluster() throws Exception
    {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir.resolve("other")).brokers(1).start())
        {
            final Path out = dir.resolve("report");
            final Run run = bench("--bootstrap-server", cluster.bootstrapServers(), "--brokers", "1", "--policies", "interval:10", "--acks",
                "1", "--duration", "400ms", "--warmup", "100ms", "--rate", "1000", "--out", out.toString());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("external: 1 broker at " + cluster.bootstrapServers() + " (no power cuts)"), run.out());
            assertTrue(run.out().contains("acks=1 + interval:10: no power cuts run"), run.out());
            assertEquals(2, Files.readAllLines(out.resolve(Reports.RESULTS_CSV)).size());
        }
    }
}
