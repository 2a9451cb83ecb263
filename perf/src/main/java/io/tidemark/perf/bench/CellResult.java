package io.tidemark.perf.bench;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * Everything measured for one cell.
 *
 * @param cell     the cell.
 * @param closed   the closed-loop phase (throughput).
 * @param open     the open-loop phase at the fixed rate (latency without coordinated omission).
 * @param e2eUs    end-to-end latency during the open loop, microseconds.
 * @param cuts     the power cuts.
 * @param skipped  why the cell was not run, or null.
 */
public record CellResult(Cell cell, LoadResult closed, LoadResult open, Histogram e2eUs, List<CutRecord> cuts, String skipped)
{
    static CellResult skipped(final Cell cell, final String why)
    {
        return new CellResult(cell, null, null, null, List.of(), why);
    }

    /**
     * @return lost records of each cut.
     */
    public List<Long> lost()
    {
        final List<Long> l = new ArrayList<>();
        for (final CutRecord c : cuts)
        {
            l.add(c.lost());
        }
        return l;
    }

    /**
     * @return loss windows of each cut, milliseconds.
     */
    public List<Double> windowsMs()
    {
        final List<Double> l = new ArrayList<>();
        for (final CutRecord c : cuts)
        {
            l.add(c.windowMs());
        }
        return l;
    }

    /**
     * @param mode {@code one} or {@code all}.
     * @return the cuts of that mode.
     */
    public List<CutRecord> cuts(final String mode)
    {
        return cuts.stream().filter(c -> c.mode().equals(mode)).toList();
    }
}
