package io.tidemark.perf.bench;

import java.util.List;

/**
 * What a sweep runs.
 *
 * @param cells      the cells, in order.
 * @param rate       records per second of the open loop and of the power-cut trials.
 * @param durationMs measured time of each load phase, and the length of each power-cut trial's load.
 * @param warmupMs   unmeasured load before each phase.
 * @param seeds      power-cut trials per cut mode and cell.
 * @param seed       the base seed (each trial's seed derives from it).
 * @param cutModes   {@code one} and/or {@code all}.
 * @param lingerMs   the producers' {@code linger.ms}.
 * @param note       how the cells were chosen (printed and in the reports).
 */
public record SweepPlan(List<Cell> cells, double rate, long durationMs, long warmupMs, int seeds, long seed, List<String> cutModes,
    int lingerMs, String note)
{
    /** Base seeds stay below this, so a trial's seed (base x 100000 + cell x 100 + trial) fits a long. */
    public static final long MAX_SEED = 10_000_000_000_000L;

    /**
     * Checks the values.
     */
    public SweepPlan
    {
        cells = List.copyOf(cells);
        cutModes = List.copyOf(cutModes);
        if (cells.isEmpty())
        {
            throw new IllegalArgumentException("no cells to run");
        }
        if (rate <= 0)
        {
            throw new IllegalArgumentException("--rate must be > 0 records/s, not " + rate);
        }
        if (durationMs < 100)
        {
            throw new IllegalArgumentException("--duration must be >= 100 ms, not " + durationMs);
        }
        if (seeds < 0 || seeds * Math.max(1, cutModes.size()) > 99)
        {
            throw new IllegalArgumentException("--seeds must be 0 .. " + 99 / Math.max(1, cutModes.size()) + ", not " + seeds);
        }
        if (seed < 0 || seed >= MAX_SEED)
        {
            throw new IllegalArgumentException("--seed must be 0 .. " + (MAX_SEED - 1) + ", not " + seed);
        }
        if (cells.size() > 999)
        {
            throw new IllegalArgumentException("at most 999 cells, not " + cells.size());
        }
        for (final String m : cutModes)
        {
            if (!"one".equals(m) && !"all".equals(m))
            {
                throw new IllegalArgumentException("cut modes are one and all, not " + m);
            }
        }
    }

    /**
     * @param cutsPerCell power cuts per cell (0 without power cuts).
     * @return a rough estimate of one cell's run time, milliseconds, for the progress bar.
     */
    long estimatedCellMs(final int cutsPerCell)
    {
        return 2 * (warmupMs + durationMs) + 1500 + cutsPerCell * (durationMs * 6 / 10 + 1500);
    }
}
