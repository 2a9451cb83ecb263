package io.tidemark.perf.bench;

import java.util.List;

/**
 * A finished sweep.
 *
 * @param plan        what was asked.
 * @param cluster     the cluster it ran on.
 * @param machine     cores, OS, JVM.
 * @param fsyncUs     the ceiling: raw 4 KiB write + fsync latency in the brokers' file system, microseconds (null if not measured).
 * @param cells       per cell.
 * @param seconds     wall time of the sweep.
 */
public record SweepResult(SweepPlan plan, String cluster, String machine, org.HdrHistogram.Histogram fsyncUs, List<CellResult> cells,
    double seconds)
{
}
