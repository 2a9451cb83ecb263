package io.tidemark.testkit.history;

import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Consumer checks, in one pass over the history in real-time order.
 *
 * <ul>
 *   <li>Per consumer process and partition, successive polled offsets must increase (NONMONOTONIC_POLL) and
 *   must not jump over records the final read holds (POLL_SKIP). A new assignment forgets the positions; a
 *   seek sets the next expected offset.</li>
 *   <li>Per group and partition, an acknowledged commit must not be lower than one acknowledged before it
 *   was invoked, and the final committed offset must not be lower than any acknowledged commit
 *   (COMMIT_REGRESS); a commit must not pass a record of the final read that no member of the group had
 *   polled when the commit was invoked (COMMIT_SKIP; groups are assumed to start at the log start, i.e.
 *   {@code auto.offset.reset=earliest}).</li>
 * </ul>
 */
final class ConsumerChecks
{
    private final Context ctx;

    private static final class GroupPartition
    {
        final BitSet polled = new BitSet();
        int frontierIndex;
        long maxCommitted = -1;
        long maxCommittedOp = -1;
        final Set<Long> skipReported = new HashSet<>();
    }

    private record CommitKey(int process, String group, int partition, long offset)
    {
    }

    private record PendingCommit(long frontier, long maxCommittedAtInvoke, long maxCommittedOp)
    {
    }

    ConsumerChecks(final Context ctx)
    {
        this.ctx = ctx;
    }

    void run()
    {
        final Map<Integer, Map<Integer, long[]>> lastRead = new HashMap<>(); // process -> partition -> {offset, op}
        final Map<String, Map<Integer, GroupPartition>> groups = new HashMap<>();
        final Map<CommitKey, PendingCommit> pending = new HashMap<>();
        for (final Op op : ctx.ops)
        {
            switch (op.f())
            {
                case ASSIGN -> lastRead.put(op.process(), new HashMap<>());
                case SEEK -> lastRead.computeIfAbsent(op.process(), k -> new HashMap<>())
                    .put(op.partition(), new long[] {op.offset() - 1, op.index()});
                case POLL ->
                {
                    if (op.type() == Op.Type.OK && op.records() != null)
                    {
                        poll(op, lastRead.computeIfAbsent(op.process(), k -> new HashMap<>()), groups);
                    }
                }
                case COMMIT -> commit(op, groups, pending);
                default ->
                {
                    // sends and faults are not consumer events
                }
            }
        }
        ctx.finalRead.committed().forEach((group, byPartition) -> byPartition.forEach((p, committed) ->
        {
            final GroupPartition gp = groups.getOrDefault(group, Map.of()).get(p);
            if (gp != null && committed < gp.maxCommitted)
            {
                ctx.report(AnomalyKind.COMMIT_REGRESS, p, committed, -1, -1, -1,
                    () -> "group " + group + " finally has committed offset " + committed + ", below the acknowledged commit of "
                        + gp.maxCommitted + " (op#" + gp.maxCommittedOp + ")");
            }
        }));
    }

    private GroupPartition groupPartition(final Map<String, Map<Integer, GroupPartition>> groups, final String group,
        final int partition)
    {
        return groups.computeIfAbsent(group, k -> new HashMap<>()).computeIfAbsent(partition, k -> new GroupPartition());
    }

    private void poll(final Op op, final Map<Integer, long[]> mine, final Map<String, Map<Integer, GroupPartition>> groups)
    {
        final PollRecords r = op.records();
        for (int i = 0; i < r.size(); i++)
        {
            final int p = r.partition(i);
            final long o = r.offset(i);
            final FinalRead.PartitionLog log = ctx.log(p).log;
            final long[] last = mine.get(p);
            if (last != null)
            {
                final long prev = last[0];
                final long prevOp = last[1];
                if (o <= prev)
                {
                    ctx.report(AnomalyKind.NONMONOTONIC_POLL, p, o, r.value(i), op.process(), op.index(),
                        () -> "process " + op.process() + " read offset " + o + " (op#" + op.index() + ") after offset " + prev
                            + " (op#" + prevOp + ") without a seek or new assignment");
                }
                else if (o > prev + 1)
                {
                    final int skipped = log.countIn(prev + 1, o);
                    if (skipped > 0)
                    {
                        ctx.report(AnomalyKind.POLL_SKIP, p, o, r.value(i), op.process(), op.index(),
                            () -> "process " + op.process() + " jumped from offset " + prev + " (op#" + prevOp + ") to " + o
                                + " (op#" + op.index() + ") over " + skipped + " records the log holds");
                    }
                }
            }
            mine.put(p, new long[] {o, op.index()});
            if (op.group() != null && o >= log.logStart() && o - log.logStart() < Integer.MAX_VALUE)
            {
                groupPartition(groups, op.group(), p).polled.set((int)(o - log.logStart()));
            }
        }
    }

    /** @return the lowest offset of the final read that the group has not polled, or the read's end. */
    private static long frontier(final GroupPartition gp, final FinalRead.PartitionLog log)
    {
        while (gp.frontierIndex < log.size())
        {
            final long o = log.offsetAt(gp.frontierIndex);
            if (o - log.logStart() >= Integer.MAX_VALUE || !gp.polled.get((int)(o - log.logStart())))
            {
                return o;
            }
            gp.frontierIndex++;
        }
        return log.end();
    }

    private void commit(final Op op, final Map<String, Map<Integer, GroupPartition>> groups,
        final Map<CommitKey, PendingCommit> pending)
    {
        final CommitKey key = new CommitKey(op.process(), op.group(), op.partition(), op.offset());
        final FinalRead.PartitionLog log = ctx.log(op.partition()).log;
        final GroupPartition gp = groupPartition(groups, op.group(), op.partition());
        if (op.type() == Op.Type.INVOKE)
        {
            pending.put(key, new PendingCommit(frontier(gp, log), gp.maxCommitted, gp.maxCommittedOp));
            return;
        }
        final PendingCommit pc = pending.remove(key);
        if (pc == null)
        {
            throw new IllegalArgumentException("commit completion without invocation: " + op);
        }
        if (op.type() != Op.Type.OK)
        {
            return;
        }
        final long c = op.offset();
        final int p = op.partition();
        if (c < pc.maxCommittedAtInvoke)
        {
            ctx.report(AnomalyKind.COMMIT_REGRESS, p, c, -1, op.process(), op.index(),
                () -> "group " + op.group() + " committed " + c + " (op#" + op.index() + ") after a commit of "
                    + pc.maxCommittedAtInvoke + " was acknowledged (op#" + pc.maxCommittedOp + ")");
        }
        final long f = pc.frontier;
        if (f < c && f < log.end() && gp.skipReported.add(f))
        {
            final int idx = log.indexOf(f);
            final long v = idx >= 0 ? log.valueAt(idx) : -1;
            ctx.report(AnomalyKind.COMMIT_SKIP, p, f, v, op.process(), op.index(),
                () -> "group " + op.group() + " committed " + c + " (op#" + op.index() + ") but no member had polled offset " + f
                    + " when the commit was sent");
        }
        if (c > gp.maxCommitted)
        {
            gp.maxCommitted = c;
            gp.maxCommittedOp = op.index();
        }
    }
}
