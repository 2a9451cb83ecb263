package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Availability and performance from the history's timestamps: fault windows (FAULT invoke → ok), latency
 * and acknowledgement rate of sends inside and outside them, unavailable time (buckets in which a send
 * was outstanding but none was acknowledged), and the time from each heal to the next acknowledgement.
 */
final class Timing
{
    private final Context ctx;
    private final long bucketNanos;

    LatencyStats normal;
    LatencyStats fault;
    double unavailableSeconds;
    double spanSeconds;
    final List<Recovery> recoveries = new ArrayList<>();
    final List<String> unhealed = new ArrayList<>();
    int faults;

    private record Window(String description, long start, long heal, boolean healed)
    {
    }

    Timing(final Context ctx, final long bucketNanos)
    {
        this.ctx = ctx;
        this.bucketNanos = bucketNanos;
    }

    void run()
    {
        final long span = ctx.ops.isEmpty() ? 0 : ctx.ops.get(ctx.ops.size() - 1).timeNanos();
        spanSeconds = span / 1e9;
        final List<Window> windows = windows(span);
        faults = windows.size();
        final long[][] merged = merge(windows);
        latency(merged, span);
        unavailability(span);
        recoveries(windows);
    }

    private List<Window> windows(final long span)
    {
        final Map<Long, long[]> byId = new LinkedHashMap<>();
        final Map<Long, String> names = new LinkedHashMap<>();
        for (final Op op : ctx.ops)
        {
            if (op.f() == Op.Fn.FAULT)
            {
                if (op.type() == Op.Type.INVOKE)
                {
                    byId.put(op.value(), new long[] {op.timeNanos(), -1});
                    names.put(op.value(), op.error());
                }
                else if (byId.containsKey(op.value()))
                {
                    byId.get(op.value())[1] = op.timeNanos();
                }
            }
        }
        final List<Window> windows = new ArrayList<>();
        byId.forEach((id, w) ->
        {
            if (w[1] < 0)
            {
                unhealed.add(names.get(id));
            }
            windows.add(new Window(names.get(id), w[0], w[1] < 0 ? span : w[1], w[1] >= 0));
        });
        return windows;
    }

    private static long[][] merge(final List<Window> windows)
    {
        final long[][] sorted = windows.stream().map(w -> new long[] {w.start, w.heal}).sorted((a, b) -> Long.compare(a[0], b[0]))
            .toArray(long[][]::new);
        final List<long[]> out = new ArrayList<>();
        for (final long[] w : sorted)
        {
            if (!out.isEmpty() && w[0] <= out.get(out.size() - 1)[1])
            {
                out.get(out.size() - 1)[1] = Math.max(out.get(out.size() - 1)[1], w[1]);
            }
            else
            {
                out.add(new long[] {w[0], w[1]});
            }
        }
        return out.toArray(new long[0][]);
    }

    private static boolean inside(final long[][] merged, final long t)
    {
        int lo = 0;
        int hi = merged.length - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (t < merged[mid][0])
            {
                hi = mid - 1;
            }
            else if (t > merged[mid][1])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }
        return false;
    }

    private void latency(final long[][] merged, final long span)
    {
        final Histogram normalHist = new Histogram(3);
        final Histogram faultHist = new Histogram(3);
        long normalAcks = 0;
        long faultAcks = 0;
        final SendTable s = ctx.sends;
        for (int i = 0; i < s.size; i++)
        {
            if (s.outcome[i] != SendTable.OK)
            {
                continue;
            }
            final long micros = Math.max(0, (s.completeNanos[i] - s.invokeNanos[i]) / 1_000);
            (inside(merged, s.invokeNanos[i]) ? faultHist : normalHist).recordValue(micros);
            if (inside(merged, s.completeNanos[i]))
            {
                faultAcks++;
            }
            else
            {
                normalAcks++;
            }
        }
        long faultNanos = 0;
        for (final long[] w : merged)
        {
            faultNanos += Math.max(0, Math.min(w[1], span) - w[0]);
        }
        normal = stats(normalHist, (span - faultNanos) / 1e9, normalAcks);
        fault = stats(faultHist, faultNanos / 1e9, faultAcks);
    }

    private static LatencyStats stats(final Histogram h, final double seconds, final long acks)
    {
        final double rate = seconds > 0 ? acks / seconds : 0;
        if (h.getTotalCount() == 0)
        {
            return new LatencyStats(0, 0, 0, 0, seconds, rate);
        }
        return new LatencyStats(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue(),
            seconds, rate);
    }

    private void unavailability(final long span)
    {
        final int buckets = (int)Math.min(Integer.MAX_VALUE - 1, span / bucketNanos + 1);
        final int[] acks = new int[buckets];
        final int[] outstanding = new int[buckets + 1]; // difference array
        final SendTable s = ctx.sends;
        for (int i = 0; i < s.size; i++)
        {
            final int from = bucket(s.invokeNanos[i], buckets);
            final int to = s.outcome[i] == SendTable.PENDING ? buckets - 1 : bucket(s.completeNanos[i], buckets);
            outstanding[from]++;
            outstanding[to + 1]--;
            if (s.outcome[i] == SendTable.OK)
            {
                acks[to]++;
            }
        }
        int running = 0;
        long unavailable = 0;
        for (int b = 0; b < buckets; b++)
        {
            running += outstanding[b];
            if (running > 0 && acks[b] == 0)
            {
                unavailable++;
            }
        }
        unavailableSeconds = unavailable * (bucketNanos / 1e9);
    }

    private int bucket(final long nanos, final int buckets)
    {
        return (int)Math.min(buckets - 1, Math.max(0, nanos / bucketNanos));
    }

    private void recoveries(final List<Window> windows)
    {
        final SendTable s = ctx.sends;
        long[] ackTimes = new long[s.size];
        int n = 0;
        long lastSendActivity = -1;
        for (int i = 0; i < s.size; i++)
        {
            if (s.outcome[i] == SendTable.OK)
            {
                ackTimes[n++] = s.completeNanos[i];
            }
            lastSendActivity = Math.max(lastSendActivity, s.outcome[i] == SendTable.PENDING ? Long.MAX_VALUE : s.completeNanos[i]);
        }
        ackTimes = Arrays.copyOf(ackTimes, n);
        Arrays.sort(ackTimes);
        for (final Window w : windows)
        {
            if (!w.healed)
            {
                continue;
            }
            int i = Arrays.binarySearch(ackTimes, w.heal);
            if (i < 0)
            {
                i = -i - 1;
            }
            else
            {
                while (i > 0 && ackTimes[i - 1] == w.heal)
                {
                    i--;
                }
            }
            final boolean attempted = lastSendActivity >= w.heal;
            final Recovery r = new Recovery(w.description, w.heal, i < n ? ackTimes[i] - w.heal : -1, attempted);
            recoveries.add(r);
            final long bound = ctx.contract.recoveryBoundMs() * 1_000_000L;
            if (bound > 0 && ((r.recovered() && r.recoveryNanos() > bound) || (!r.recovered() && attempted)))
            {
                ctx.report(AnomalyKind.SLOW_RECOVERY, -1, -1, -1, -1, -1,
                    () -> r + " (bound " + ctx.contract.recoveryBoundMs() + " ms)");
            }
        }
    }
}
