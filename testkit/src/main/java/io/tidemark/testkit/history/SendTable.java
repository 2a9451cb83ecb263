package io.tidemark.testkit.history;

import java.util.Arrays;
import java.util.List;

/**
 * Every send of a history, indexed by value: partition, process, invocation, outcome and acknowledged
 * offset, in parallel arrays. A value may be invoked once; completions are matched to it by value, so
 * pipelined sends of one producer need no other bookkeeping.
 */
final class SendTable
{
    static final byte PENDING = 0;
    static final byte OK = 1;
    static final byte FAIL = 2;
    static final byte INFO = 3;

    private final LongLongHashMap index;
    int size;
    long[] value;
    int[] partition;
    int[] process;
    long[] invokeIndex;
    long[] invokeNanos;
    long[] completeIndex;
    long[] completeNanos;
    long[] ackOffset;
    byte[] outcome;

    SendTable(final List<Op> ops)
    {
        int expected = 0;
        for (final Op op : ops)
        {
            if (op.f() == Op.Fn.SEND && op.type() == Op.Type.INVOKE)
            {
                expected++;
            }
        }
        index = new LongLongHashMap(expected, -1);
        value = new long[expected];
        partition = new int[expected];
        process = new int[expected];
        invokeIndex = new long[expected];
        invokeNanos = new long[expected];
        completeIndex = new long[expected];
        completeNanos = new long[expected];
        ackOffset = new long[expected];
        outcome = new byte[expected];
        Arrays.fill(completeIndex, -1);
        Arrays.fill(ackOffset, -1);
        for (final Op op : ops)
        {
            if (op.f() == Op.Fn.SEND)
            {
                if (op.type() == Op.Type.INVOKE)
                {
                    invoke(op);
                }
                else
                {
                    complete(op);
                }
            }
        }
    }

    private void invoke(final Op op)
    {
        if (index.putIfAbsent(op.value(), size) != -1)
        {
            throw new IllegalArgumentException("value " + op.value() + " sent twice (" + op
                + "): every send needs a fresh value (Values.Sequence)");
        }
        value[size] = op.value();
        partition[size] = op.partition();
        process[size] = op.process();
        invokeIndex[size] = op.index();
        invokeNanos[size] = op.timeNanos();
        size++;
    }

    private void complete(final Op op)
    {
        final int s = indexOf(op.value());
        if (s < 0)
        {
            throw new IllegalArgumentException("completion without invocation: " + op);
        }
        if (outcome[s] != PENDING)
        {
            throw new IllegalArgumentException("send of " + op.value() + " completed twice: " + op);
        }
        if (op.partition() != partition[s])
        {
            throw new IllegalArgumentException("completion names partition " + op.partition() + ", invoked on "
                + partition[s] + ": " + op);
        }
        outcome[s] = switch (op.type())
        {
            case OK -> OK;
            case FAIL -> FAIL;
            default -> INFO;
        };
        completeIndex[s] = op.index();
        completeNanos[s] = op.timeNanos();
        ackOffset[s] = op.type() == Op.Type.OK ? op.offset() : -1;
    }

    /** @return the send's index, or -1 when the value was never sent. */
    int indexOf(final long v)
    {
        return (int)index.get(v);
    }
}
