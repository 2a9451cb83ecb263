package io.tidemark.replication.controller.raft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.microraft.MembershipChangeMode;
import io.microraft.RaftEndpoint;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.groupop.UpdateRaftGroupMembersOp;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.message.AppendEntriesFailureResponse;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.AppendEntriesSuccessResponse;
import io.microraft.model.message.InstallSnapshotRequest;
import io.microraft.model.message.InstallSnapshotResponse;
import io.microraft.model.message.PreVoteRequest;
import io.microraft.model.message.PreVoteResponse;
import io.microraft.model.message.RaftMessage;
import io.microraft.model.message.TriggerLeaderElectionRequest;
import io.microraft.model.message.VoteRequest;
import io.microraft.model.message.VoteResponse;

/**
 * Binary form of MicroRaft's ten message types and the model objects inside them (no Java
 * serialization). Big-endian; collections keep MicroRaft's order.
 *
 * <pre>
 *  message   := u8 type, str groupId, endpoint sender, i32 term, fields
 *    1 AppendEntriesRequest          i32 prevLogTerm, i64 prevLogIndex, i64 commitIndex, i32 n, entry*n, i64 querySeq, i64 flowSeq
 *    2 AppendEntriesSuccessResponse  i64 lastLogIndex, i64 querySeq, i64 flowSeq
 *    3 AppendEntriesFailureResponse  i64 expectedNextIndex, i64 querySeq, i64 flowSeq
 *    4 InstallSnapshotRequest        bool senderLeader, i32 snapshotTerm, i64 snapshotIndex, i32 chunkCount,
 *                                    bool hasChunk, [chunk], endpoints snapshottedMembers, view, i64 querySeq, i64 flowSeq
 *    5 InstallSnapshotResponse       i64 snapshotIndex, i32 requestedChunkIndex, i64 querySeq, i64 flowSeq
 *    6 PreVoteRequest                i32 lastLogTerm, i64 lastLogIndex
 *    7 PreVoteResponse               bool granted
 *    8 TriggerLeaderElectionRequest  i32 lastLogTerm, i64 lastLogIndex
 *    9 VoteRequest                   i32 lastLogTerm, i64 lastLogIndex, bool sticky
 *   10 VoteResponse                  bool granted
 *  endpoint  := i32 nodeId, i64 incarnation            endpoints := i32 n, endpoint*n
 *  view      := i64 logIndex, endpoints members, endpoints votingMembers
 *  entry     := i64 index, i32 term, payload
 *  chunk     := i64 index, i32 term, payload, i32 chunkIndex, i32 chunkCount, view
 *  payload   := u8 kind: 1 op ({@link ControllerCodec}) | 2 membership change: endpoints members,
 *               endpoints voting, endpoint, u8 mode | 3 snapshot chunk bytes: i32 n, bytes
 * </pre>
 */
final class RaftMessageCodec
{
    /** Largest snapshot chunk accepted when decoding. */
    static final int MAX_CHUNK_BYTES = 64 * 1024 * 1024;
    /** Largest member list accepted when decoding. */
    static final int MAX_MEMBERS = 64;

    static final RaftModelFactory MODELS = new DefaultRaftModelFactory();

    private RaftMessageCodec()
    {
    }

    /**
     * @param message a MicroRaft message.
     * @return its bytes.
     */
    static byte[] encode(final RaftMessage message)
    {
        final WireWriter w = new WireWriter(message instanceof AppendEntriesRequest || message instanceof InstallSnapshotRequest ? 1024 : 64);
        write(w, message);
        return w.toByteArray();
    }

    /**
     * @param bytes a message's bytes.
     * @return the message.
     * @throws CodecException if they are not one.
     */
    static RaftMessage decode(final byte[] bytes)
    {
        return ControllerCodec.decode(new WireReader(bytes, "raft message"), RaftMessageCodec::read);
    }

