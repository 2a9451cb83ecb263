package io.tidemark.testkit.history;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Order checks on sends, in one pass over the history in real-time order.
 *
 * <ul>
 *   <li>Real-time: if A was acknowledged before B was invoked (same partition; same producer or any, per the
 *   contract), B must sit at a higher offset than A. Only an A that survived (in the final read at its
 *   acknowledged offset) bounds B: a lost A is reported as lost, not as a reorder.</li>
 *   <li>Send order (idempotent producers only): B invoked after A by the same producer, same partition, must
 *   sit at a higher offset, acknowledged or not.</li>
 * </ul>
 *
 * A send's position is its acknowledged offset if the final read holds it there, else the lowest offset
 * the final read holds it at; sends absent from the final read have no position and are not compared.
 */
final class OrderChecks
{
    private final Context ctx;
    private final long[] position;
    private final boolean[] reported;

    OrderChecks(final Context ctx)
    {
        this.ctx = ctx;
        final SendTable s = ctx.sends;
        this.position = new long[s.size];
        this.reported = new boolean[s.size];
        for (int i = 0; i < s.size; i++)
        {
            position[i] = positionOf(i);
        }
    }

    private long positionOf(final int i)
    {
        final SendTable s = ctx.sends;
        final Context.FinalIndex f = ctx.log(s.partition[i]);
        if (s.outcome[i] == SendTable.OK && s.ackOffset[i] >= 0 && f.valueAt(s.ackOffset[i]) == s.value[i])
        {
            return s.ackOffset[i];
        }
        return f.offsetOf(s.value[i]);
    }

    void run()
    {
        if (ctx.contract.realTimeOrder() != Contract.RealTimeOrder.NONE)
        {
            realTime(ctx.contract.realTimeOrder() == Contract.RealTimeOrder.PER_PRODUCER);
        }
        if (ctx.contract.idempotent())
        {
            sendOrder();
        }
    }

    private static long key(final boolean perProducer, final int process, final int partition)
    {
        return perProducer ? ((long)process << 32) | (partition & 0xffffffffL) : partition;
    }

    private void realTime(final boolean perProducer)
    {
        final SendTable s = ctx.sends;
        // per scope: the highest position of a surviving acknowledged send, and which send it was
        final Map<Long, long[]> highest = new HashMap<>();
        final long[] boundPosition = new long[s.size];
        final int[] boundSend = new int[s.size];
        Arrays.fill(boundPosition, -1);
        for (final Op op : ctx.ops)
        {
            if (op.f() != Op.Fn.SEND)
            {
                continue;
            }
            final int i = s.indexOf(op.value());
            final long k = key(perProducer, s.process[i], s.partition[i]);
            if (op.type() == Op.Type.INVOKE)
            {
                final long[] h = highest.get(k);
                if (h != null)
                {
                    boundPosition[i] = h[0];
                    boundSend[i] = (int)h[1];
                }
            }
            else if (op.type() == Op.Type.OK && position[i] >= 0 && (s.ackOffset[i] < 0 || position[i] == s.ackOffset[i]))
            {
                final long[] h = highest.computeIfAbsent(k, x -> new long[] {-1, -1});
                if (position[i] > h[0])
                {
                    h[0] = position[i];
                    h[1] = i;
                }
            }
        }
        for (int b = 0; b < s.size; b++)
        {
            if (boundPosition[b] >= 0 && position[b] >= 0 && position[b] <= boundPosition[b]
                && !ctx.isInconsistent(s.partition[b], position[b]))
            {
                final int a = boundSend[b];
                final int bb = b;
                reported[b] = true;
                ctx.report(AnomalyKind.REORDERED, s.partition[b], position[b], s.value[b], s.process[b], s.invokeIndex[b],
                    () -> "sent (op#" + s.invokeIndex[bb] + ") after " + s.value[a] + " was acknowledged at offset "
                        + position[a] + " (op#" + s.completeIndex[a] + (perProducer ? ", same producer" : "")
                        + "), yet it sits at offset " + position[bb]);
            }
        }
    }

    private void sendOrder()
    {
        final SendTable s = ctx.sends;
        final Map<Long, long[]> last = new HashMap<>(); // per (producer, partition): highest position so far, its send
        for (int i = 0; i < s.size; i++) // sends are indexed in invocation order
        {
            if (position[i] < 0)
            {
                continue;
            }
            final long[] l = last.computeIfAbsent(key(true, s.process[i], s.partition[i]), x -> new long[] {-1, -1});
            if (position[i] < l[0] && !reported[i] && !ctx.isInconsistent(s.partition[i], position[i]))
            {
                final int a = (int)l[1];
                final int b = i;
                ctx.report(AnomalyKind.REORDERED, s.partition[b], position[b], s.value[b], s.process[b], s.invokeIndex[b],
                    () -> "idempotent producer " + s.process[b] + " sent it (op#" + s.invokeIndex[b] + ") after " + s.value[a]
                        + " (op#" + s.invokeIndex[a] + ", offset " + position[a] + "), yet it sits at offset " + position[b]);
            }
            if (position[i] > l[0])
            {
                l[0] = position[i];
                l[1] = i;
            }
        }
    }
}
