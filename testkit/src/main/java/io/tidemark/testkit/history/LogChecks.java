package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks on what the log holds: final-read contents (corrupt, unknown, failed-but-visible values,
 * duplicates, holes), one value per offset across every observation, lost acknowledged writes, the fate
 * of polled records (read-then-lost, read beyond HW), unseen acknowledged writes and replica divergence.
 *
 * <p>Each acknowledged or polled observation is classified once, by the first rule that matches, most
 * severe first: an offset holding two values is INCONSISTENT_OFFSET and nothing else is said about it.
 */
final class LogChecks
{
    private static final int MAX_EVIDENCE = 6;

    private final Context ctx;
    private final LongLongHashMap failedVisibleReported = new LongLongHashMap(16, 0);

    /** Per partition, offsets observed with two values, and the evidence. */
    private final Map<Integer, Map<Long, Conflict>> conflicts = new HashMap<>();

    private static final class Conflict
    {
        final Set<Long> values = new LinkedHashSet<>();
        final List<String> evidence = new ArrayList<>();
        long firstOpIndex = -1;
        int process = -1;
    }

    LogChecks(final Context ctx)
    {
        this.ctx = ctx;
    }

    void run()
    {
        checkFinalContents();
        checkOffsetConsistency();
        checkAcknowledged();
        final LongLongHashMap polled = checkPolled();
        checkUnseen(polled);
        checkReplicas();
    }

    private static String ms(final long nanos)
    {
        return String.format("%.3fs", nanos / 1e9);
    }

    // ---- final read contents --------------------------------------------------------------------------

    private void checkFinalContents()
    {
        for (final Map.Entry<Integer, Context.FinalIndex> e : ctx.finals.entrySet())
        {
            final int p = e.getKey();
            final FinalRead.PartitionLog log = e.getValue().log;
            final Map<Long, List<Long>> duplicates = new HashMap<>();
            for (int i = 0; i < log.size(); i++)
            {
                final long o = log.offsetAt(i);
                final long v = log.valueAt(i);
                if (v == Values.CORRUPT)
                {
                    ctx.report(AnomalyKind.CORRUPT_VALUE, p, o, -1, -1, -1, () -> "the final read holds bytes that do not decode");
                    continue;
                }
                if (!knownValue(p, o, v, -1, -1, "the final read"))
                {
                    continue;
                }
                final long first = e.getValue().offsetOf(v);
                if (first != o)
                {
                    duplicates.computeIfAbsent(v, k -> new ArrayList<>(List.of(first))).add(o);
                }
            }
            duplicates.forEach((v, offsets) -> reportDuplicate(p, v, offsets));
            checkHoles(p, log);
        }
    }

    /** Reports unknown and failed-but-visible values. @return false when the value was never sent here. */
    private boolean knownValue(final int p, final long o, final long v, final int process, final long opIndex,
        final String where)
    {
        final SendTable sends = ctx.sends;
        final int s = sends.indexOf(v);
        if (s < 0)
        {
            ctx.report(AnomalyKind.UNKNOWN_VALUE, p, o, v, process, opIndex, () -> where + " holds a value never sent");
            return false;
        }
        if (sends.partition[s] != p)
        {
            ctx.report(AnomalyKind.UNKNOWN_VALUE, p, o, v, process, opIndex,
                () -> where + " holds a value sent to partition " + sends.partition[s]);
            return false;
        }
        if (sends.outcome[s] == SendTable.FAIL && failedVisibleReported.putIfAbsent(v, 1) == 0)
        {
            ctx.report(AnomalyKind.FAILED_WRITE_VISIBLE, p, o, v, process, opIndex, () -> "its send definitely failed (op#"
                + sends.completeIndex[s] + ") yet " + where + " holds it");
        }
        return true;
    }

    private void reportDuplicate(final int p, final long v, final List<Long> offsets)
    {
        ctx.duplicatedValues++;
        final int s = ctx.sends.indexOf(v);
        final long acked = ctx.sends.ackOffset[s];
        ctx.report(AnomalyKind.DUPLICATE, p, offsets.get(0), v, ctx.sends.process[s], ctx.sends.invokeIndex[s],
            () -> "one send (op#" + ctx.sends.invokeIndex[s] + ", process " + ctx.sends.process[s] + ") appears at offsets "
                + offsets + (acked >= 0 ? ", acknowledged at " + acked : ""));
    }

