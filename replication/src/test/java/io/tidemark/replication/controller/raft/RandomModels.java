package io.tidemark.replication.controller.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.microraft.MembershipChangeMode;
import io.microraft.RaftEndpoint;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.message.RaftMessage;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.replication.controller.TopicInfo;

/**
 * Seeded random instances of every Raft message, model object, controller operation and result.
 */
final class RandomModels
{
    static final RaftModelFactory F = new DefaultRaftModelFactory();
    static final int MESSAGE_TYPES = 10;

    private final Random r;

    RandomModels(final long seed)
    {
        r = new Random(seed);
    }

    Random random()
    {
        return r;
    }

    String string()
    {
        final int n = r.nextInt(12);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            // mostly ASCII, sometimes beyond the BMP
            sb.appendCodePoint(r.nextInt(10) == 0 ? 0x1F600 + r.nextInt(50) : 'a' + r.nextInt(26));
        }
        return sb.toString();
    }

    String topic()
    {
        return "t" + Integer.toString(r.nextInt(1 << 20), 36) + (r.nextBoolean() ? "." + r.nextInt(9) : "_x-" + r.nextInt(9));
    }

    QuorumEndpoint endpoint()
    {
        return new QuorumEndpoint(r.nextInt(7), r.nextInt(4) == 0 ? r.nextInt(1000) : 0);
    }

    List<RaftEndpoint> endpoints()
    {
        final List<RaftEndpoint> list = new ArrayList<>();
        final int n = r.nextInt(5);
        for (int i = 0; i < n; i++)
        {
            list.add(endpoint());
        }
        return list;
    }

    RaftGroupMembersView view()
    {
        return F.createRaftGroupMembersViewBuilder().setLogIndex(r.nextInt(1000)).setMembers(endpoints()).setVotingMembers(endpoints())
            .build();
    }

    List<Integer> ints()
    {
        final List<Integer> list = new ArrayList<>();
        final int n = r.nextInt(5);
        for (int i = 0; i < n; i++)
        {
            list.add(r.nextInt(100));
        }
        return list;
    }

    Map<String, String> strMap()
    {
        final Map<String, String> map = new HashMap<>();
        final int n = r.nextInt(4);
        for (int i = 0; i < n; i++)
        {
            map.put(string() + i, string());
        }
        return map;
    }

    ControllerOp.RequestId id()
    {
        return r.nextInt(5) == 0 ? ControllerOp.RequestId.NONE : new ControllerOp.RequestId(r.nextLong(), r.nextInt(1000), r.nextInt(1000));
    }

    BrokerInfo broker()
    {
        return new BrokerInfo(r.nextInt(10), r.nextInt(1000), new UUID(r.nextLong(), r.nextLong()), string(), r.nextInt(65536),
            r.nextBoolean() ? null : string(), r.nextBoolean(), strMap());
    }

    /** Operation types {@link #op(int)} makes. */
    static final int OP_KINDS = 13;

    /** Every operation type in turn, by {@code kind} modulo {@link #OP_KINDS}. */
    ControllerOp op(final int kind)
    {
        return switch (Math.floorMod(kind, OP_KINDS))
        {
            case 0 -> new ControllerOp.NewTerm(r.nextInt(5), r.nextInt(100), strMap(), 1 + r.nextInt(10), (short)(1 + r.nextInt(3)),
                64 + r.nextInt(100_000));
            case 1 ->
            {
                List<List<Integer>> assignment = null;
                if (r.nextBoolean())
                {
                    assignment = new ArrayList<>();
                    final int n = r.nextInt(4);
                    for (int i = 0; i < n; i++)
                    {
                        assignment.add(ints());
                    }
                }
                yield new ControllerOp.CreateTopic(id(), topic(), new UUID(r.nextLong(), r.nextLong()), r.nextInt(20) - 1,
                    (short)(r.nextInt(5) - 1), assignment, strMap());
            }
            case 2 -> new ControllerOp.DeleteTopic(id(), topic());
            case 3 -> new ControllerOp.CreatePartitions(id(), topic(), r.nextInt(100));
            case 4 ->
            {
                final Map<String, String> changes = new HashMap<>();
                final int n = r.nextInt(4);
                for (int i = 0; i < n; i++)
                {
                    changes.put(string() + i, r.nextBoolean() ? null : string());
                }
                yield new ControllerOp.AlterConfigs(id(), topic(), changes);
            }
            case 5 ->
            {
                final Map<TopicPartition, ReplicaLogSummary> summaries = new HashMap<>();
                final int n = r.nextInt(3);
                for (int i = 0; i < n; i++)
                {
                    summaries.put(new TopicPartition(topic(), r.nextInt(5)), summary());
                }
                yield new ControllerOp.RegisterBroker(id(), broker(), r.nextBoolean(), summaries);
            }
            case 6 -> new ControllerOp.FenceBroker(r.nextInt(10), r.nextLong());
            case 7 -> new ControllerOp.UnfenceBroker(r.nextInt(10), r.nextLong());
            case 8 ->
            {
                final Map<Integer, Long> epochs = new HashMap<>();
                for (final int b : ints())
                {
                    epochs.put(b, r.nextLong());
                }
                yield new ControllerOp.AlterPartition(id(), topic(), r.nextInt(10), r.nextInt(10), r.nextInt(50), r.nextInt(50), ints(),
                    epochs);
            }
            case 9 -> new ControllerOp.ControlledShutdown(id(), r.nextInt(10), r.nextLong());
            case 10 ->
            {
                final Map<String, List<Integer>> partitions = new HashMap<>();
                final int n = r.nextInt(3);
                for (int i = 0; i < n; i++)
                {
                    partitions.put(topic(), ints());
                }
                yield new ControllerOp.ElectLeaders(id(), r.nextBoolean(), partitions);
            }
            case 11 -> new ControllerOp.AllocateProducerIds(id(), r.nextInt(10), r.nextLong());
            default ->
            {
                final int inner = 1 + r.nextInt(10);
                yield new ControllerOp.Validate(id(), op(inner));
            }
        };
    }

    /** An operation that may be a log entry (not a query). */
    ControllerOp logOp()
    {
        return op(r.nextInt(OP_KINDS - 1));
    }

    ReplicaLogSummary summary()
    {
        return new ReplicaLogSummary(r.nextInt(10), r.nextInt(50) - 1, r.nextInt(100_000));
    }

    PartitionInfo partition(final int p)
    {
        final List<ReplicaLogSummary> recovery = new ArrayList<>();
        final int n = r.nextInt(3);
        for (int i = 0; i < n; i++)
        {
            recovery.add(summary());
        }
        return new PartitionInfo(p, ints(), ints(), r.nextInt(10) - 1, r.nextInt(100), r.nextInt(100), ints(), recovery);
    }

    TopicInfo topicInfo()
    {
        final List<PartitionInfo> partitions = new ArrayList<>();
        final int n = r.nextInt(4);
        for (int i = 0; i < n; i++)
        {
            partitions.add(partition(i));
        }
        return new TopicInfo(topic(), new UUID(r.nextLong(), r.nextLong()), strMap(), partitions);
    }

    ControllerResult result()
    {
        return switch (r.nextInt(8))
        {
            case 0 -> ControllerResult.OK;
            case 7 -> new ControllerResult.Ok(new ProducerIdBlock(r.nextInt(10), r.nextInt(1 << 30) * 1000L, 1 + r.nextInt(1000)));
            case 1 -> new ControllerResult.Ok(r.nextLong());
            case 2 -> new ControllerResult.Ok(topicInfo());
            case 3 -> new ControllerResult.Ok(partition(r.nextInt(10)));
            case 4 ->
            {
                final List<TopicPartition> tps = new ArrayList<>();
                final int n = r.nextInt(4);
                for (int i = 0; i < n; i++)
                {
                    tps.add(new TopicPartition(topic(), r.nextInt(10)));
                }
                yield new ControllerResult.Ok(List.copyOf(tps));
            }
            case 5 -> new ControllerResult.Refused(ControllerException.Reason.values()[r.nextInt(ControllerException.Reason.values().length)],
                r.nextBoolean() ? null : string());
            default -> new ControllerResult.Retry(r.nextInt(5) - 1, string());
        };
    }

    Object payload()
    {
        return switch (r.nextInt(4))
        {
            case 0 -> F.createUpdateRaftGroupMembersOpBuilder().setMembers(endpoints()).setVotingMembers(endpoints()).setEndpoint(endpoint())
                .setMode(MembershipChangeMode.values()[r.nextInt(MembershipChangeMode.values().length)]).build();
            default -> logOp();
        };
    }

    LogEntry entry()
    {
        return F.createLogEntryBuilder().setIndex(1 + r.nextInt(10_000)).setTerm(r.nextInt(100)).setOperation(payload()).build();
    }

    SnapshotChunk chunk()
    {
        final byte[] bytes = new byte[r.nextInt(300)];
        r.nextBytes(bytes);
        final int count = 1 + r.nextInt(5);
        return F.createSnapshotChunkBuilder().setIndex(1 + r.nextInt(10_000)).setTerm(r.nextInt(100)).setOperation(new SnapshotChunkBytes(bytes))
            .setSnapshotChunkIndex(r.nextInt(count)).setSnapshotChunkCount(count).setGroupMembersView(view()).build();
    }

    /** A message of type {@code type} in 1..10. */
    RaftMessage message(final int type)
    {
        final String group = "controller@" + string();
        final QuorumEndpoint sender = endpoint();
        final int term = r.nextInt(1000);
        return switch (type)
        {
            case 1 ->
            {
                final List<LogEntry> entries = new ArrayList<>();
                final int n = r.nextInt(4);
                for (int i = 0; i < n; i++)
                {
                    entries.add(entry());
                }
                yield F.createAppendEntriesRequestBuilder().setGroupId(group).setSender(sender).setTerm(term).setPreviousLogTerm(r.nextInt(100))
                    .setPreviousLogIndex(r.nextInt(10_000)).setCommitIndex(r.nextInt(10_000)).setLogEntries(entries)
                    .setQuerySequenceNumber(r.nextInt(100)).setFlowControlSequenceNumber(r.nextInt(100)).build();
            }
            case 2 -> F.createAppendEntriesSuccessResponseBuilder().setGroupId(group).setSender(sender).setTerm(term)
                .setLastLogIndex(r.nextInt(10_000)).setQuerySequenceNumber(r.nextInt(100)).setFlowControlSequenceNumber(r.nextInt(100)).build();
            case 3 -> F.createAppendEntriesFailureResponseBuilder().setGroupId(group).setSender(sender).setTerm(term)
                .setExpectedNextIndex(r.nextInt(10_000)).setQuerySequenceNumber(r.nextInt(100)).setFlowControlSequenceNumber(r.nextInt(100))
                .build();
            case 4 -> F.createInstallSnapshotRequestBuilder().setGroupId(group).setSender(sender).setTerm(term).setSenderLeader(r.nextBoolean())
                .setSnapshotTerm(r.nextInt(100)).setSnapshotIndex(r.nextInt(10_000)).setTotalSnapshotChunkCount(r.nextInt(5))
                .setSnapshotChunk(r.nextBoolean() ? chunk() : null).setSnapshottedMembers(endpoints()).setGroupMembersView(view())
                .setQuerySequenceNumber(r.nextInt(100)).setFlowControlSequenceNumber(r.nextInt(100)).build();
            case 5 -> F.createInstallSnapshotResponseBuilder().setGroupId(group).setSender(sender).setTerm(term).setSnapshotIndex(r.nextInt(10_000))
                .setRequestedSnapshotChunkIndex(r.nextInt(5)).setQuerySequenceNumber(r.nextInt(100)).setFlowControlSequenceNumber(r.nextInt(100))
                .build();
            case 6 -> F.createPreVoteRequestBuilder().setGroupId(group).setSender(sender).setTerm(term).setLastLogTerm(r.nextInt(100))
                .setLastLogIndex(r.nextInt(10_000)).build();
            case 7 -> F.createPreVoteResponseBuilder().setGroupId(group).setSender(sender).setTerm(term).setGranted(r.nextBoolean()).build();
            case 8 -> F.createTriggerLeaderElectionRequestBuilder().setGroupId(group).setSender(sender).setTerm(term).setLastLogTerm(r.nextInt(100))
                .setLastLogIndex(r.nextInt(10_000)).build();
            case 9 -> F.createVoteRequestBuilder().setGroupId(group).setSender(sender).setTerm(term).setLastLogTerm(r.nextInt(100))
                .setLastLogIndex(r.nextInt(10_000)).setSticky(r.nextBoolean()).build();
            default -> F.createVoteResponseBuilder().setGroupId(group).setSender(sender).setTerm(term).setGranted(r.nextBoolean()).build();
        };
    }
}