    static void write(final WireWriter w, final RaftMessage m)
    {
        final int type;
        if (m instanceof AppendEntriesRequest)
        {
            type = 1;
        }
        else if (m instanceof AppendEntriesSuccessResponse)
        {
            type = 2;
        }
        else if (m instanceof AppendEntriesFailureResponse)
        {
            type = 3;
        }
        else if (m instanceof InstallSnapshotRequest)
        {
            type = 4;
        }
        else if (m instanceof InstallSnapshotResponse)
        {
            type = 5;
        }
        else if (m instanceof PreVoteRequest)
        {
            type = 6;
        }
        else if (m instanceof PreVoteResponse)
        {
            type = 7;
        }
        else if (m instanceof TriggerLeaderElectionRequest)
        {
            type = 8;
        }
        else if (m instanceof VoteRequest)
        {
            type = 9;
        }
        else if (m instanceof VoteResponse)
        {
            type = 10;
        }
        else
        {
            throw new IllegalArgumentException("unknown raft message " + m.getClass());
        }
        w.u8(type).string(String.valueOf(m.getGroupId()));
        writeEndpoint(w, m.getSender());
        w.i32(m.getTerm());
        switch (type)
        {
            case 1 ->
            {
                final AppendEntriesRequest r = (AppendEntriesRequest)m;
                w.i32(r.getPreviousLogTerm()).i64(r.getPreviousLogIndex()).i64(r.getCommitIndex()).i32(r.getLogEntries().size());
                for (final LogEntry e : r.getLogEntries())
                {
                    writeEntry(w, e);
                }
                w.i64(r.getQuerySequenceNumber()).i64(r.getFlowControlSequenceNumber());
            }
            case 2 ->
            {
                final AppendEntriesSuccessResponse r = (AppendEntriesSuccessResponse)m;
                w.i64(r.getLastLogIndex()).i64(r.getQuerySequenceNumber()).i64(r.getFlowControlSequenceNumber());
            }
            case 3 ->
            {
                final AppendEntriesFailureResponse r = (AppendEntriesFailureResponse)m;
                w.i64(r.getExpectedNextIndex()).i64(r.getQuerySequenceNumber()).i64(r.getFlowControlSequenceNumber());
            }
            case 4 ->
            {
                final InstallSnapshotRequest r = (InstallSnapshotRequest)m;
                w.bool(r.isSenderLeader()).i32(r.getSnapshotTerm()).i64(r.getSnapshotIndex()).i32(r.getTotalSnapshotChunkCount())
                    .bool(r.getSnapshotChunk() != null);
                if (r.getSnapshotChunk() != null)
                {
                    writeChunk(w, r.getSnapshotChunk());
                }
                writeEndpoints(w, r.getSnapshottedMembers());
                writeView(w, r.getGroupMembersView());
                w.i64(r.getQuerySequenceNumber()).i64(r.getFlowControlSequenceNumber());
            }
            case 5 ->
            {
                final InstallSnapshotResponse r = (InstallSnapshotResponse)m;
                w.i64(r.getSnapshotIndex()).i32(r.getRequestedSnapshotChunkIndex()).i64(r.getQuerySequenceNumber())
                    .i64(r.getFlowControlSequenceNumber());
            }
            case 6 ->
            {
                final PreVoteRequest r = (PreVoteRequest)m;
                w.i32(r.getLastLogTerm()).i64(r.getLastLogIndex());
            }
            case 7 -> w.bool(((PreVoteResponse)m).isGranted());
            case 8 ->
            {
                final TriggerLeaderElectionRequest r = (TriggerLeaderElectionRequest)m;
                w.i32(r.getLastLogTerm()).i64(r.getLastLogIndex());
            }
            case 9 ->
            {
                final VoteRequest r = (VoteRequest)m;
                w.i32(r.getLastLogTerm()).i64(r.getLastLogIndex()).bool(r.isSticky());
            }
            default -> w.bool(((VoteResponse)m).isGranted());
        }
    }

