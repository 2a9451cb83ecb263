package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Checker}'s result: the verdict under the run's {@link Contract}, every anomaly by kind (the
 * first {@value Context#MAX_STORED} of each kind kept, all counted), the counts of what happened,
 * availability and latency. {@link #toString()} is the readable summary to print when a run fails.
 */
public final class Report
{
    private static final int EXAMPLES_FATAL = 5;
    private static final int EXAMPLES_COUNTED = 2;

    private final Contract contract;
    private final Long seed;
    private final long ops;
    private final long sends;
    private final long acknowledged;
    private final long failed;
    private final long indeterminate;
    private final long polls;
    private final long polledRecords;
    private final long commits;
    private final long finalRecords;
    private final long pruned;
    private final long holeOffsets;
    private final long[] counts;
    private final Map<AnomalyKind, List<Anomaly>> anomalies;
    private final double unavailableSeconds;
    private final double spanSeconds;
    private final List<Recovery> recoveries;
    private final List<String> unhealedFaults;
    private final int faults;
    private final LatencyStats normal;
    private final LatencyStats fault;

    Report(final Context ctx, final Timing timing, final Long seed)
    {
        this.contract = ctx.contract;
        this.seed = seed;
        this.ops = ctx.ops.size();
        final SendTable s = ctx.sends;
        long ok = 0;
        long fail = 0;
        for (int i = 0; i < s.size; i++)
        {
            ok += s.outcome[i] == SendTable.OK ? 1 : 0;
            fail += s.outcome[i] == SendTable.FAIL ? 1 : 0;
        }
        this.sends = s.size;
        this.acknowledged = ok;
        this.failed = fail;
        this.indeterminate = s.size - ok - fail;
        long pollCount = 0;
        long records = 0;
        long commitCount = 0;
        for (final Op op : ctx.ops)
        {
            if (op.type() == Op.Type.OK && op.f() == Op.Fn.POLL)
            {
                pollCount++;
                records += op.records() == null ? 0 : op.records().size();
            }
            else if (op.type() == Op.Type.OK && op.f() == Op.Fn.COMMIT)
            {
                commitCount++;
            }
        }
        this.polls = pollCount;
        this.polledRecords = records;
        this.commits = commitCount;
        long fin = 0;
        for (final FinalRead.PartitionLog log : ctx.finalRead.partitions().values())
        {
            fin += log.size();
        }
        this.finalRecords = fin;
        this.pruned = ctx.pruned;
        this.holeOffsets = ctx.holeOffsets;
        this.counts = ctx.counts.clone();
        final Map<AnomalyKind, List<Anomaly>> copy = new EnumMap<>(AnomalyKind.class);
        ctx.stored.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.anomalies = copy;
        this.unavailableSeconds = timing.unavailableSeconds;
        this.spanSeconds = timing.spanSeconds;
        this.recoveries = List.copyOf(timing.recoveries);
        this.unhealedFaults = List.copyOf(timing.unhealed);
        this.faults = timing.faults;
        this.normal = timing.normal;
        this.fault = timing.fault;
    }

    /** @return true when no anomaly of a kind the contract makes fatal was found. */
    public boolean valid()
    {
        return fatalKinds().isEmpty();
    }

    /** @return the kinds that were found and are fatal under the contract. */
    public List<AnomalyKind> fatalKinds()
    {
        final List<AnomalyKind> out = new ArrayList<>();
        for (final AnomalyKind k : AnomalyKind.values())
        {
            if (counts[k.ordinal()] > 0 && contract.isFatal(k))
            {
                out.add(k);
            }
        }
        return out;
    }

    /** @return the contract checked against. */
    public Contract contract()
    {
        return contract;
    }

    /** @return the run's seed, or null if none was given. */
    public Long seed()
    {
        return seed;
    }

    /**
     * @param kind an anomaly kind.
     * @return how many were found (all of them, even beyond those kept).
     */
    public long count(final AnomalyKind kind)
    {
        return counts[kind.ordinal()];
    }

    /**
     * @param kind an anomaly kind.
     * @return the anomalies kept, in the order found.
     */
    public List<Anomaly> anomalies(final AnomalyKind kind)
    {
        return anomalies.get(kind);
    }

    /** @return every kept anomaly of a fatal kind. */
    public List<Anomaly> fatalAnomalies()
    {
        final List<Anomaly> out = new ArrayList<>();
        for (final AnomalyKind k : fatalKinds())
        {
            out.addAll(anomalies.get(k));
        }
        return out;
    }

    /** @return the number of history events. */
    public long ops()
    {
        return ops;
    }

    /** @return sends invoked. */
    public long sends()
    {
        return sends;
    }

    /** @return sends acknowledged. */
    public long acknowledged()
    {
        return acknowledged;
    }

    /** @return sends that definitely failed. */
    public long failed()
    {
        return failed;
    }

    /** @return sends with unknown outcome (info or never completed). */
    public long indeterminate()
    {
        return indeterminate;
    }

    /** @return acknowledged writes absent from the final read. */
    public long lost()
    {
        return count(AnomalyKind.LOST_ACKED);
    }

    /** @return values found at more than one offset. */
    public long duplicated()
    {
        return count(AnomalyKind.DUPLICATE);
    }

    /** @return sends found out of order. */
    public long reordered()
    {
        return count(AnomalyKind.REORDERED);
    }

    /** @return polled records absent from the final read. */
    public long readThenLost()
    {
        return count(AnomalyKind.READ_THEN_LOST);
    }

    /** @return offsets inside the final reads that hold nothing. */
    public long holeOffsets()
    {
        return holeOffsets;
    }

    /** @return acknowledged writes below the log start offset, which retention may have removed (not checked). */
    public long pruned()
    {
        return pruned;
    }

    /** @return successful polls. */
    public long polls()
    {
        return polls;
    }

    /** @return records returned by successful polls. */
    public long polledRecords()
    {
        return polledRecords;
    }

    /** @return seconds (in whole buckets) in which sends were outstanding and none was acknowledged. */
    public double unavailableSeconds()
    {
        return unavailableSeconds;
    }

    /** @return the time from each healed fault to the next acknowledgement. */
    public List<Recovery> recoveries()
    {
        return recoveries;
    }

    /** @return faults started but never healed (the final read then does not follow a heal). */
    public List<String> unhealedFaults()
    {
        return unhealedFaults;
    }

    /** @return latency and ack rate outside fault windows. */
    public LatencyStats normalLatency()
    {
        return normal;
    }

    /** @return latency and ack rate inside fault windows. */
    public LatencyStats faultLatency()
    {
        return fault;
    }

    @Override
    public String toString()
    {
        final String nl = System.lineSeparator();
        final StringBuilder sb = new StringBuilder();
        sb.append("Tidemark check: ").append(valid() ? "VALID" : "INVALID (" + fatalKinds() + ")")
            .append(" — seed ").append(seed == null ? "none" : seed.toString()).append(nl);
        sb.append("contract: ").append(contract).append(nl);
        sb.append(String.format("history: %d events over %.1fs; sends %d (acknowledged %d, failed %d, indeterminate %d); "
            + "polls %d (%d records); commits %d; final read %d records", ops, spanSeconds, sends, acknowledged, failed,
            indeterminate, polls, polledRecords, commits, finalRecords)).append(nl);
        sb.append(String.format("counts: lost %d, duplicated %d, reordered %d, read-then-lost %d, hole offsets %d, "
            + "unseen %d, pruned by retention %d", lost(), duplicated(), reordered(), readThenLost(), holeOffsets,
            count(AnomalyKind.UNSEEN_ACKED), pruned)).append(nl);
        boolean any = false;
        for (final AnomalyKind k : AnomalyKind.values())
        {
            final long n = counts[k.ordinal()];
            if (n == 0)
            {
                continue;
            }
            any = true;
            final boolean fatal = contract.isFatal(k);
            sb.append(String.format("  %-7s %-20s %d", fatal ? "FATAL" : "counted", k, n)).append(nl);
            final List<Anomaly> list = anomalies.get(k);
            for (int i = 0; i < Math.min(list.size(), fatal ? EXAMPLES_FATAL : EXAMPLES_COUNTED); i++)
            {
                sb.append("          - ").append(list.get(i)).append(nl);
            }
        }
        if (!any)
        {
            sb.append("  no anomalies").append(nl);
        }
        sb.append("faults: ").append(faults).append(unhealedFaults.isEmpty() ? " (all healed)" : " NEVER HEALED: " + unhealedFaults)
            .append(nl);
        for (final Recovery r : recoveries)
        {
            sb.append("  ").append(r).append(nl);
        }
        sb.append(String.format("unavailable: %.0fs of %.1fs", unavailableSeconds, spanSeconds)).append(nl);
        sb.append("send latency, normal: ").append(normal).append(nl);
        sb.append("send latency, faults: ").append(fault).append(nl);
        return sb.toString();
    }
}
