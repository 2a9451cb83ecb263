package io.tidemark.perf.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * The terminal table and the machine-readable files: {@code results.csv} (one row per cell),
 * {@code cuts.csv} (one row per power cut), {@code results.json} (everything) and
 * {@code hgrm/<cell>-{closed,open,e2e}.hgrm} (HdrHistogram percentile distributions, milliseconds).
 */
final class Reports
{
    static final String RESULTS_CSV = "results.csv";
    static final String CUTS_CSV = "cuts.csv";
    static final String RESULTS_JSON = "results.json";
    static final String HGRM_DIR = "hgrm";

    private Reports()
    {
    }

    static void table(final SweepResult result, final PrintStream out)
    {
        final SweepPlan plan = result.plan();
        out.printf(Locale.ROOT, "tidemark bench: %s%n", result.cluster());
        out.printf(Locale.ROOT, "machine: %s%n", result.machine());
        out.printf(Locale.ROOT, "cells: %s%n", plan.note());
        out.printf(Locale.ROOT, "load: closed loop (max throughput) and open loop at %,.0f records/s, %d ms each after %d ms warm-up; linger.ms=%d; " +
            "%d partitions%n", plan.rate(), plan.durationMs(), plan.warmupMs(), plan.lingerMs(), Topics.PARTITIONS);
        out.printf(Locale.ROOT, "power cuts: %d seed%s x %s per cell, base seed %d (rerun with --seed %d)%n", plan.seeds(), plan.seeds() == 1 ? "" : "s",
            plan.cutModes().isEmpty() ? "none" : String.join(",", plan.cutModes()), plan.seed(), plan.seed());
        if (result.fsyncUs() != null && result.fsyncUs().getTotalCount() > 0)
        {
            out.printf(Locale.ROOT, "ceiling: raw 4 KiB write + fsync in the brokers' file system: p50 %.2f ms, p99 %.2f ms (%d syncs)%n",
                Stats.ms(result.fsyncUs(), 50), Stats.ms(result.fsyncUs(), 99), result.fsyncUs().getTotalCount());
        }
        out.println();
        out.printf(Locale.ROOT, "%-14s %-4s %-3s %-6s | %9s %7s %8s | %8s %8s %8s %8s | %8s %8s | %4s %-17s %9s%n", "policy", "acks", "rf", "size",
            "closed/s", "MB/s", "p99 ms", "open p50", "p99", "p99.9", "max ms", "e2e p50", "e2e p99", "cuts", "lost min/med/max", "window ms");
        out.println("-".repeat(150));
        for (final CellResult r : result.cells())
        {
            final Cell c = r.cell();
            final String head = String.format(Locale.ROOT, "%-14s %-4s %-3d %-6s", c.policy(), c.acks(), c.replicationFactor(), Cell.size(c.recordSize()));
            if (r.skipped() != null)
            {
                out.println(head + " | skipped: " + r.skipped());
                continue;
            }
            final String loss = r.cuts().isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f/%.0f/%.0f", Stats.min(r.lost()), Stats.median(r.lost()),
                Stats.max(r.lost()));
            final long unsettled = r.cuts().stream().filter(k -> !k.settled()).count();
            final String window = (r.cuts().isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", Stats.max(r.windowsMs()))) +
                (unsettled > 0 ? " (" + unsettled + " unsettled)" : "");
            out.printf(Locale.ROOT, "%s | %9.0f %7.2f %8.2f | %8.2f %8.2f %8.2f %8.2f | %8.2f %8.2f | %4d %-17s %9s%n", head,
                r.closed().recordsPerSecond(), r.closed().megabytesPerSecond(c.recordSize()), r.closed().latencyMs(99),
                r.open().latencyMs(50), r.open().latencyMs(99), r.open().latencyMs(99.9), r.open().latencyMs(100),
                Stats.ms(r.e2eUs(), 50), Stats.ms(r.e2eUs(), 99), r.cuts().size(), loss, window);
        }
        out.println();
        for (final Verdicts.Verdict v : Verdicts.of(result))
        {
            out.println("  " + v.text());
        }
        out.printf(Locale.ROOT, "%nwindow = from the earliest lost acknowledgement to the cut; open-loop latency counts from each record's due " +
            "send time (no coordinated omission).%nunsettled = the cluster had not healed (ISR full, high watermarks at the log ends) 10 s after " +
            "the restart: records it holds above a high watermark are counted lost, since no consumer can read them.%nsweep took %.0f s.%n",
            result.seconds());
    }

    static List<Path> write(final SweepResult result, final Path dir) throws IOException
    {
        Files.createDirectories(dir.resolve(HGRM_DIR));
        final List<Path> written = new ArrayList<>();
        written.add(write(dir.resolve(RESULTS_CSV), csv(result)));
        written.add(write(dir.resolve(CUTS_CSV), cutsCsv(result)));
        written.add(write(dir.resolve(RESULTS_JSON), json(result)));
        for (final CellResult r : result.cells())
        {
            if (r.skipped() != null)
            {
                continue;
            }
            written.add(hgrm(dir, r.cell(), "closed", r.closed().latencyUs()));
            written.add(hgrm(dir, r.cell(), "open", r.open().latencyUs()));
            written.add(hgrm(dir, r.cell(), "e2e", r.e2eUs()));
        }
        return written;
    }

