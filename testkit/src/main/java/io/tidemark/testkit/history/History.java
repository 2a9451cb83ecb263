package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A thread-safe, append-only record of every operation a workload invoked and how each ended, for the
 * {@link Checker}. Each event gets the next index and a timestamp under one lock, so index order is
 * real-time order: if A completed before B was invoked, A's completion has the smaller index.
 *
 * <pre>
 *   History.Send send = history.invokeSend(process, partition, value);
 *   producer.send(record, (md, e) -&gt; {
 *       if (e == null) send.ok(md.offset());
 *       else if (rejectedBeforeAppend(e)) send.fail(e.toString());   // definitely not written
 *       else send.info(e.toString());                                // timeout, disconnect: unknown
 *   });
 * </pre>
 *
 * {@code fail} is only for errors that prove the operation had no effect; everything else (timeouts,
 * disconnects, "not leader" after the request may have been appended) is {@code info}. An operation
 * never completed counts as {@code info}.
 */
public final class History
{
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final List<Op> ops = new ArrayList<>();
    private final AtomicLong nextFaultId = new AtomicLong();

    /** A history timed by {@link System#nanoTime()}. */
    public History()
    {
        this(System::nanoTime);
    }

    /**
     * @param nanoClock a monotonic clock in nanoseconds (tests inject a manual one).
     */
    public History(final LongSupplier nanoClock)
    {
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /**
     * Appends an event, stamping index and time.
     *
     * @return the event as recorded.
     */
    private Op append(final Op.Type type, final Op.Fn f, final int process, final int partition, final long value,
        final long offset, final String group, final PollRecords records, final List<Integer> partitions,
        final String error)
    {
        synchronized (ops)
        {
            final Op op = new Op(ops.size(), nanoClock.getAsLong() - startNanos, type, f, process, partition, value,
                offset, group, records, partitions, error);
            ops.add(op);
            return op;
        }
    }

    /**
     * Appends an event as given, except its index (e.g. when loading a stored history). Its time must not
     * be earlier than the last event's.
     *
     * @param op the event.
     * @return the event with its index in this history.
     */
    public Op append(final Op op)
    {
        synchronized (ops)
        {
            if (!ops.isEmpty() && op.timeNanos() < ops.get(ops.size() - 1).timeNanos())
            {
                throw new IllegalArgumentException("time goes backwards: " + op + " after " + ops.get(ops.size() - 1));
            }
            final Op indexed = new Op(ops.size(), op.timeNanos(), op.type(), op.f(), op.process(), op.partition(),
                op.value(), op.offset(), op.group(), op.records(), op.partitions(), op.error());
            ops.add(indexed);
            return indexed;
        }
    }

    /** @return a snapshot of every event so far, in order. */
    public List<Op> ops()
    {
        synchronized (ops)
        {
            return Collections.unmodifiableList(new ArrayList<>(ops));
        }
    }

    /** @return the number of events. */
    public int size()
    {
        synchronized (ops)
        {
            return ops.size();
        }
    }

    /** @return nanoseconds since the history started, on its clock. */
    public long nowNanos()
    {
        return nanoClock.getAsLong() - startNanos;
    }

    /**
     * Records that a process starts sending {@code value} to {@code partition}.
     *
     * @param process   the producer instance.
     * @param partition the target partition.
     * @param value     a value never sent before in this run (see {@link Values.Sequence}).
     * @return the handle to complete exactly once.
     */
    public Send invokeSend(final int process, final int partition, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("values are non-negative: " + value);
        }
        append(Op.Type.INVOKE, Op.Fn.SEND, process, partition, value, -1, null, null, null, null);
        return new Send(process, partition, value);
    }

    /**
     * Records that a consumer starts a poll outside any group (an assign-reader).
     *
     * @param process the consumer instance.
     * @return the handle to complete exactly once.
     */
    public Poll invokePoll(final int process)
    {
        return invokePoll(process, null);
    }

    /**
     * Records that a consumer starts a poll.
     *
     * @param process the consumer instance.
     * @param group   its consumer group, or null.
     * @return the handle to complete exactly once.
     */
    public Poll invokePoll(final int process, final String group)
    {
        append(Op.Type.INVOKE, Op.Fn.POLL, process, -1, -1, -1, group, null, null, null);
        return new Poll(process, group);
    }

    /**
     * Records that a group member starts committing {@code offset} (the next offset to consume).
     *
     * @param process   the consumer instance.
     * @param group     the group.
     * @param partition the partition.
     * @param offset    the offset committed.
     * @return the handle to complete exactly once.
     */
    public Commit invokeCommit(final int process, final String group, final int partition, final long offset)
    {
        append(Op.Type.INVOKE, Op.Fn.COMMIT, process, partition, -1, offset, group, null, null, null);
        return new Commit(process, group, partition, offset);
    }

    /**
     * Records a consumer's new assignment (after {@code assign()} or a rebalance): its read positions are
     * unknown until the next poll or seek.
     *
     * @param process    the consumer instance.
     * @param group      its group, or null.
     * @param partitions the partitions now assigned.
     */
    public void assign(final int process, final String group, final List<Integer> partitions)
    {
        append(Op.Type.OK, Op.Fn.ASSIGN, process, -1, -1, -1, group, null, List.copyOf(partitions), null);
    }

