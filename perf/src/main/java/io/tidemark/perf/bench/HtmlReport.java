package io.tidemark.perf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The self-contained HTML report ({@code report.html}): inline CSS and SVG, no script, nothing fetched.
 *
 * <pre>
 *  verdicts              one sentence per policy and acks, from the power cuts
 *  latency curves        per (acks, rf, size): open-loop produce latency against percentile (x: 0, 90, 99,
 *                        99.9, 99.99 evenly spaced; y: log ms), one line per flush policy
 *  throughput vs loss    per cell: closed-loop records/s against the most records lost in one cut (x: log 1+n)
 *  tables                every cell; every power cut
 * </pre>
 */
final class HtmlReport
{
    static final String FILE = "report.html";

    /** Fixed colours per policy (the headless rendering test looks for them). */
    static final Map<String, String> POLICY_COLOURS = Map.of(
        "none", "#d62728",
        "interval:100", "#ff7f0e",
        "interval:10", "#1f77b4",
        "messages:100", "#9467bd",
        "batch", "#2ca02c");
    private static final String[] OTHER_COLOURS = { "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22" };

    private static final int W = 690;
    private static final int H = 360;
    private static final int LEFT = 64;
    private static final int RIGHT = 200;
    private static final int TOP = 20;
    private static final int BOTTOM = 44;
    private static final double MAX_NINES = 4; // 99.99

    private HtmlReport()
    {
    }

    static String colour(final SweepPlan plan, final String policy)
    {
        final String fixed = POLICY_COLOURS.get(policy);
        if (fixed != null)
        {
            return fixed;
        }
        final List<String> others = plan.cells().stream().map(Cell::policy).distinct().filter(p -> !POLICY_COLOURS.containsKey(p)).toList();
        return OTHER_COLOURS[Math.max(0, others.indexOf(policy)) % OTHER_COLOURS.length];
    }

    static Path write(final SweepResult result, final Path dir) throws IOException
    {
        final Path file = dir.resolve(FILE);
        Files.writeString(file, html(result), StandardCharsets.UTF_8);
        return file;
    }

    static String html(final SweepResult result)
    {
        final SweepPlan plan = result.plan();
        final StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tidemark bench: durability vs latency</title>\n")
            .append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}h1{font-size:22px}h2{font-size:18px;")
            .append("margin-top:28px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}")
            .append("th{background:#f3f3f3}td.l{text-align:left}.meta{color:#555;font-size:13px}.charts{display:flex;flex-wrap:wrap;gap:16px}")
            .append("figure{margin:0}figcaption{font-size:13px;font-weight:600;margin-bottom:4px}ul.v li{margin:4px 0}svg text{font-size:11px;")
            .append("fill:#333}</style></head><body>\n");
        b.append("<h1>tidemark bench: what each flush policy costs, and what it risks</h1>\n<p class=\"meta\">")
            .append(esc(result.cluster())).append("<br>").append(esc(result.machine())).append("<br>cells: ").append(esc(plan.note()))
            .append(String.format(Locale.ROOT, "<br>load: closed loop and open loop at %,.0f records/s, %d ms each after %d ms warm-up, linger.ms=%d, %d " +
                "partitions; power cuts: %d seed(s) x %s per cell, base seed %d; sweep took %.0f s", plan.rate(), plan.durationMs(), plan.warmupMs(),
                plan.lingerMs(), Topics.PARTITIONS, plan.seeds(), plan.cutModes().isEmpty() ? "none" : String.join(",", plan.cutModes()), plan.seed(),
                result.seconds()));
        if (result.fsyncUs() != null && result.fsyncUs().getTotalCount() > 0)
        {
            b.append(String.format(Locale.ROOT, "<br>ceiling: raw 4 KiB write + fsync: p50 %.2f ms, p99 %.2f ms", Stats.ms(result.fsyncUs(), 50),
                Stats.ms(result.fsyncUs(), 99)));
        }
        b.append("</p>\n<h2>Verdicts (from actual power cuts and read-back)</h2>\n<ul class=\"v\">\n");
        for (final Verdicts.Verdict v : Verdicts.of(result))
        {
            b.append("<li><span style=\"color:").append(colour(plan, v.policy())).append("\">&#9632;</span> ").append(esc(v.text())).append("</li>\n");
        }
        b.append("</ul>\n<h2>Produce latency by percentile (open loop, no coordinated omission)</h2>\n<div class=\"charts\">\n");
        for (final Map.Entry<String, List<CellResult>> group : latencyGroups(result).entrySet())
        {
            b.append("<figure><figcaption>").append(esc(group.getKey())).append("</figcaption>\n");
            latencyChart(b, plan, group.getValue());
            b.append("</figure>\n");
        }
        b.append("</div>\n<h2>Throughput against acknowledged records lost</h2>\n<div class=\"charts\"><figure><figcaption>closed-loop records/s " +
            "vs most acknowledged records lost in one power cut (circle acks=1, square acks=all)</figcaption>\n");
        lossChart(b, result);
        b.append("</figure></div>\n");
        cellsTable(b, result);
        cutsTable(b, result);
        b.append("<p class=\"meta\">Files beside this report: results.csv, cuts.csv, results.json, hgrm/*.hgrm (HdrHistogram percentile " +
            "distributions in ms). Window = from the earliest lost acknowledgement to the cut.</p>\n</body></html>\n");
        return b.toString();
    }

