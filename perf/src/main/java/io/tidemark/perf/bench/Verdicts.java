package io.tidemark.perf.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plain-language verdicts, one per flush policy and acks (and replication factor when the sweep has
 * several): what the power cuts actually lost.
 */
final class Verdicts
{
    /**
     * One verdict.
     *
     * @param policy     the flush policy.
     * @param acks       the acks.
     * @param rf         the replication factor, or 0 when the sweep has one.
     * @param cuts       power cuts run.
     * @param maxLost    most acknowledged records lost in one cut.
     * @param medianLost median over the cuts.
     * @param maxWindowMs longest loss window.
     * @param text       the sentence.
     */
    record Verdict(String policy, String acks, int rf, int cuts, long maxLost, double medianLost, double maxWindowMs, String text)
    {
    }

    private Verdicts()
    {
    }

    private static String byMode(final List<CellResult> group, final List<String> modes)
    {
        final List<String> parts = new ArrayList<>();
        for (final String mode : modes)
        {
            final List<Long> lost = new ArrayList<>();
            for (final CellResult r : group)
            {
                for (final CutRecord c : r.cuts(mode))
                {
                    lost.add(c.lost());
                }
            }
            parts.add(String.format(Locale.ROOT, "%s: up to %.0f", "all".equals(mode) ? "all nodes" : "one node", Stats.max(lost)));
        }
        return "; " + String.join(", ", parts);
    }

    static List<Verdict> of(final SweepResult result)
    {
        final boolean severalRf = result.plan().cells().stream().map(Cell::replicationFactor).distinct().count() > 1;
        final Map<String, List<CellResult>> groups = new LinkedHashMap<>();
        for (final CellResult r : result.cells())
        {
            if (r.skipped() != null)
            {
                continue;
            }
            final Cell c = r.cell();
            groups.computeIfAbsent(c.policy() + "|" + c.acks() + "|" + (severalRf ? c.replicationFactor() : 0), k -> new ArrayList<>()).add(r);
        }
        final List<Verdict> verdicts = new ArrayList<>();
        for (final List<CellResult> group : groups.values())
        {
            final Cell c = group.get(0).cell();
            final List<Long> lost = new ArrayList<>();
            final List<Double> windows = new ArrayList<>();
            final List<String> modes = new ArrayList<>();
            for (final CellResult r : group)
            {
                lost.addAll(r.lost());
                windows.addAll(r.windowsMs());
                for (final CutRecord cut : r.cuts())
                {
                    if (!modes.contains(cut.mode()))
                    {
                        modes.add(cut.mode());
                    }
                }
            }
            final int rf = severalRf ? c.replicationFactor() : 0;
            final String who = "acks=" + c.acks() + (rf > 0 ? " rf=" + rf : "") + " + " + c.policy();
            final String cutWord = lost.size() + " power cut" + (lost.size() == 1 ? "" : "s") + (modes.isEmpty() ? "" :
                " (" + String.join(" and ", modes.stream().map(m -> "all".equals(m) ? "all nodes" : "one node").toList()) + ")");
            final long maxLost = (long)Stats.max(lost);
            final long unsettled = group.stream().flatMap(r -> r.cuts().stream()).filter(k -> !k.settled()).count();
            final String caveat = unsettled == 0 ? "" : " " + unsettled + " of the cuts had not settled 10 s after the restart (replicas out of " +
                "the ISR): what they hold above a high watermark counts as lost.";
            final String text;
            if (lost.isEmpty())
            {
                text = who + ": no power cuts run (external cluster or --seeds 0); loss not measured.";
            }
            else if (maxLost == 0)
            {
                text = who + ": 0 acknowledged records lost in " + cutWord + "." + caveat;
            }
            else
            {
                text = String.format(Locale.ROOT, "%s: up to %d acknowledged records / %.0f ms of acknowledged writes lost per cut (median %.0f) in %s%s.",
                    who, maxLost, Stats.max(windows), Stats.median(lost), cutWord, modes.size() > 1 ? byMode(group, modes) : "") + caveat;
            }
            verdicts.add(new Verdict(c.policy(), c.acks(), rf, lost.size(), maxLost, Stats.median(lost), Stats.max(windows), text));
        }
        return verdicts;
    }
}
