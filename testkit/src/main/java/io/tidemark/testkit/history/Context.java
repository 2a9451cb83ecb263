package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Shared state of one {@link Checker} run: inputs, indexes, and the anomalies found so far. */
final class Context
{
    /** Anomalies kept per kind for the report; beyond this they are only counted. */
    static final int MAX_STORED = 10_000;
    /** What {@link FinalIndex#valueAt} returns where the final read holds nothing. */
    static final long ABSENT = -1;

    final List<Op> ops;
    final FinalRead finalRead;
    final Contract contract;
    final SendTable sends;
    final Map<Integer, FinalIndex> finals = new HashMap<>();
    final Map<AnomalyKind, List<Anomaly>> stored = new EnumMap<>(AnomalyKind.class);
    final long[] counts = new long[AnomalyKind.values().length];
    /** Per partition, the offsets found to hold two values: later checks do not report them again. */
    private final Map<Integer, LongLongHashMap> inconsistent = new HashMap<>();
    long pruned;
    long holeOffsets;
    long acknowledgedPresent;
    long duplicatedValues;

    Context(final List<Op> ops, final FinalRead finalRead, final Contract contract)
    {
        this.ops = ops;
        this.finalRead = finalRead;
        this.contract = contract;
        this.sends = new SendTable(ops);
        for (final AnomalyKind kind : AnomalyKind.values())
        {
            stored.put(kind, new ArrayList<>());
        }
        finalRead.partitions().forEach((p, log) -> finals.put(p, new FinalIndex(log)));
    }

    void report(final AnomalyKind kind, final int partition, final long offset, final long value, final int process,
        final long opIndex, final Supplier<String> detail)
    {
        counts[kind.ordinal()]++;
        final List<Anomaly> list = stored.get(kind);
        if (list.size() < MAX_STORED)
        {
            list.add(new Anomaly(kind, partition, offset, value, process, opIndex, detail.get()));
        }
    }

    /**
     * @param partition a partition written or read by the workload.
     * @return its final read.
     * @throws IllegalArgumentException when the final read did not include it.
     */
    FinalIndex log(final int partition)
    {
        final FinalIndex f = finals.get(partition);
        if (f == null)
        {
            throw new IllegalArgumentException("the final read lacks partition " + partition
                + ", which the history writes or reads; read every partition at the end");
        }
        return f;
    }

    void markInconsistent(final int partition, final long offset)
    {
        inconsistent.computeIfAbsent(partition, k -> new LongLongHashMap(16, 0)).put(offset, 1);
    }

    boolean isInconsistent(final int partition, final long offset)
    {
        final LongLongHashMap set = inconsistent.get(partition);
        return set != null && set.containsKey(offset);
    }

    /** The final read of one partition with a value index. */
    static final class FinalIndex
    {
        final FinalRead.PartitionLog log;
        /** value → lowest offset holding it. */
        final LongLongHashMap offsetOfValue;

        FinalIndex(final FinalRead.PartitionLog log)
        {
            this.log = log;
            this.offsetOfValue = new LongLongHashMap(log.size(), -1);
            for (int i = 0; i < log.size(); i++)
            {
                final long v = log.valueAt(i);
                if (v != Values.CORRUPT)
                {
                    offsetOfValue.putIfAbsent(v, log.offsetAt(i));
                }
            }
        }

        /** @return the value at {@code offset}, {@link Values#CORRUPT}, or {@link #ABSENT}. */
        long valueAt(final long offset)
        {
            final int i = log.indexOf(offset);
            return i >= 0 ? log.valueAt(i) : ABSENT;
        }

        /** @return the lowest offset holding {@code value}, or -1. */
        long offsetOf(final long value)
        {
            return offsetOfValue.get(value);
        }
    }
}