    private static Map<String, List<CellResult>> latencyGroups(final SweepResult result)
    {
        final Map<String, List<CellResult>> groups = new LinkedHashMap<>();
        for (final CellResult r : result.cells())
        {
            if (r.skipped() == null && r.open().latencyUs().getTotalCount() > 0)
            {
                final Cell c = r.cell();
                groups.computeIfAbsent("acks=" + c.acks() + ", rf=" + c.replicationFactor() + ", " + Cell.size(c.recordSize()) + " records",
                    k -> new ArrayList<>()).add(r);
            }
        }
        return groups;
    }

    private static double nines(final double percentile)
    {
        return -Math.log10(1 - percentile / 100);
    }

    private static void latencyChart(final StringBuilder b, final SweepPlan plan, final List<CellResult> cells)
    {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (final CellResult r : cells)
        {
            final Histogram h = r.open().latencyUs();
            lo = Math.min(lo, Math.max(0.001, h.getMinValue() / 1000.0));
            hi = Math.max(hi, Math.max(0.001, h.getValueAtPercentile(99.99) / 1000.0));
        }
        final double yMin = Math.floor(Math.log10(lo));
        final double yMax = Math.max(yMin + 1, Math.ceil(Math.log10(hi)));
        svgOpen(b, "latency");
        for (double d = yMin; d <= yMax + 1e-9; d++)
        {
            final double y = y(d, yMin, yMax);
            gridY(b, y, ms(Math.pow(10, d)));
        }
        final double[] ticks = { 0, 1, 2, 3, 4 };
        final String[] labels = { "p0", "p90", "p99", "p99.9", "p99.99" };
        for (int i = 0; i < ticks.length; i++)
        {
            final double x = LEFT + ticks[i] / MAX_NINES * (W - LEFT - RIGHT);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>", x, TOP, x, H - BOTTOM))
                .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, H - BOTTOM + 16, labels[i]));
        }
        axes(b, "percentile", "latency (ms, log)");
        int legend = 0;
        for (final CellResult r : cells)
        {
            final Histogram h = r.open().latencyUs();
            final StringBuilder points = new StringBuilder();
            for (int k = 0; k <= MAX_NINES * 10; k++)
            {
                final double p = 100 * (1 - Math.pow(10, -k / 10.0));
                final double v = Math.max(0.001, h.getValueAtPercentile(p) / 1000.0);
                final double x = LEFT + (k / 10.0) / MAX_NINES * (W - LEFT - RIGHT);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(Math.log10(v), yMin, yMax)));
            }
            final String colour = colour(plan, r.cell().policy());
            b.append("<polyline class=\"series\" data-policy=\"").append(esc(r.cell().policy())).append("\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2.5\" points=\"").append(points.toString().trim()).append("\"/>\n");
            legend(b, legend++, colour, r.cell().policy() + String.format(Locale.ROOT, " (max %s)", ms(Stats.ms(h, 100))), false);
        }
        b.append("</svg>\n");
    }

    private static void lossChart(final StringBuilder b, final SweepResult result)
    {
        final SweepPlan plan = result.plan();
        double maxRate = 1;
        double maxLost = 1;
        for (final CellResult r : result.cells())
        {
            if (r.skipped() == null)
            {
                maxRate = Math.max(maxRate, r.closed().recordsPerSecond());
                maxLost = Math.max(maxLost, Stats.max(r.lost()));
            }
        }
        final double xMax = Math.max(1, Math.ceil(Math.log10(1 + maxLost)));
        final double yMax = niceCeil(maxRate);
        svgOpen(b, "loss");
        for (int i = 0; i <= 4; i++)
        {
            final double v = yMax * i / 4;
            gridY(b, TOP + (H - TOP - BOTTOM) * (1 - i / 4.0), String.format(Locale.ROOT, "%,.0f", v));
        }
        for (int d = 0; d <= xMax; d++)
        {
            final double x = LEFT + d / xMax * (W - LEFT - RIGHT);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>", x, TOP, x, H - BOTTOM))
                .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, H - BOTTOM + 16,
                    d == 0 ? "0" : String.format(Locale.ROOT, "%,d", (long)Math.pow(10, d) - 1)));
        }
        axes(b, "acknowledged records lost in one power cut (max over cuts, log 1+n)", "records/s (closed loop)");
        final List<String> seen = new ArrayList<>();
        for (final CellResult r : result.cells())
        {
            if (r.skipped() != null)
            {
                continue;
            }
            final Cell c = r.cell();
            final double x = LEFT + Math.log10(1 + Stats.max(r.lost())) / xMax * (W - LEFT - RIGHT);
            final double y = TOP + (H - TOP - BOTTOM) * (1 - r.closed().recordsPerSecond() / yMax);
            final String colour = colour(plan, c.policy());
            final String title = esc(c.label() + String.format(Locale.ROOT, ": %,.0f records/s, lost max %,.0f in %d cuts", r.closed().recordsPerSecond(),
                Stats.max(r.lost()), r.cuts().size()));
            if ("all".equals(c.acks()))
            {
                b.append(String.format(Locale.ROOT, "<rect class=\"point\" x=\"%.1f\" y=\"%.1f\" width=\"11\" height=\"11\" fill=\"%s\" " +
                    "fill-opacity=\"0.85\"><title>%s</title></rect>\n", x - 5.5, y - 5.5, colour, title));
            }
            else
            {
                b.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\" fill-opacity=\"0.85\">" +
                    "<title>%s</title></circle>\n", x, y, colour, title));
            }
            if (!seen.contains(c.policy()))
            {
                legend(b, seen.size(), colour, c.policy(), true);
                seen.add(c.policy());
            }
        }
        b.append("</svg>\n");
    }

    private static double niceCeil(final double v)
    {
        final double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] { 1, 2, 2.5, 5, 10 })
        {
            if (m * p >= v)
            {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static double y(final double log, final double yMin, final double yMax)
    {
        return TOP + (H - TOP - BOTTOM) * (1 - (log - yMin) / (yMax - yMin));
    }

    private static void svgOpen(final StringBuilder b, final String kind)
    {
        b.append(String.format(Locale.ROOT, "<svg class=\"chart %s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">" +
            "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", kind, W, H, W, H, W, H));
    }

    private static void gridY(final StringBuilder b, final double y, final String label)
    {
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, y, W - RIGHT, y))
            .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, y + 4, esc(label)));
    }

    private static void axes(final StringBuilder b, final String xLabel, final String yLabel)
    {
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM))
            .append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", LEFT, TOP, LEFT, H - BOTTOM))
            .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", (LEFT + W - RIGHT) / 2, H - 8, esc(xLabel)))
            .append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>\n",
                (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, esc(yLabel)));
    }

    private static void legend(final StringBuilder b, final int i, final String colour, final String text, final boolean dot)
    {
        final int x = W - RIGHT + 10;
        final int y = TOP + 8 + i * 18;
        if (dot)
        {
            b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>", x + 8, y, colour));
        }
        else
        {
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>", x, y, x + 16, y, colour));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 20, y + 4, esc(text)));
    }

    private static String ms(final double v)
    {
        return v >= 10 ? String.format(Locale.ROOT, "%.0f ms", v) : v >= 1 ? String.format(Locale.ROOT, "%.1f ms", v) :
            String.format(Locale.ROOT, "%.2f ms", v);
    }

    private static void cellsTable(final StringBuilder b, final SweepResult result)
    {
        b.append("<h2>Every cell</h2>\n<table><tr><th>policy</th><th>acks</th><th>rf</th><th>size</th><th>closed records/s</th><th>MB/s</th>")
            .append("<th>closed p99 ms</th><th>open p50 ms</th><th>p99</th><th>p99.9</th><th>max</th><th>e2e p50 ms</th><th>e2e p99</th>")
            .append("<th>cuts</th><th>lost min / median / max</th><th>window ms max</th></tr>\n");
        for (final CellResult r : result.cells())
        {
            final Cell c = r.cell();
            b.append("<tr><td class=\"l\">").append(esc(c.policy())).append("</td><td>").append(c.acks()).append("</td><td>")
                .append(c.replicationFactor()).append("</td><td>").append(Cell.size(c.recordSize())).append("</td>");
            if (r.skipped() != null)
            {
                b.append("<td class=\"l\" colspan=\"12\">skipped: ").append(esc(r.skipped())).append("</td></tr>\n");
                continue;
            }
            b.append(String.format(Locale.ROOT, "<td>%,.0f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>" +
                "<td>%.2f</td><td>%.2f</td><td>%d</td>", r.closed().recordsPerSecond(), r.closed().megabytesPerSecond(c.recordSize()),
                r.closed().latencyMs(99), r.open().latencyMs(50), r.open().latencyMs(99), r.open().latencyMs(99.9), r.open().latencyMs(100),
                Stats.ms(r.e2eUs(), 50), Stats.ms(r.e2eUs(), 99), r.cuts().size()));
            if (r.cuts().isEmpty())
            {
                b.append("<td>-</td><td>-</td></tr>\n");
            }
            else
            {
                b.append(String.format(Locale.ROOT, "<td>%.0f / %.0f / %.0f</td><td>%.0f</td></tr>\n", Stats.min(r.lost()), Stats.median(r.lost()),
                    Stats.max(r.lost()), Stats.max(r.windowsMs())));
            }
        }
        b.append("</table>\n");
    }

    private static void cutsTable(final StringBuilder b, final SweepResult result)
    {
        b.append("<h2>Every power cut</h2>\n<table><tr><th>cell</th><th>mode</th><th>seed</th><th>nodes</th><th>cut at ms</th>")
            .append("<th>acked at cut</th><th>acked</th><th>unsynced at cut</th><th>read back</th><th>lost</th><th>window ms</th><th>span ms</th>")
            .append("<th>duplicates</th><th>moved</th><th>restart ms</th><th>settled</th></tr>\n");
        for (final CellResult r : result.cells())
        {
            for (final CutRecord k : r.cuts())
            {
                b.append("<tr><td class=\"l\">").append(esc(r.cell().label())).append("</td><td>").append(k.mode()).append("</td><td>")
                    .append(k.seed()).append("</td><td>").append(k.nodes()).append("</td>")
                    .append(String.format(Locale.ROOT, "<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td>" +
                        "<td>%d</td><td>%d</td><td>%d</td><td>%s</td></tr>\n", k.cutAtMs(), k.ackedAtCut(), k.acked(), k.unsyncedAtCut(), k.readBack(),
                        k.lost(), k.windowMs(), k.spanMs(), k.duplicates(), k.moved(), k.restartMs(), k.settled() ? "yes" : "no"));
            }
        }
        b.append("</table>\n");
    }

    static String esc(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