    private void checkHoles(final int p, final FinalRead.PartitionLog log)
    {
        long expected = log.logStart();
        for (int i = 0; i < log.size(); i++)
        {
            final long o = log.offsetAt(i);
            if (o > expected)
            {
                reportMissing(p, log, expected, o);
            }
            expected = o + 1;
        }
        if (expected < log.end())
        {
            reportMissing(p, log, expected, log.end());
        }
    }

    /** Reports {@code [from, to)} minus declared skipped offsets as holes, one anomaly per contiguous range. */
    private void reportMissing(final int p, final FinalRead.PartitionLog log, final long from, final long to)
    {
        long start = from;
        for (final long skipped : log.skippedIn(from, to))
        {
            if (skipped > start)
            {
                reportHole(p, log, start, skipped);
            }
            start = skipped + 1;
        }
        if (start < to)
        {
            reportHole(p, log, start, to);
        }
    }

    private void reportHole(final int p, final FinalRead.PartitionLog log, final long from, final long to)
    {
        ctx.holeOffsets += to - from;
        ctx.report(AnomalyKind.HOLE, p, from, -1, -1, -1, () -> "offsets [" + from + ", " + to + ") of the final read ["
            + log.logStart() + ", " + log.end() + ") hold nothing");
    }

    // ---- one value per offset ---------------------------------------------------------------------------

    private LongLongHashMap seen(final Map<Integer, LongLongHashMap> seenByPartition, final int p)
    {
        return seenByPartition.computeIfAbsent(p, k ->
        {
            final Context.FinalIndex f = ctx.log(p);
            final LongLongHashMap m = new LongLongHashMap(f.log.size() + 16, Context.ABSENT);
            for (int i = 0; i < f.log.size(); i++)
            {
                if (f.log.valueAt(i) != Values.CORRUPT)
                {
                    m.put(f.log.offsetAt(i), f.log.valueAt(i));
                }
            }
            return m;
        });
    }

    private void checkOffsetConsistency()
    {
        final Map<Integer, LongLongHashMap> seen = new HashMap<>();
        for (final Op op : ctx.ops)
        {
            if (op.type() != Op.Type.OK)
            {
                continue;
            }
            if (op.f() == Op.Fn.SEND && op.offset() >= 0)
            {
                observe(seen(seen, op.partition()), op.partition(), op.offset(), op.value(), op, "acknowledged to");
            }
            else if (op.f() == Op.Fn.POLL && op.records() != null)
            {
                final PollRecords r = op.records();
                for (int i = 0; i < r.size(); i++)
                {
                    if (r.value(i) != Values.CORRUPT)
                    {
                        observe(seen(seen, r.partition(i)), r.partition(i), r.offset(i), r.value(i), op, "polled by");
                    }
                }
            }
        }
        conflicts.forEach((p, byOffset) -> byOffset.forEach((o, c) ->
        {
            ctx.markInconsistent(p, o);
            ctx.report(AnomalyKind.INCONSISTENT_OFFSET, p, o, -1, c.process, c.firstOpIndex,
                () -> "values " + c.values + " at one offset: " + String.join("; ", c.evidence));
        }));
    }

    private void observe(final LongLongHashMap seen, final int p, final long o, final long v, final Op op, final String how)
    {
        final long existing = seen.putIfAbsent(o, v);
        if (existing == Context.ABSENT || existing == v)
        {
            return;
        }
        final Conflict c = conflicts.computeIfAbsent(p, k -> new HashMap<>()).computeIfAbsent(o, k -> new Conflict());
        if (c.values.isEmpty())
        {
            c.values.add(existing);
            final long inFinal = ctx.log(p).valueAt(o);
            c.evidence.add(inFinal == existing ? "the final read has " + existing : "first seen " + existing);
            c.firstOpIndex = op.index();
            c.process = op.process();
        }
        c.values.add(v);
        if (c.evidence.size() < MAX_EVIDENCE)
        {
            c.evidence.add(v + " " + how + " process " + op.process() + " (op#" + op.index() + " at " + ms(op.timeNanos()) + ")");
        }
    }

    // ---- acknowledged writes ---------------------------------------------------------------------------

