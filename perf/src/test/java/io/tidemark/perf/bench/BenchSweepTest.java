package io.tidemark.perf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's short sweep, as CI runs it: a 3-broker embedded cluster, four cells (flush policies none and
 * batch; acks=1 with replication factor 1, acks=all with 3), one seed, a cut of one node and of all nodes
 * per cell. Checks that every cell is there, that the figures are positive and consistent, that each loss
 * figure comes from an actual cut and read-back, that acks=all + batch lost nothing, and that the report
 * files are written and the HTML charts render in headless Chromium.
 */
@Tag(Tags.INTEGRATION)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchSweepTest
{
    private static final List<Cell> CELLS = List.of(
        new Cell("none", "1", 1, 100),
        new Cell("batch", "1", 1, 100),
        new Cell("none", "all", 3, 100),
        new Cell("batch", "all", 3, 100));

    @TempDir
    static Path dir;

    private Path work;
    private Path out;

    private SweepResult result;
    private Set<Thread> threadsBefore;

    @BeforeAll
    void sweep() throws Exception
    {
        threadsBefore = tidemarkThreads();
        work = Files.createDirectories(dir.resolve("work"));
        out = Files.createDirectories(dir.resolve("out"));
        final SweepPlan plan = new SweepPlan(CELLS, 2000, 500, 200, 1, 42, List.of("one", "all"), 1, "the CI sweep");
        result = new Lab(plan, Lab.embedded(work, 3), Progress.quiet()).run(work, "test");
        Reports.write(result, out);
        HtmlReport.write(result, out);
    }

    private static Set<Thread> tidemarkThreads()
    {
        final Set<Thread> threads = new HashSet<>();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.isAlive() && t.getName().startsWith("tidemark-"))
            {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void shouldRunEveryRequestedCell()
    {
        final List<Cell> ran = result.cells().stream().map(CellResult::cell).toList();
        assertEquals(CELLS, ran);
        for (final CellResult r : result.cells())
        {
            assertNull(r.skipped(), r.cell().label());
        }
    }

    @Test
    void shouldReportPositiveConsistentLoadFigures()
    {
        for (final CellResult r : result.cells())
        {
            final String cell = r.cell().label();
            for (final LoadResult l : List.of(r.closed(), r.open()))
            {
                assertTrue(l.records() > 0, cell + " " + l.mode() + ": records acknowledged");
                assertEquals(0, l.failed(), cell + " " + l.mode() + ": failed sends");
                assertTrue(l.seconds() > 0 && l.recordsPerSecond() > 0 && l.megabytesPerSecond(r.cell().recordSize()) > 0, cell + " " + l.mode());
                assertEquals(l.records(), l.latencyUs().getTotalCount(), cell + " " + l.mode() + ": one latency per acknowledged record");
                assertOrdered(cell + " " + l.mode(), l.latencyUs());
            }
            assertTrue(r.closed().recordsPerSecond() > r.open().recordsPerSecond() * 0.5, cell + ": the closed loop is not far below the fixed rate");
            assertTrue(r.open().recordsPerSecond() > 0.5 * r.open().targetRate() && r.open().recordsPerSecond() < 1.5 * r.open().targetRate(),
                cell + ": the open loop ran near its rate: " + r.open().recordsPerSecond());
            assertTrue(r.e2eUs().getTotalCount() > 0, cell + ": end-to-end latency measured");
            assertTrue(r.e2eUs().getTotalCount() <= r.open().records(), cell + ": end-to-end only for measured records");
            assertOrdered(cell + " e2e", r.e2eUs());
        }
    }

    private static void assertOrdered(final String what, final Histogram h)
    {
        final double p50 = Stats.ms(h, 50);
        final double p99 = Stats.ms(h, 99);
        final double p999 = Stats.ms(h, 99.9);
        final double max = Stats.ms(h, 100);
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max, what + ": p50 " + p50 + " <= p99 " + p99 + " <= p99.9 " + p999 +
            " <= max " + max);
    }

    @Test
    void shouldTakeEveryLossFigureFromAnActualCutAndReadBack()
    {
        for (final CellResult r : result.cells())
        {
            final String cell = r.cell().label();
            assertEquals(List.of("one", "all"), r.cuts().stream().map(CutRecord::mode).toList(), cell + ": one cut per mode");
            for (final CutRecord c : r.cuts())
            {
                final String what = cell + " " + c;
                assertTrue(c.cutAtMs() > 0 && c.ackedAtCut() > 0 && c.acked() >= c.ackedAtCut(), what + ": cut under load");
                assertTrue(!c.nodes().isEmpty() && c.nodes().size() == ("all".equals(c.mode()) ? 3 : 1), what + ": nodes cut");
                assertTrue(c.lost() >= 0 && c.lost() <= c.acked(), what + ": lost within acknowledged");
                assertTrue(c.acked() - c.lost() <= c.readBack(), what + ": every acknowledged record not lost was read back");
                assertTrue(c.windowMs() >= 0 && c.spanMs() >= 0, what + ": windows are durations");
                assertTrue(c.lost() > 0 || c.windowMs() == 0, what + ": no window without loss");
                if (r.cell().replicationFactor() == 1)
                {
                    assertTrue(c.lost() <= c.unsyncedAtCut(), what + ": with one replica only unsynced records can be lost");
                }
                if ("all".equals(r.cell().acks()))
                {
                    assertEquals(0, c.moved(), what + ": an acknowledged acks=all record never changes offset");
                }
            }
        }
    }

    @Test
    void shouldLoseNothingWithAcksAllAndBatch()
    {
        final CellResult batch = cell("batch", "all");
        assertEquals(2, batch.cuts().size());
        for (final CutRecord c : batch.cuts())
        {
            assertEquals(0, c.lost(), "acks=all + batch lost acknowledged records in " + c);
        }
    }

    @Test
    void shouldMeasureLossWhenNothingIsSyncedAndEveryNodeLosesPower()
    {
        final CutRecord all = cell("none", "1").cuts("all").get(0);
        assertTrue(all.unsyncedAtCut() > 0, "the cut found unsynced records: " + all);
        assertTrue(all.lost() > 0 && all.windowMs() > 0, "records acknowledged under none with one replica are lost when all power goes: " + all);
    }

    private CellResult cell(final String policy, final String acks)
    {
        return result.cells().stream().filter(r -> r.cell().policy().equals(policy) && r.cell().acks().equals(acks)).findFirst().orElseThrow();
    }

    @Test
    void shouldWriteTheReportFiles() throws IOException
    {
        final List<String> csv = Files.readAllLines(out.resolve(Reports.RESULTS_CSV));
        assertEquals(1 + CELLS.size(), csv.size());
        final int columns = csv.get(0).split(",", -1).length;
        for (final String row : csv)
        {
            assertEquals(columns, row.split(",", -1).length, row);
        }
        assertEquals(1 + CELLS.size() * 2, Files.readAllLines(out.resolve(Reports.CUTS_CSV)).size());
        final String json = Files.readString(out.resolve(Reports.RESULTS_JSON));
        assertEquals(count(json, '{'), count(json, '}'));
        assertEquals(count(json, '['), count(json, ']'));
        assertEquals(CELLS.size(), json.split("\"policy\":").length - 1);
        for (final Cell c : CELLS)
        {
            for (final String kind : List.of("closed", "open", "e2e"))
            {
                final Path hgrm = out.resolve(Reports.HGRM_DIR).resolve(c.fileName() + "-" + kind + ".hgrm");
                assertTrue(Files.readString(hgrm).contains("#[Max"), hgrm + " is a percentile distribution");
            }
        }
        final String html = Files.readString(out.resolve(HtmlReport.FILE));
        assertTrue(html.contains("<svg class=\"chart latency\"") && html.contains("<svg class=\"chart loss\""), "inline SVG charts");
        assertTrue(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"), "nothing fetched from the network");
        for (final String policy : List.of("none", "batch"))
        {
            assertTrue(html.contains("data-policy=\"" + policy + "\""), "a latency curve for " + policy);
        }
        assertTrue(html.contains("acks=all rf=3 + batch: 0 acknowledged records lost in 2 power cuts"), "the verdict");
    }

    private static long count(final String s, final char c)
    {
        return s.chars().filter(x -> x == c).count();
    }

    @Test
    void shouldLeaveNoBrokerThreadsOrDirectoriesBehind() throws IOException
    {
        final List<Thread> leaked = new ArrayList<>();
        Await.await(() -> "threads to stop: " + leaked, Duration.ofSeconds(20), () ->
        {
            leaked.clear();
            for (final Thread t : tidemarkThreads())
            {
                if (!threadsBefore.contains(t))
                {
                    leaked.add(t);
                }
            }
            return leaked.isEmpty();
        });
        try (Stream<Path> left = Files.list(work))
        {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("cell-")).toList(), "cell directories deleted");
        }
    }

    /**
     * Opens the report in headless Chromium and checks, in the screenshot, that every policy's colour is
     * drawn across the width of a chart (a latency curve), not only in legends and verdict markers.
     */
    @Test
    void shouldRenderTheChartsInHeadlessChromium() throws Exception
    {
        final String chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null, "chromium is not installed (Debian: apt-get install chromium; .ci/run installs it): " +
            "the report is not rendered");
        final Path png = out.resolve("report.png");
        final Path profile = Files.createDirectories(out.resolve("chromium-profile"));
        final Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=" + profile, "--window-size=1400,2400", "--screenshot=" + png, out.resolve(HtmlReport.FILE).toUri().toString())
            .redirectErrorStream(true).redirectOutput(out.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS))
        {
            p.destroyForcibly().waitFor();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(out.resolve("chromium.log"), StandardCharsets.UTF_8));
        }
        assertTrue(Files.exists(png), "screenshot written: " + Files.readString(out.resolve("chromium.log"), StandardCharsets.UTF_8));
        final BufferedImage image = ImageIO.read(new File(png.toString()));
        for (final String policy : List.of("none", "batch"))
        {
            final int rgb = Integer.parseInt(HtmlReport.POLICY_COLOURS.get(policy).substring(1), 16);
            final int columns = columnsWith(image, rgb);
            assertTrue(columns >= 300, policy + "'s colour spans " + columns + " pixel columns: its latency curves drew");
        }
    }

    private static int columnsWith(final BufferedImage image, final int rgb)
    {
        int columns = 0;
        for (int x = 0; x < image.getWidth(); x++)
        {
            for (int y = 0; y < image.getHeight(); y++)
            {
                if (close(image.getRGB(x, y), rgb))
                {
                    columns++;
                    break;
                }
            }
        }
        return columns;
    }

    private static boolean close(final int a, final int b)
    {
        for (int shift = 0; shift <= 16; shift += 8)
        {
            if (Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)) > 24)
            {
                return false;
            }
        }
        return true;
    }
}