    private static Path write(final Path file, final String text) throws IOException
    {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static Path hgrm(final Path dir, final Cell cell, final String what, final Histogram us) throws IOException
    {
        final Path file = dir.resolve(HGRM_DIR).resolve(cell.fileName() + "-" + what + ".hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            us.outputPercentileDistribution(out, 1000.0); // microseconds recorded, milliseconds printed
        }
        return file;
    }

    static String csv(final SweepResult result)
    {
        final StringBuilder b = new StringBuilder();
        b.append("policy,acks,replication_factor,record_size,closed_records_per_s,closed_mb_per_s,closed_p50_ms,closed_p99_ms,closed_p999_ms,closed_max_ms,")
            .append("open_rate,open_records_per_s,open_p50_ms,open_p99_ms,open_p999_ms,open_max_ms,e2e_p50_ms,e2e_p99_ms,e2e_p999_ms,e2e_max_ms,")
            .append("failed,cuts,lost_min,lost_median,lost_max,window_ms_max,acked_in_cut_trials,read_back_in_cut_trials,skipped\n");
        for (final CellResult r : result.cells())
        {
            final Cell c = r.cell();
            b.append(c.policy()).append(',').append(c.acks()).append(',').append(c.replicationFactor()).append(',').append(c.recordSize()).append(',');
            if (r.skipped() != null)
            {
                b.append(",".repeat(24)).append('"').append(r.skipped().replace("\"", "'")).append("\"\n");
                continue;
            }
            final LoadResult cl = r.closed();
            final LoadResult op = r.open();
            b.append(f(cl.recordsPerSecond())).append(',').append(f(cl.megabytesPerSecond(c.recordSize()))).append(',')
                .append(f(cl.latencyMs(50))).append(',').append(f(cl.latencyMs(99))).append(',').append(f(cl.latencyMs(99.9))).append(',')
                .append(f(cl.latencyMs(100))).append(',')
                .append(f(op.targetRate())).append(',').append(f(op.recordsPerSecond())).append(',').append(f(op.latencyMs(50))).append(',')
                .append(f(op.latencyMs(99))).append(',').append(f(op.latencyMs(99.9))).append(',').append(f(op.latencyMs(100))).append(',')
                .append(f(Stats.ms(r.e2eUs(), 50))).append(',').append(f(Stats.ms(r.e2eUs(), 99))).append(',')
                .append(f(Stats.ms(r.e2eUs(), 99.9))).append(',').append(f(Stats.ms(r.e2eUs(), 100))).append(',')
                .append(cl.failed() + op.failed()).append(',').append(r.cuts().size()).append(',');
            if (r.cuts().isEmpty())
            {
                b.append(",,,,,,\n");
                continue;
            }
            b.append(f(Stats.min(r.lost()))).append(',').append(f(Stats.median(r.lost()))).append(',').append(f(Stats.max(r.lost()))).append(',')
                .append(f(Stats.max(r.windowsMs()))).append(',').append(r.cuts().stream().mapToLong(CutRecord::acked).sum()).append(',')
                .append(r.cuts().stream().mapToLong(CutRecord::readBack).sum()).append(",\n");
        }
        return b.toString();
    }

    static String cutsCsv(final SweepResult result)
    {
        final StringBuilder b = new StringBuilder("policy,acks,replication_factor,record_size,mode,seed,nodes,cut_at_ms,acked_at_cut,acked,")
            .append("unsynced_at_cut,read_back,lost,window_ms,span_ms,duplicates,moved,restart_ms,settled\n");
        for (final CellResult r : result.cells())
        {
            final Cell c = r.cell();
            for (final CutRecord k : r.cuts())
            {
                b.append(c.policy()).append(',').append(c.acks()).append(',').append(c.replicationFactor()).append(',').append(c.recordSize())
                    .append(',').append(k.mode()).append(',').append(k.seed()).append(",\"").append(k.nodes().toString().replace(" ", ""))
                    .append("\",").append(k.cutAtMs()).append(',').append(k.ackedAtCut()).append(',').append(k.acked()).append(',')
                    .append(k.unsyncedAtCut()).append(',').append(k.readBack()).append(',').append(k.lost()).append(',').append(f(k.windowMs()))
                    .append(',').append(f(k.spanMs())).append(',').append(k.duplicates()).append(',').append(k.moved()).append(',')
                    .append(k.restartMs()).append(',').append(k.settled()).append('\n');
            }
        }
        return b.toString();
    }

    static String f(final double v)
    {
        if (Double.isNaN(v) || Double.isInfinite(v))
        {
            return "null";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long)v) : String.format(Locale.ROOT, "%.3f", v);
    }

