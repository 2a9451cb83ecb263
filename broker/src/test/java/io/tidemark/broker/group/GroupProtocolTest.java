package io.tidemark.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.tidemark.broker.Broker;
import io.tidemark.broker.RawKafkaClient;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic group protocol on the wire, request by request: MEMBER_ID_REQUIRED on a first join,
 * generations fencing stale members (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS), static
 * members replaced without a rebalance and the old instance fenced (FENCED_INSTANCE_ID), batched
 * FindCoordinator and LeaveGroup, multi-group OffsetFetch, DescribeGroups and DeleteGroups.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class GroupProtocolTest
{
    private static final short JOIN_V = 5;
    private static final short SYNC_V = 3;
    private static final short HEARTBEAT_V = 3;

    @TempDir
    Path dir;

    private static JoinGroupRequestData join(final String group, final String memberId, final String instanceId)
    {
        final JoinGroupRequestData d = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
            .setSessionTimeoutMs(30_000).setRebalanceTimeoutMs(30_000).setProtocolType("consumer");
        d.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
            .setMetadata("sub".getBytes(StandardCharsets.UTF_8)));
        return d;
    }

    private static JoinGroupResponseData callJoin(final RawKafkaClient c, final JoinGroupRequestData d) throws Exception
    {
        return (JoinGroupResponseData)c.call(ApiKeys.JOIN_GROUP, JOIN_V, d);
    }

    private static SyncGroupResponseData sync(final RawKafkaClient c, final String group, final int generation, final String memberId,
        final String instanceId, final String... assignedTo) throws Exception
    {
        final SyncGroupRequestData d = new SyncGroupRequestData().setGroupId(group).setGenerationId(generation).setMemberId(memberId)
            .setGroupInstanceId(instanceId);
        for (final String m : assignedTo)
        {
            d.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(m)
                .setAssignment(("for " + m).getBytes(StandardCharsets.UTF_8)));
        }
        return (SyncGroupResponseData)c.call(ApiKeys.SYNC_GROUP, SYNC_V, d);
    }

    private static Errors heartbeat(final RawKafkaClient c, final String group, final int generation, final String memberId,
        final String instanceId) throws Exception
    {
        return Errors.forCode(((HeartbeatResponseData)c.call(ApiKeys.HEARTBEAT, HEARTBEAT_V, new HeartbeatRequestData().setGroupId(group)
            .setGenerationId(generation).setMemberId(memberId).setGroupInstanceId(instanceId))).errorCode());
    }

    @Test
    void shouldFindCoordinatorsOneAtATimeAndBatched() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir); RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final FindCoordinatorResponseData batched = (FindCoordinatorResponseData)c.call(ApiKeys.FIND_COORDINATOR, (short)4,
                new FindCoordinatorRequestData().setKeyType((byte)0).setCoordinatorKeys(List.of("a", "b", "")));
            assertEquals(3, batched.coordinators().size());
            for (final FindCoordinatorResponseData.Coordinator co : batched.coordinators().subList(0, 2))
            {
                assertEquals(Errors.NONE.code(), co.errorCode(), co.toString());
                assertEquals(broker.config().nodeId(), co.nodeId());
                assertEquals(broker.port(), co.port());
            }
            assertEquals(Errors.INVALID_REQUEST.code(), batched.coordinators().get(2).errorCode());
            final FindCoordinatorResponseData single = (FindCoordinatorResponseData)c.call(ApiKeys.FIND_COORDINATOR, (short)0,
                new FindCoordinatorRequestData().setKey("a"));
            assertEquals(Errors.NONE.code(), single.errorCode());
            assertEquals(broker.port(), single.port());
            assertEquals(3, broker.controller().image().topics().get(GroupCoordinator.OFFSETS_TOPIC).partitions().size(),
                "created on first use with offsets.topic.num.partitions");
            assertEquals(1, broker.controller().image().topics().get(GroupCoordinator.OFFSETS_TOPIC).partitions().get(0).replicas().size(),
                "replication factor min(3, one live broker)");
        }
    }

    @Test
    void shouldFenceStaleGenerationsAndUnknownMembers() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir); RawKafkaClient a = new RawKafkaClient(broker.port());
            RawKafkaClient b = new RawKafkaClient(broker.port()))
        {
            a.call(ApiKeys.FIND_COORDINATOR, (short)4, new FindCoordinatorRequestData().setCoordinatorKeys(List.of("g1")));
            awaitLoaded(a, "g1");
            final JoinGroupResponseData required = callJoin(a, join("g1", "", null));
            assertEquals(Errors.MEMBER_ID_REQUIRED.code(), required.errorCode());
            final String m1 = required.memberId();
            assertTrue(m1.startsWith("raw-test-"), m1);
            final JoinGroupResponseData joined = callJoin(a, join("g1", m1, null));
            assertEquals(Errors.NONE.code(), joined.errorCode());
            assertEquals(1, joined.generationId());
            assertEquals(m1, joined.leader());
            assertEquals(1, joined.members().size());
            assertEquals("range", joined.protocolName());
            final SyncGroupResponseData synced = sync(a, "g1", 1, m1, null, m1);
            assertEquals(Errors.NONE.code(), synced.errorCode());
            assertEquals("for " + m1, new String(synced.assignment(), StandardCharsets.UTF_8));
            assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(a, "g1", 0, m1, null));
            assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(a, "g1", 1, "nobody", null));
            assertEquals(Errors.NONE, heartbeat(a, "g1", 1, m1, null));

            // a second member: the group rebalances; the first hears it in its heartbeat
            final String m2 = callJoin(b, join("g1", "", null)).memberId();
            b.send(ApiKeys.JOIN_GROUP, JOIN_V, join("g1", m2, null));
            Await.await("the first member hears of the rebalance in its heartbeat", Duration.ofSeconds(30),
                () -> heartbeatUnchecked(a, "g1", 1, m1) == Errors.REBALANCE_IN_PROGRESS);
            final OffsetCommitResponseData commit = (OffsetCommitResponseData)a.call(ApiKeys.OFFSET_COMMIT, (short)8,
                commit("g1", 1, m1, 7));
            assertEquals(Errors.NONE.code(), commit.topics().get(0).partitions().get(0).errorCode(),
                "members of the current generation may commit while the group prepares a rebalance");
            final JoinGroupResponseData rejoined = callJoin(a, join("g1", m1, null));
            final JoinGroupResponseData second = (JoinGroupResponseData)b.receive(ApiKeys.JOIN_GROUP, JOIN_V).body();
            assertEquals(2, rejoined.generationId());
            assertEquals(2, second.generationId());
            assertEquals(m1, rejoined.leader(), "the leader stays");
            assertEquals(2, rejoined.members().size());
            assertEquals(0, second.members().size(), "only the leader gets the members");
            assertEquals(Errors.ILLEGAL_GENERATION.code(), sync(b, "g1", 1, m2, null).errorCode());
            final OffsetCommitResponseData stale = (OffsetCommitResponseData)a.call(ApiKeys.OFFSET_COMMIT, (short)8, commit("g1", 1, m1, 9));
            assertEquals(Errors.ILLEGAL_GENERATION.code(), stale.topics().get(0).partitions().get(0).errorCode());
            b.send(ApiKeys.SYNC_GROUP, SYNC_V, new SyncGroupRequestData().setGroupId("g1").setGenerationId(2).setMemberId(m2));
            assertEquals(Errors.NONE.code(), sync(a, "g1", 2, m1, null, m1, m2).errorCode());
            final SyncGroupResponseData followerSync = (SyncGroupResponseData)b.receive(ApiKeys.SYNC_GROUP, SYNC_V).body();
            assertEquals("for " + m2, new String(followerSync.assignment(), StandardCharsets.UTF_8));

            final DescribeGroupsResponseData described = (DescribeGroupsResponseData)a.call(ApiKeys.DESCRIBE_GROUPS, (short)5,
                new DescribeGroupsRequestData().setGroups(List.of("g1", "nope")));
            assertEquals("Stable", described.groups().get(0).groupState());
            assertEquals(2, described.groups().get(0).members().size());
            assertEquals("Dead", described.groups().get(1).groupState());
            final DeleteGroupsResponseData deleted = (DeleteGroupsResponseData)a.call(ApiKeys.DELETE_GROUPS, (short)2,
                new DeleteGroupsRequestData().setGroupsNames(List.of("g1", "nope")));
            assertEquals(Errors.NON_EMPTY_GROUP.code(), deleted.results().find("g1").errorCode());
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), deleted.results().find("nope").errorCode());

            final LeaveGroupResponseData left = (LeaveGroupResponseData)b.call(ApiKeys.LEAVE_GROUP, (short)3,
                new LeaveGroupRequestData().setGroupId("g1").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(m2),
                    new LeaveGroupRequestData.MemberIdentity().setMemberId("ghost"))));
            assertEquals(Errors.NONE.code(), left.errorCode());
            assertEquals(Errors.NONE.code(), left.members().get(0).errorCode());
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), left.members().get(1).errorCode());
            assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat(a, "g1", 2, m1, null), "a leave starts a rebalance");
        }
    }

    @Test
    void shouldReplaceAStaticMemberWithoutARebalanceAndFenceTheOldOne() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir); RawKafkaClient a = new RawKafkaClient(broker.port());
            RawKafkaClient b = new RawKafkaClient(broker.port()))
        {
            a.call(ApiKeys.FIND_COORDINATOR, (short)4, new FindCoordinatorRequestData().setCoordinatorKeys(List.of("static-g")));
            awaitLoaded(a, "static-g");
            final JoinGroupResponseData first = callJoin(a, join("static-g", "", "instance-1"));
            assertEquals(Errors.NONE.code(), first.errorCode(), "static members join at once, no MEMBER_ID_REQUIRED");
            final String old = first.memberId();
            assertEquals(Errors.NONE.code(), sync(a, "static-g", first.generationId(), old, "instance-1", old).errorCode());

            final JoinGroupResponseData replaced = (JoinGroupResponseData)b.call(ApiKeys.JOIN_GROUP, (short)9,
                join("static-g", "", "instance-1"));
            assertEquals(Errors.NONE.code(), replaced.errorCode());
            assertTrue(replaced.skipAssignment(), "the static leader keeps the assignment (KIP-814)");
            assertEquals(replaced.memberId(), replaced.leader());
            assertNotEquals(old, replaced.memberId());
            assertEquals(first.generationId(), replaced.generationId(), "no rebalance: same generation");
            final SyncGroupResponseData kept = sync(b, "static-g", replaced.generationId(), replaced.memberId(), "instance-1");
            assertEquals("for " + old, new String(kept.assignment(), StandardCharsets.UTF_8), "the assignment is kept");
            assertEquals(Errors.FENCED_INSTANCE_ID, heartbeat(a, "static-g", first.generationId(), old, "instance-1"));
            assertEquals(Errors.NONE, heartbeat(b, "static-g", replaced.generationId(), replaced.memberId(), "instance-1"));

            final LeaveGroupResponseData fenced = (LeaveGroupResponseData)a.call(ApiKeys.LEAVE_GROUP, (short)4,
                new LeaveGroupRequestData().setGroupId("static-g").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity()
                    .setMemberId(old).setGroupInstanceId("instance-1"))));
            assertEquals(Errors.FENCED_INSTANCE_ID.code(), fenced.members().get(0).errorCode());
            final LeaveGroupResponseData byInstance = (LeaveGroupResponseData)a.call(ApiKeys.LEAVE_GROUP, (short)4,
                new LeaveGroupRequestData().setGroupId("static-g").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity()
                    .setMemberId("").setGroupInstanceId("instance-1"))));
            assertEquals(Errors.NONE.code(), byInstance.members().get(0).errorCode(), "an admin may remove a static member by instance id");

            final OffsetCommitResponseData simple = (OffsetCommitResponseData)a.call(ApiKeys.OFFSET_COMMIT, (short)8,
                commit("static-g", -1, "", 42));
            assertEquals(Errors.NONE.code(), simple.topics().get(0).partitions().get(0).errorCode(), "an empty group takes admin commits");
            final OffsetFetchRequestData fetch = new OffsetFetchRequestData();
            fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("static-g").setTopics(null));
            fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("unknown-g").setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("t").setPartitionIndexes(List.of(0)))));
            final OffsetFetchResponseData fetched = (OffsetFetchResponseData)a.call(ApiKeys.OFFSET_FETCH, (short)8, fetch);
            assertEquals(2, fetched.groups().size());
            assertEquals(42, fetched.groups().get(0).topics().get(0).partitions().get(0).committedOffset());
            assertEquals(-1, fetched.groups().get(1).topics().get(0).partitions().get(0).committedOffset());
        }
    }

    private static Errors heartbeatUnchecked(final RawKafkaClient c, final String group, final int generation, final String memberId)
    {
        try
        {
            return heartbeat(c, group, generation, memberId, null);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static OffsetCommitRequestData commit(final String group, final int generation, final String member, final long offset)
    {
        final OffsetCommitRequestData d = new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(generation)
            .setMemberId(member);
        d.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
            new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))));
        return d;
    }

    /**
     * The coordinator answers COORDINATOR_LOAD_IN_PROGRESS until its partition is loaded: wait on OffsetFetch.
     */
    private static void awaitLoaded(final RawKafkaClient c, final String group) throws Exception
    {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (true)
        {
            final OffsetFetchRequestData fetch = new OffsetFetchRequestData();
            fetch.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(null));
            final OffsetFetchResponseData r = (OffsetFetchResponseData)c.call(ApiKeys.OFFSET_FETCH, (short)8, fetch);
            if (r.groups().get(0).errorCode() == Errors.NONE.code())
            {
                return;
            }
            assertFalse(System.nanoTime() > deadline, "offsets partition of " + group + " never loaded: " + r);
            Thread.onSpinWait();
        }
    }
}