    private void checkAcknowledged()
    {
        final SendTable s = ctx.sends;
        for (int i = 0; i < s.size; i++)
        {
            if (s.outcome[i] != SendTable.OK)
            {
                continue;
            }
            final int p = s.partition[i];
            final long v = s.value[i];
            final long o = s.ackOffset[i];
            final Context.FinalIndex f = ctx.log(p);
            final int send = i;
            if (o >= 0)
            {
                if (ctx.isInconsistent(p, o))
                {
                    continue;
                }
                if (o < f.log.logStart())
                {
                    ctx.pruned++;
                    continue;
                }
                if (f.valueAt(o) == v)
                {
                    ctx.acknowledgedPresent++;
                    continue;
                }
                final long at = f.offsetOf(v);
                if (at >= 0)
                {
                    ctx.report(AnomalyKind.INCONSISTENT_OFFSET, p, o, v, s.process[i], s.completeIndex[i],
                        () -> "acknowledged at offset " + o + " (op#" + s.completeIndex[send] + ") but the final read has it at " + at);
                    continue;
                }
                ctx.report(AnomalyKind.LOST_ACKED, p, o, v, s.process[i], s.completeIndex[i],
                    () -> "acknowledged at offset " + o + " (op#" + s.completeIndex[send] + " at " + ms(s.completeNanos[send])
                        + ") but absent from the final read " + f.log);
            }
            else if (f.offsetOf(v) >= 0)
            {
                ctx.acknowledgedPresent++;
            }
            else if (f.log.logStart() > 0)
            {
                ctx.pruned++; // offset unknown (acks=0): it may have been below the log start
            }
            else
            {
                ctx.report(AnomalyKind.LOST_ACKED, p, -1, v, s.process[i], s.completeIndex[i],
                    () -> "acknowledged without an offset (op#" + s.completeIndex[send] + ") but absent from the final read " + f.log);
            }
        }
    }

    // ---- polled records --------------------------------------------------------------------------------

    /** @return the set of values any poll returned. */
    private LongLongHashMap checkPolled()
    {
        final LongLongHashMap polledValues = new LongLongHashMap(1024, 0);
        final Map<Integer, LongLongHashMap> classified = new HashMap<>();
        for (final Op op : ctx.ops)
        {
            if (op.f() != Op.Fn.POLL || op.type() != Op.Type.OK || op.records() == null)
            {
                continue;
            }
            final PollRecords r = op.records();
            for (int i = 0; i < r.size(); i++)
            {
                final int p = r.partition(i);
                final long o = r.offset(i);
                final long v = r.value(i);
                final Context.FinalIndex f = ctx.log(p);
                if (v == Values.CORRUPT)
                {
                    ctx.report(AnomalyKind.CORRUPT_VALUE, p, o, -1, op.process(), op.index(),
                        () -> "poll by process " + op.process() + " returned bytes that do not decode");
                    continue;
                }
                polledValues.put(v, 1);
                if (!knownValue(p, o, v, op.process(), op.index(), "a poll by process " + op.process()))
                {
                    continue;
                }
                final long hw = r.highWatermark(p);
                final boolean beyondReportedHw = hw >= 0 && o >= hw;
                if (beyondReportedHw)
                {
                    ctx.report(AnomalyKind.READ_BEYOND_HW, p, o, v, op.process(), op.index(),
                        () -> "polled offset " + o + " but the fetch reported high watermark " + hw + " (op#" + op.index() + ")");
                }
                final LongLongHashMap done = classified.computeIfAbsent(p, k -> new LongLongHashMap(1024, 0));
                if (done.putIfAbsent(o, 1) != 0 || ctx.isInconsistent(p, o) || o < f.log.logStart() || f.valueAt(o) == v)
                {
                    continue;
                }
                final long at = f.offsetOf(v);
                if (at >= 0)
                {
                    ctx.report(AnomalyKind.INCONSISTENT_OFFSET, p, o, v, op.process(), op.index(),
                        () -> "polled at offset " + o + " (op#" + op.index() + ") but the final read has it at " + at);
                }
                else if (beyondReportedHw)
                {
                    continue; // already fatal; that it is gone is the expected fate of an uncommitted read
                }
                else if (o >= f.log.end() && !ctx.contract.allNodePowerLossWithoutBatch())
                {
                    ctx.report(AnomalyKind.READ_BEYOND_HW, p, o, v, op.process(), op.index(),
                        () -> "polled offset " + o + " (op#" + op.index() + ", process " + op.process() + ") lies beyond the end "
                            + f.log.end() + " of the final read: it was never committed");
                }
                else
                {
                    ctx.report(AnomalyKind.READ_THEN_LOST, p, o, v, op.process(), op.index(),
                        () -> "polled at offset " + o + " (op#" + op.index() + ", process " + op.process() + " at "
                            + ms(op.timeNanos()) + ") but absent from the final read " + f.log);
                }
            }
        }
        return polledValues;
    }