    static String json(final SweepResult result)
    {
        final SweepPlan plan = result.plan();
        final Json j = new Json();
        j.open('{');
        j.field("cluster").str(result.cluster());
        j.field("machine").str(result.machine());
        j.field("seconds").num(result.seconds());
        j.field("plan").open('{');
        j.field("note").str(plan.note());
        j.field("rate").num(plan.rate());
        j.field("duration_ms").num(plan.durationMs());
        j.field("warmup_ms").num(plan.warmupMs());
        j.field("seeds").num(plan.seeds());
        j.field("seed").num(plan.seed());
        j.field("cut_modes").open('[');
        for (final String m : plan.cutModes())
        {
            j.item().str(m);
        }
        j.close(']');
        j.field("linger_ms").num(plan.lingerMs());
        j.close('}');
        if (result.fsyncUs() != null)
        {
            j.field("fsync_ceiling").open('{');
            percentiles(j, result.fsyncUs());
            j.close('}');
        }
        j.field("cells").open('[');
        for (final CellResult r : result.cells())
        {
            cell(j.item(), r);
        }
        j.close(']');
        j.field("verdicts").open('[');
        for (final Verdicts.Verdict v : Verdicts.of(result))
        {
            j.item().str(v.text());
        }
        j.close(']');
        j.close('}');
        return j.toString() + "\n";
    }

    private static void cell(final Json j, final CellResult r)
    {
        final Cell c = r.cell();
        j.open('{');
        j.field("policy").str(c.policy());
        j.field("acks").str(c.acks());
        j.field("replication_factor").num(c.replicationFactor());
        j.field("record_size").num(c.recordSize());
        if (r.skipped() != null)
        {
            j.field("skipped").str(r.skipped());
            j.close('}');
            return;
        }
        for (final LoadResult l : List.of(r.closed(), r.open()))
        {
            j.field(l.mode()).open('{');
            j.field("target_rate").num(l.targetRate());
            j.field("records").num(l.records());
            j.field("failed").num(l.failed());
            j.field("seconds").num(l.seconds());
            j.field("records_per_s").num(l.recordsPerSecond());
            j.field("mb_per_s").num(l.megabytesPerSecond(c.recordSize()));
            j.field("latency_ms").open('{');
            percentiles(j, l.latencyUs());
            j.close('}');
            j.close('}');
        }
        j.field("e2e_latency_ms").open('{');
        percentiles(j, r.e2eUs());
        j.close('}');
        j.field("cuts").open('[');
        for (final CutRecord k : r.cuts())
        {
            j.item().open('{');
            j.field("mode").str(k.mode());
            j.field("seed").num(k.seed());
            j.field("nodes").open('[');
            for (final int n : k.nodes())
            {
                j.item().num(n);
            }
            j.close(']');
            j.field("cut_at_ms").num(k.cutAtMs());
            j.field("acked_at_cut").num(k.ackedAtCut());
            j.field("acked").num(k.acked());
            j.field("unsynced_at_cut").num(k.unsyncedAtCut());
            j.field("read_back").num(k.readBack());
            j.field("lost").num(k.lost());
            j.field("window_ms").num(k.windowMs());
            j.field("span_ms").num(k.spanMs());
            j.field("duplicates").num(k.duplicates());
            j.field("moved").num(k.moved());
            j.field("restart_ms").num(k.restartMs());
            j.field("settled").bool(k.settled());
            j.close('}');
        }
        j.close(']');
        j.close('}');
    }

    private static void percentiles(final Json j, final Histogram us)
    {
        j.field("count").num(us.getTotalCount());
        j.field("p50").num(Stats.ms(us, 50));
        j.field("p99").num(Stats.ms(us, 99));
        j.field("p99_9").num(Stats.ms(us, 99.9));
        j.field("max").num(Stats.ms(us, 100));
    }

    /**
     * A minimal JSON writer (keys and strings escaped; commas placed by nesting).
     */
    static final class Json
    {
        private final StringBuilder b = new StringBuilder();
        private final java.util.ArrayDeque<boolean[]> first = new java.util.ArrayDeque<>();

        Json open(final char c)
        {
            b.append(c);
            first.push(new boolean[] { true });
            return this;
        }

        Json close(final char c)
        {
            first.pop();
            b.append(c);
            return this;
        }

        private void comma()
        {
            final boolean[] f = first.peek();
            if (f != null)
            {
                if (!f[0])
                {
                    b.append(',');
                }
                f[0] = false;
            }
        }

        Json field(final String name)
        {
            comma();
            quote(name);
            b.append(':');
            return this;
        }

        Json item()
        {
            comma();
            return this;
        }

        Json str(final String s)
        {
            if (s == null)
            {
                b.append("null");
            }
            else
            {
                quote(s);
            }
            return this;
        }

        Json bool(final boolean v)
        {
            b.append(v);
            return this;
        }

        Json num(final long v)
        {
            b.append(v);
            return this;
        }

        Json num(final double v)
        {
            b.append(f(v));
            return this;
        }

        private void quote(final String s)
        {
            b.append('"');
            for (int i = 0; i < s.length(); i++)
            {
                final char c = s.charAt(i);
                switch (c)
                {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default ->
                    {
                        if (c < 0x20)
                        {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                        }
                        else
                        {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }

        @Override
        public String toString()
        {
            return b.toString();
        }
    }
}