    /**
     * Records that a consumer moved its position: its next record from {@code partition} is expected at
     * {@code offset} (or at the next offset that holds a record).
     *
     * @param process   the consumer instance.
     * @param partition the partition.
     * @param offset    the next offset to read.
     */
    public void seek(final int process, final int partition, final long offset)
    {
        append(Op.Type.OK, Op.Fn.SEEK, process, partition, -1, offset, null, null, null, null);
    }

    /**
     * Records that a fault began.
     *
     * @param description what, e.g. {@code KILL broker-2}.
     * @return the handle whose {@link Fault#healed()} records the heal.
     */
    public Fault faultStarted(final String description)
    {
        final long id = nextFaultId.getAndIncrement();
        append(Op.Type.INVOKE, Op.Fn.FAULT, -1, -1, id, -1, null, null, null, description);
        return new Fault(id, description);
    }

    /** Base of the completion handles: completes once. */
    private abstract static class Pending
    {
        private final AtomicBoolean done = new AtomicBoolean();

        final void complete(final String what)
        {
            if (!done.compareAndSet(false, true))
            {
                throw new IllegalStateException(what + " completed twice");
            }
        }
    }

    /** An invoked send, to complete once with ok, fail or info. */
    public final class Send extends Pending
    {
        private final int process;
        private final int partition;
        private final long value;

        private Send(final int process, final int partition, final long value)
        {
            this.process = process;
            this.partition = partition;
            this.value = value;
        }

        /** @return the value sent. */
        public long value()
        {
            return value;
        }

        /**
         * The record was acknowledged.
         *
         * @param offset the offset the broker assigned, or -1 when unknown (acks=0).
         */
        public void ok(final long offset)
        {
            complete("send of " + value);
            append(Op.Type.OK, Op.Fn.SEND, process, partition, value, offset, null, null, null, null);
        }

        /**
         * The record was definitely not appended.
         *
         * @param error why.
         */
        public void fail(final String error)
        {
            complete("send of " + value);
            append(Op.Type.FAIL, Op.Fn.SEND, process, partition, value, -1, null, null, null, error);
        }

        /**
         * Unknown whether the record was appended.
         *
         * @param error why (timeout, disconnect, ...).
         */
        public void info(final String error)
        {
            complete("send of " + value);
            append(Op.Type.INFO, Op.Fn.SEND, process, partition, value, -1, null, null, null, error);
        }
    }

    /** An invoked poll. */
    public final class Poll extends Pending
    {
        private final int process;
        private final String group;

        private Poll(final int process, final String group)
        {
            this.process = process;
            this.group = group;
        }

        /**
         * @param records what the poll returned.
         */
        public void ok(final PollRecords records)
        {
            complete("poll");
            append(Op.Type.OK, Op.Fn.POLL, process, -1, -1, -1, group, records, null, null);
        }

        /**
         * @param error why the poll failed (a poll reads nothing when it fails, so fail and info are alike).
         */
        public void fail(final String error)
        {
            complete("poll");
            append(Op.Type.FAIL, Op.Fn.POLL, process, -1, -1, -1, group, null, null, error);
        }

        /**
         * @param error why the poll's outcome is unknown.
         */
        public void info(final String error)
        {
            complete("poll");
            append(Op.Type.INFO, Op.Fn.POLL, process, -1, -1, -1, group, null, null, error);
        }
    }

    /** An invoked commit. */
    public final class Commit extends Pending
    {
        private final int process;
        private final String group;
        private final int partition;
        private final long offset;

        private Commit(final int process, final String group, final int partition, final long offset)
        {
            this.process = process;
            this.group = group;
            this.partition = partition;
            this.offset = offset;
        }

        /** The commit was acknowledged. */
        public void ok()
        {
            complete("commit");
            append(Op.Type.OK, Op.Fn.COMMIT, process, partition, -1, offset, group, null, null, null);
        }

        /**
         * The commit definitely did not happen (e.g. rejected: fenced generation).
         *
         * @param error why.
         */
        public void fail(final String error)
        {
            complete("commit");
            append(Op.Type.FAIL, Op.Fn.COMMIT, process, partition, -1, offset, group, null, null, error);
        }

        /**
         * Unknown whether the commit happened.
         *
         * @param error why.
         */
        public void info(final String error)
        {
            complete("commit");
            append(Op.Type.INFO, Op.Fn.COMMIT, process, partition, -1, offset, group, null, null, error);
        }
    }

    /** A started fault. */
    public final class Fault extends Pending
    {
        private final long id;
        private final String description;

        private Fault(final long id, final String description)
        {
            this.id = id;
            this.description = description;
        }

        /** Records that the fault was healed. */
        public void healed()
        {
            complete("fault " + description);
            append(Op.Type.OK, Op.Fn.FAULT, -1, -1, id, -1, null, null, null, description);
        }
    }
}