    private void checkUnseen(final LongLongHashMap polled)
    {
        boolean anyPoll = false;
        for (final Op op : ctx.ops)
        {
            if (op.f() == Op.Fn.POLL && op.type() == Op.Type.OK)
            {
                anyPoll = true;
                break;
            }
        }
        if (!anyPoll)
        {
            return; // no consumers in this workload: "unseen" means nothing
        }
        final SendTable s = ctx.sends;
        for (int i = 0; i < s.size; i++)
        {
            if (s.outcome[i] == SendTable.OK && !polled.containsKey(s.value[i]) && ctx.log(s.partition[i]).offsetOf(s.value[i]) >= 0)
            {
                final int send = i;
                ctx.report(AnomalyKind.UNSEEN_ACKED, s.partition[i], ctx.log(s.partition[i]).offsetOf(s.value[i]), s.value[i],
                    s.process[i], s.completeIndex[i], () -> "acknowledged (op#" + s.completeIndex[send] + "), in the final read, never polled");
            }
        }
    }

    // ---- replicas --------------------------------------------------------------------------------------

    private void checkReplicas()
    {
        for (final Map.Entry<Integer, Map<String, FinalRead.PartitionLog>> e : ctx.finalRead.replicas().entrySet())
        {
            final int p = e.getKey();
            final List<Map.Entry<String, FinalRead.PartitionLog>> replicas = new ArrayList<>(e.getValue().entrySet());
            if (replicas.isEmpty())
            {
                continue;
            }
            final String refName = replicas.get(0).getKey();
            final FinalRead.PartitionLog ref = replicas.get(0).getValue();
            for (int i = 1; i < replicas.size(); i++)
            {
                final String name = replicas.get(i).getKey();
                final FinalRead.PartitionLog other = replicas.get(i).getValue();
                if (ref.end() != other.end())
                {
                    ctx.report(AnomalyKind.REPLICA_DIVERGENCE, p, Math.min(ref.end(), other.end()), -1, -1, -1,
                        () -> "not converged: log end offset " + ref.end() + " on " + refName + ", " + other.end() + " on " + name);
                }
                compare(p, refName, ref, name, other);
            }
            final FinalRead.PartitionLog read = ctx.finalRead.partition(p);
            if (read != null)
            {
                compare(p, "the final read", read, refName, ref);
            }
        }
    }

    /** Reports the first offset of the common range where two logs differ, with the number of such offsets. */
    private void compare(final int p, final String aName, final FinalRead.PartitionLog a, final String bName,
        final FinalRead.PartitionLog b)
    {
        final long from = Math.max(a.logStart(), b.logStart());
        final long to = Math.min(a.end(), b.end());
        int i = Math.max(0, insertion(a, from));
        int j = Math.max(0, insertion(b, from));
        long firstDiff = -1;
        String firstDetail = null;
        long diffs = 0;
        while (true)
        {
            final long oa = i < a.size() && a.offsetAt(i) < to ? a.offsetAt(i) : Long.MAX_VALUE;
            final long ob = j < b.size() && b.offsetAt(j) < to ? b.offsetAt(j) : Long.MAX_VALUE;
            if (oa == Long.MAX_VALUE && ob == Long.MAX_VALUE)
            {
                break;
            }
            final long o = Math.min(oa, ob);
            final String va = oa == o ? describe(a.valueAt(i)) : "nothing";
            final String vb = ob == o ? describe(b.valueAt(j)) : "nothing";
            if (!va.equals(vb))
            {
                diffs++;
                if (firstDiff < 0)
                {
                    firstDiff = o;
                    firstDetail = aName + " has " + va + ", " + bName + " has " + vb;
                }
            }
            if (oa == o)
            {
                i++;
            }
            if (ob == o)
            {
                j++;
            }
        }
        if (diffs > 0)
        {
            final String detail = firstDetail + " (" + diffs + " differing offsets in [" + from + ", " + to + "))";
            ctx.report(AnomalyKind.REPLICA_DIVERGENCE, p, firstDiff, -1, -1, -1, () -> detail);
        }
    }

    private static int insertion(final FinalRead.PartitionLog log, final long offset)
    {
        final int i = log.indexOf(offset);
        return i >= 0 ? i : -i - 1;
    }

    private static String describe(final long v)
    {
        return v == Values.CORRUPT ? "corrupt bytes" : Long.toString(v);
    }
}
