package io.tidemark.replication.controller.raft;

import io.tidemark.transport.LogText;

import java.util.ArrayList;
import java.util.List;

import io.microraft.impl.RaftNodeImpl;
import io.microraft.impl.handler.AppendEntriesRequestHandler;
import io.microraft.impl.log.RaftLog;
import io.microraft.impl.state.RaftState;
import io.microraft.model.groupop.RaftGroupOp;
import io.microraft.model.log.LogEntry;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.RaftMessage;

/**
 * Works around a MicroRaft 0.7 follower bug, on the node's Raft thread, before its own
 * AppendEntries handler runs.
 *
 * <p>The bug: a follower checks {@code prevLogIndex} by looking the entry up in its log, but entries
 * up to its snapshot index S are no longer in the log (only the snapshot's term is kept, and only
 * used when S is the last index). So once a follower holds a snapshot at S and more entries after
 * it (always the case after a restart, or after installing a snapshot), every AppendEntries with
 * {@code prevLogIndex <= S} fails; the leader walks its next index back, cannot go below the match
 * index, or sends a snapshot the follower ignores because its commit index is not below it. The
 * follower never catches up, and two such followers stop a 3-voter quorum for good (found by the
 * fault schedules).
 *
 * <p>The fix follows Raft's rules with what the follower knows: indices up to S are committed and
 * match the leader's. For a request with {@code prevLogIndex <= S} whose entries go past S, the
 * guard drops the entries up to S and re-anchors the request at the last index k in (S, last] where
 * the follower's entries agree with the leader's (same index and term), so MicroRaft's own check
 * passes and it appends the rest. When the leader's entry S+1 conflicts with the follower's, the
 * follower's entries from S+1 are uncommitted (the leader holds every committed entry), so the guard
 * truncates them first, exactly as MicroRaft would on a conflict, and anchors at S. A request whose
 * entries all lie at or below S (the leader walked back below the follower's snapshot) is answered
 * with a success up to its last entry. Requests outside these cases are handed to MicroRaft as they
 * are.
 *
 * <p>Uses MicroRaft's internal classes ({@code io.microraft.impl}); pinned to 0.7.
 */
final class AppendEntriesGuard
{
    private static final System.Logger LOG = System.getLogger(AppendEntriesGuard.class.getName());

    private final RaftNodeImpl node;
    private long fixes;

    AppendEntriesGuard(final RaftNodeImpl node)
    {
        this.node = node;
    }

    /**
     * @return requests re-anchored, truncations made or answers given by the guard.
     */
    long fixes()
    {
        return fixes;
    }

    /**
     * Handles the request on the Raft thread, fixing it first if MicroRaft would mishandle it.
     *
     * @param request an AppendEntries request from a (claimed) leader.
     */
    void handle(final AppendEntriesRequest request)
    {
        final AppendEntriesRequest fixed;
        try
        {
            fixed = fix(request);
        }
        catch (final RuntimeException ex)
        {
            // never lose the request to the guard: MicroRaft decides as it would have
            LOG.log(System.Logger.Level.WARNING, "append-entries guard failed on " + LogText.escape(request), LogText.safe(ex));
            new AppendEntriesRequestHandler(node, request).run();
            return;
        }
        if (fixed != null)
        {
            new AppendEntriesRequestHandler(node, fixed).run();
        }
    }

    private AppendEntriesRequest fix(final AppendEntriesRequest request)
    {
        final RaftState state = node.state();
        final RaftLog log = state.log();
        final long snapshot = log.snapshotIndex();
        final long prev = request.getPreviousLogIndex();
        final long last = log.lastLogOrSnapshotIndex();
        if (snapshot == 0 || prev == 0 || prev > snapshot || prev == snapshot && last == snapshot || request.getTerm() < state.term())
        {
            return request;
        }
        final int snapshotTerm = log.snapshotEntry().getTerm();
        if (prev == snapshot && request.getPreviousLogTerm() != snapshotTerm)
        {
            // a committed index with another term: not a case to repair
            return request;
        }
        final List<LogEntry> rest = new ArrayList<>();
        for (final LogEntry e : request.getLogEntries())
        {
            if (e.getIndex() > snapshot)
            {
                rest.add(e);
            }
        }
        if (rest.isEmpty())
        {
            if (last == snapshot)
            {
                fixes++;
                return anchored(request, snapshot, snapshotTerm, rest);
            }
            if (prev < snapshot && request.getTerm() == state.term() && request.getSender().equals(state.leader()))
            {
                // everything the leader sent is committed and in our snapshot: say so, and it moves on
                fixes++;
                final RaftMessage ok = node.getModelFactory().createAppendEntriesSuccessResponseBuilder().setGroupId(node.getGroupId())
                    .setSender(node.getLocalEndpoint()).setTerm(state.term())
                    .setLastLogIndex(prev + request.getLogEntries().size())
                    .setQuerySequenceNumber(request.getQuerySequenceNumber())
                    .setFlowControlSequenceNumber(request.getFlowControlSequenceNumber()).build();
                node.send(request.getSender(), ok);
                return null;
            }
            return request;
        }
        // the longest prefix of our entries after the snapshot that the leader's entries confirm
        long agreed = snapshot;
        int agreedTerm = snapshotTerm;
        for (final LogEntry e : rest)
        {
            if (e.getIndex() > last)
            {
                break;
            }
            final LogEntry local = log.getLogEntry(e.getIndex());
            if (local == null || local.getTerm() != e.getTerm())
            {
                break;
            }
            agreed = e.getIndex();
            agreedTerm = e.getTerm();
        }
        final List<LogEntry> after = new ArrayList<>();
        for (final LogEntry e : rest)
        {
            if (e.getIndex() > agreed)
            {
                after.add(e);
            }
        }
        if (agreed == snapshot && last > snapshot)
        {
            // the leader's entry S+1 differs from ours: ours are uncommitted; drop them as MicroRaft would
            final List<LogEntry> doomed = new ArrayList<>();
            for (long i = snapshot + 1; i <= last; i++)
            {
                doomed.add(log.getLogEntry(i));
            }
            for (final LogEntry e : doomed)
            {
                if (e == null || e.getOperation() instanceof RaftGroupOp)
                {
                    // membership changes need MicroRaft's own revert: not used by the controller
                    return request;
                }
            }
            log.truncateEntriesFrom(snapshot + 1);
            state.invalidateFuturesFrom(snapshot + 1, node.newNotLeaderException());
            log.flush();
            LOG.log(System.Logger.Level.INFO, "{0} truncated {1} conflicting entries after its snapshot at {2}", node.getLocalEndpoint(),
                doomed.size(), snapshot);
        }
        fixes++;
        return anchored(request, agreed, agreedTerm, after);
    }

    private AppendEntriesRequest anchored(final AppendEntriesRequest request, final long prev, final int prevTerm, final List<LogEntry> entries)
    {
        return node.getModelFactory().createAppendEntriesRequestBuilder().setGroupId(request.getGroupId()).setSender(request.getSender())
            .setTerm(request.getTerm()).setPreviousLogIndex(prev).setPreviousLogTerm(prevTerm).setCommitIndex(request.getCommitIndex())
            .setLogEntries(entries).setQuerySequenceNumber(request.getQuerySequenceNumber())
            .setFlowControlSequenceNumber(request.getFlowControlSequenceNumber()).build();
    }
}