    static RaftMessage read(final WireReader r)
    {
        final int type = r.u8("message type");
        if (type < 1 || type > 10)
        {
            throw r.error("unknown raft message type " + type);
        }
        final String groupId = r.nonNullString("groupId");
        final RaftEndpoint sender = readEndpoint(r);
        final int term = r.i32("term", 0, Integer.MAX_VALUE);
        return switch (type)
        {
            case 1 ->
            {
                final var b = MODELS.createAppendEntriesRequestBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                    .setPreviousLogTerm(r.i32("previousLogTerm", 0, Integer.MAX_VALUE))
                    .setPreviousLogIndex(r.i64("previousLogIndex", 0, Long.MAX_VALUE))
                    .setCommitIndex(r.i64("commitIndex", 0, Long.MAX_VALUE));
                final int n = r.count("logEntries", 13);
                final List<LogEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++)
                {
                    entries.add(readEntry(r));
                }
                yield b.setLogEntries(entries).setQuerySequenceNumber(r.i64("querySequenceNumber"))
                    .setFlowControlSequenceNumber(r.i64("flowControlSequenceNumber")).build();
            }
            case 2 -> MODELS.createAppendEntriesSuccessResponseBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setLastLogIndex(r.i64("lastLogIndex", 0, Long.MAX_VALUE)).setQuerySequenceNumber(r.i64("querySequenceNumber"))
                .setFlowControlSequenceNumber(r.i64("flowControlSequenceNumber")).build();
            case 3 -> MODELS.createAppendEntriesFailureResponseBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setExpectedNextIndex(r.i64("expectedNextIndex", 0, Long.MAX_VALUE)).setQuerySequenceNumber(r.i64("querySequenceNumber"))
                .setFlowControlSequenceNumber(r.i64("flowControlSequenceNumber")).build();
            case 4 ->
            {
                final var b = MODELS.createInstallSnapshotRequestBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                    .setSenderLeader(r.bool("senderLeader")).setSnapshotTerm(r.i32("snapshotTerm", 0, Integer.MAX_VALUE))
                    .setSnapshotIndex(r.i64("snapshotIndex", 0, Long.MAX_VALUE))
                    .setTotalSnapshotChunkCount(r.i32("totalSnapshotChunkCount", 0, Integer.MAX_VALUE));
                b.setSnapshotChunk(r.bool("hasSnapshotChunk") ? readChunk(r) : null);
                yield b.setSnapshottedMembers(readEndpoints(r, "snapshottedMembers")).setGroupMembersView(readView(r))
                    .setQuerySequenceNumber(r.i64("querySequenceNumber")).setFlowControlSequenceNumber(r.i64("flowControlSequenceNumber"))
                    .build();
            }
            case 5 -> MODELS.createInstallSnapshotResponseBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setSnapshotIndex(r.i64("snapshotIndex", 0, Long.MAX_VALUE))
                .setRequestedSnapshotChunkIndex(r.i32("requestedSnapshotChunkIndex"))
                .setQuerySequenceNumber(r.i64("querySequenceNumber")).setFlowControlSequenceNumber(r.i64("flowControlSequenceNumber"))
                .build();
            case 6 -> MODELS.createPreVoteRequestBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setLastLogTerm(r.i32("lastLogTerm", 0, Integer.MAX_VALUE)).setLastLogIndex(r.i64("lastLogIndex", 0, Long.MAX_VALUE)).build();
            case 7 -> MODELS.createPreVoteResponseBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setGranted(r.bool("granted")).build();
            case 8 -> MODELS.createTriggerLeaderElectionRequestBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setLastLogTerm(r.i32("lastLogTerm", 0, Integer.MAX_VALUE)).setLastLogIndex(r.i64("lastLogIndex", 0, Long.MAX_VALUE)).build();
            case 9 -> MODELS.createVoteRequestBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setLastLogTerm(r.i32("lastLogTerm", 0, Integer.MAX_VALUE)).setLastLogIndex(r.i64("lastLogIndex", 0, Long.MAX_VALUE))
                .setSticky(r.bool("sticky")).build();
            default -> MODELS.createVoteResponseBuilder().setGroupId(groupId).setSender(sender).setTerm(term)
                .setGranted(r.bool("granted")).build();
        };
    }

    // ---------------------------------------------------------------------------------------------
    // model objects (also used by the store)
    // ---------------------------------------------------------------------------------------------

    static void writeEndpoint(final WireWriter w, final RaftEndpoint e)
    {
        final QuorumEndpoint q = (QuorumEndpoint)e;
        w.i32(q.nodeId()).i64(q.incarnation());
    }

    static QuorumEndpoint readEndpoint(final WireReader r)
    {
        return new QuorumEndpoint(r.i32("nodeId", 0, Integer.MAX_VALUE), r.i64("incarnation", 0, Long.MAX_VALUE));
    }

    static void writeEndpoints(final WireWriter w, final Collection<RaftEndpoint> endpoints)
    {
        w.i32(endpoints.size());
        for (final RaftEndpoint e : endpoints)
        {
            writeEndpoint(w, e);
        }
    }

    static List<RaftEndpoint> readEndpoints(final WireReader r, final String field)
    {
        final int n = r.count(field, 12);
        if (n > MAX_MEMBERS)
        {
            throw r.error(field + " lists " + n + " endpoints (at most " + MAX_MEMBERS + ")");
        }
        final List<RaftEndpoint> endpoints = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            endpoints.add(readEndpoint(r));
        }
        return endpoints;
    }

    static void writeView(final WireWriter w, final RaftGroupMembersView v)
    {
        w.i64(v.getLogIndex());
        writeEndpoints(w, v.getMembers());
        writeEndpoints(w, v.getVotingMembers());
    }

    static RaftGroupMembersView readView(final WireReader r)
    {
        return MODELS.createRaftGroupMembersViewBuilder().setLogIndex(r.i64("view logIndex", 0, Long.MAX_VALUE))
            .setMembers(readEndpoints(r, "members")).setVotingMembers(readEndpoints(r, "votingMembers")).build();
    }

    static void writeEntry(final WireWriter w, final LogEntry e)
    {
        w.i64(e.getIndex()).i32(e.getTerm());
        writePayload(w, e.getOperation());
    }

    static LogEntry readEntry(final WireReader r)
    {
        return MODELS.createLogEntryBuilder().setIndex(r.i64("entry index", 1, Long.MAX_VALUE)).setTerm(r.i32("entry term", 0, Integer.MAX_VALUE))
            .setOperation(readPayload(r)).build();
    }

    static void writeChunk(final WireWriter w, final SnapshotChunk c)
    {
        w.i64(c.getIndex()).i32(c.getTerm());
        writePayload(w, c.getOperation());
        w.i32(c.getSnapshotChunkIndex()).i32(c.getSnapshotChunkCount());
        writeView(w, c.getGroupMembersView());
    }

    static SnapshotChunk readChunk(final WireReader r)
    {
        final long index = r.i64("chunk snapshot index", 1, Long.MAX_VALUE);
        final int term = r.i32("chunk term", 0, Integer.MAX_VALUE);
        final Object payload = readPayload(r);
        if (!(payload instanceof SnapshotChunkBytes))
        {
            throw r.error("a snapshot chunk must carry snapshot bytes, not " + payload.getClass().getSimpleName());
        }
        final int chunkIndex = r.i32("chunk index", 0, Integer.MAX_VALUE - 1);
        final int chunkCount = r.i32("chunk count", 1, Integer.MAX_VALUE);
        if (chunkIndex >= chunkCount)
        {
            throw r.error("chunk index " + chunkIndex + " is not below the chunk count " + chunkCount);
        }
        return MODELS.createSnapshotChunkBuilder().setIndex(index).setTerm(term).setOperation(payload).setSnapshotChunkIndex(chunkIndex)
            .setSnapshotChunkCount(chunkCount).setGroupMembersView(readView(r)).build();
    }

    static void writePayload(final WireWriter w, final Object payload)
    {
        if (payload instanceof ControllerOp op)
        {
            w.u8(1);
            ControllerCodec.writeOp(w, op);
        }
        else if (payload instanceof UpdateRaftGroupMembersOp u)
        {
            w.u8(2);
            writeEndpoints(w, u.getMembers());
            writeEndpoints(w, u.getVotingMembers());
            writeEndpoint(w, u.getEndpoint());
            w.u8(u.getMode().ordinal());
        }
        else if (payload instanceof SnapshotChunkBytes s)
        {
            w.u8(3).bytes(s.bytes());
        }
        else
        {
            throw new IllegalArgumentException("cannot encode log payload " + payload);
        }
    }

    static Object readPayload(final WireReader r)
    {
        final int kind = r.u8("payload kind");
        return switch (kind)
        {
            case 1 ->
            {
                final ControllerOp op = ControllerCodec.readOp(r);
                if (op instanceof ControllerOp.Validate)
                {
                    throw r.error("a query cannot be a log entry");
                }
                yield op;
            }
            case 2 ->
            {
                final List<RaftEndpoint> members = readEndpoints(r, "members");
                final List<RaftEndpoint> voting = readEndpoints(r, "votingMembers");
                final RaftEndpoint endpoint = readEndpoint(r);
                final int mode = r.u8("membership change mode");
                if (mode >= MembershipChangeMode.values().length)
                {
                    throw r.error("unknown membership change mode " + mode);
                }
                yield MODELS.createUpdateRaftGroupMembersOpBuilder().setMembers(members).setVotingMembers(voting).setEndpoint(endpoint)
                    .setMode(MembershipChangeMode.values()[mode]).build();
            }
            case 3 -> new SnapshotChunkBytes(r.bytes("snapshot chunk", MAX_CHUNK_BYTES));
            default -> throw r.error("unknown payload kind " + kind);
        };
    }
}
