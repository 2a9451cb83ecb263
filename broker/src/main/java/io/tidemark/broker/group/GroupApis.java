package io.tidemark.broker.group;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.api.BrokerApis;
import io.tidemark.broker.api.ErrorMapping;
import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * The group APIs on the wire: FindCoordinator and the membership APIs (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) here, the offset and admin APIs in {@link OffsetApis}. Requests are decoded per version into
 * the coordinator's calls, and answers have the fields a version lacks reset to their defaults.
 *
 * <pre>
 *  API (key)             advertised  notes
 *  OffsetCommit (8)      2-9
 *  OffsetFetch (9)       1-9         v8+: many groups in one request
 *  FindCoordinator (10)  0-6         v4+: batched keys; key type 0 (group) only
 *  JoinGroup (11)        0-9         v4+: MEMBER_ID_REQUIRED first; v5+: static members
 *  Heartbeat (12)        0-4
 *  LeaveGroup (13)       0-5         v3+: batched members
 *  SyncGroup (14)        0-5
 *  DescribeGroups (15)   0-6         v6: GROUP_ID_NOT_FOUND for an unknown group
 *  ListGroups (16)       0-5
 *  DeleteGroups (42)     0-2
 *  OffsetDelete (47)     0
 * </pre>
 */
public final class GroupApis
{
    private final GroupCoordinator coordinator;

    private GroupApis(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    /**
     * Registers every group API.
     *
     * @param apis        the registry.
     * @param coordinator the coordinator.
     * @return the registry.
     */
    public static BrokerApis register(final BrokerApis apis, final GroupCoordinator coordinator)
    {
        final GroupApis g = new GroupApis(coordinator);
        final OffsetApis o = new OffsetApis(coordinator);
        return apis
            .register(ApiKeys.FIND_COORDINATOR, 0, 6, g::findCoordinator)
            .register(ApiKeys.JOIN_GROUP, 0, 9, g::joinGroup)
            .register(ApiKeys.SYNC_GROUP, 0, 5, g::syncGroup)
            .register(ApiKeys.HEARTBEAT, 0, 4, g::heartbeat)
            .register(ApiKeys.LEAVE_GROUP, 0, 5, g::leaveGroup)
            .register(ApiKeys.OFFSET_COMMIT, 2, 9, o::offsetCommit)
            .register(ApiKeys.OFFSET_FETCH, 1, 9, o::offsetFetch)
            .register(ApiKeys.LIST_GROUPS, 0, 5, o::listGroups)
            .register(ApiKeys.DESCRIBE_GROUPS, 0, 6, o::describeGroups)
            .register(ApiKeys.DELETE_GROUPS, 0, 2, o::deleteGroups)
            .register(ApiKeys.OFFSET_DELETE, 0, 0, o::offsetDelete);
    }

    // ---------------------------------------------------------------------------------------------
    // FindCoordinator
    // ---------------------------------------------------------------------------------------------

    private CompletionStage<Response> findCoordinator(final RequestContext context, final AbstractRequest request)
    {
        final FindCoordinatorRequestData d = ((FindCoordinatorRequest)request).data();
        final short version = context.version();
        final List<String> keys = version >= 4 ? d.coordinatorKeys() : List.of(d.key());
        if (d.keyType() != 0)
        {
            final List<FindCoordinatorResponseData.Coordinator> answers = new ArrayList<>();
            for (final String key : keys)
            {
                answers.add(failed(key, Errors.COORDINATOR_NOT_AVAILABLE, "only group coordinators (key type 0) are supported"));
            }
            return CompletableFuture.completedFuture(Response.of(findAnswer(answers, version)));
        }
        return coordinator.offsetsTopic().handle((topic, ex) ->
        {
            final List<FindCoordinatorResponseData.Coordinator> answers = new ArrayList<>();
            for (final String key : keys)
            {
                answers.add(ex != null || topic == null ? failed(key, Errors.COORDINATOR_NOT_AVAILABLE, "creating " +
                    GroupCoordinator.OFFSETS_TOPIC + " failed: " + (ex == null ? "no topic" : ErrorMapping.of(ex).message())) :
                    locate(key, context.listenerName()));
            }
            return Response.of(findAnswer(answers, version));
        });
    }

    private FindCoordinatorResponseData.Coordinator locate(final String key, final String listenerName)
    {
        if (key == null || key.isEmpty())
        {
            return failed(key, Errors.INVALID_REQUEST, "empty group id");
        }
        final TopicInfo topic = coordinator.metadata().topic(GroupCoordinator.OFFSETS_TOPIC);
        if (topic == null)
        {
            return failed(key, Errors.COORDINATOR_NOT_AVAILABLE, null);
        }
        final PartitionInfo p = topic.partitions().get(GroupCoordinator.partitionFor(key, topic.partitions().size()));
        final BrokerInfo leader = p.leader() < 0 ? null : coordinator.metadata().image().brokers().get(p.leader());
        if (leader == null || leader.fenced())
        {
            return failed(key, Errors.COORDINATOR_NOT_AVAILABLE, GroupCoordinator.OFFSETS_TOPIC + "-" + p.partition() + " has no leader");
        }
        final MetadataView.HostPort hp = MetadataView.endpoint(leader, listenerName);
        return new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(leader.id()).setHost(hp.host()).setPort(hp.port())
            .setErrorCode(Errors.NONE.code());
    }

    private static FindCoordinatorResponseData.Coordinator failed(final String key, final Errors error, final String message)
    {
        return new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1)
            .setErrorCode(error.code()).setErrorMessage(message);
    }

    private static FindCoordinatorResponseData findAnswer(final List<FindCoordinatorResponseData.Coordinator> answers, final short version)
    {
        final FindCoordinatorResponseData r = new FindCoordinatorResponseData();
        if (version >= 4)
        {
            return r.setCoordinators(answers);
        }
        final FindCoordinatorResponseData.Coordinator c = answers.get(0);
        return r.setErrorCode(c.errorCode()).setErrorMessage(version >= 1 ? c.errorMessage() : null).setNodeId(c.nodeId())
            .setHost(c.host()).setPort(c.port());
    }

    // ---------------------------------------------------------------------------------------------
    // JoinGroup, SyncGroup, Heartbeat, LeaveGroup
    // ---------------------------------------------------------------------------------------------

    static String clientHost(final RequestContext context)
    {
        final InetSocketAddress a = context.clientAddress();
        return a == null ? "" : "/" + (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString());
    }

    private CompletionStage<Response> joinGroup(final RequestContext context, final AbstractRequest request)
    {
        final JoinGroupRequestData d = ((JoinGroupRequest)request).data();
        final short version = context.version();
        final CompletableFuture<JoinGroupResponseData> answer = join(d, version, context);
        return answer.thenApply(r -> Response.of(fixJoin(r, version)));
    }

    private CompletableFuture<JoinGroupResponseData> join(final JoinGroupRequestData d, final short version, final RequestContext context)
    {
        final String memberId = d.memberId() == null ? "" : d.memberId();
        if (d.groupId() == null || d.groupId().isEmpty())
        {
            return ClassicGroup.joinError(memberId, Errors.INVALID_GROUP_ID);
        }
        final GroupConfig config = coordinator.config();
        if (d.sessionTimeoutMs() < config.minSessionTimeoutMs() || d.sessionTimeoutMs() > config.maxSessionTimeoutMs())
        {
            return ClassicGroup.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT);
        }
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId());
        if (lookup.error() != Errors.NONE)
        {
            return ClassicGroup.joinError(memberId, lookup.error());
        }
        final ClassicGroup group = coordinator.group(lookup.shard(), d.groupId(), memberId.isEmpty());
        if (group == null)
        {
            return ClassicGroup.joinError(memberId, Errors.UNKNOWN_MEMBER_ID);
        }
        final List<Member.Protocol> protocols = new ArrayList<>();
        for (final JoinGroupRequestData.JoinGroupRequestProtocol p : d.protocols())
        {
            protocols.add(new Member.Protocol(p.name(), p.metadata()));
        }
        final ClassicGroup.Join join = new ClassicGroup.Join(memberId, version >= 5 ? d.groupInstanceId() : null,
            context.clientId() == null ? "" : context.clientId(), clientHost(context), d.sessionTimeoutMs(),
            version >= 1 ? d.rebalanceTimeoutMs() : d.sessionTimeoutMs(), d.protocolType() == null ? "" : d.protocolType(), protocols, version);
        synchronized (group)
        {
            return group.join(join);
        }
    }

    private static JoinGroupResponseData fixJoin(final JoinGroupResponseData r, final short version)
    {
        final JoinGroupResponseData copy = r.duplicate();
        if (version < 7)
        {
            copy.setProtocolType(null);
            if (copy.protocolName() == null)
            {
                copy.setProtocolName("");
            }
        }
        if (version < 9)
        {
            copy.setSkipAssignment(false);
        }
        if (copy.leader() == null)
        {
            copy.setLeader("");
        }
        if (version < 5)
        {
            copy.members().forEach(m -> m.setGroupInstanceId(null));
        }
        return copy;
    }

    private CompletionStage<Response> syncGroup(final RequestContext context, final AbstractRequest request)
    {
        final SyncGroupRequestData d = ((SyncGroupRequest)request).data();
        final short version = context.version();
        return sync(d, version).thenApply(r ->
        {
            final SyncGroupResponseData copy = r.duplicate();
            if (version < 5)
            {
                copy.setProtocolType(null).setProtocolName(null);
            }
            return Response.of(copy);
        });
    }

    private CompletableFuture<SyncGroupResponseData> sync(final SyncGroupRequestData d, final short version)
    {
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId() == null ? "" : d.groupId());
        if (d.groupId() == null || d.groupId().isEmpty())
        {
            return syncError(Errors.INVALID_GROUP_ID);
        }
        if (lookup.error() != Errors.NONE)
        {
            return syncError(lookup.error());
        }
        final ClassicGroup group = coordinator.group(lookup.shard(), d.groupId(), false);
        if (group == null)
        {
            return syncError(Errors.UNKNOWN_MEMBER_ID);
        }
        final Map<String, byte[]> assignments = new HashMap<>();
        for (final SyncGroupRequestData.SyncGroupRequestAssignment a : d.assignments())
        {
            assignments.put(a.memberId(), a.assignment());
        }
        synchronized (group)
        {
            return group.sync(d.memberId(), version >= 3 ? d.groupInstanceId() : null, d.generationId(),
                version >= 5 ? d.protocolType() : null, version >= 5 ? d.protocolName() : null, assignments);
        }
    }

    private static CompletableFuture<SyncGroupResponseData> syncError(final Errors error)
    {
        return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]));
    }

    private CompletionStage<Response> heartbeat(final RequestContext context, final AbstractRequest request)
    {
        final HeartbeatRequestData d = ((HeartbeatRequest)request).data();
        final Errors error;
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId() == null ? "" : d.groupId());
        if (d.groupId() == null || d.groupId().isEmpty())
        {
            error = Errors.INVALID_GROUP_ID;
        }
        else if (lookup.error() != Errors.NONE)
        {
            error = lookup.error();
        }
        else
        {
            final ClassicGroup group = coordinator.group(lookup.shard(), d.groupId(), false);
            if (group == null)
            {
                error = Errors.UNKNOWN_MEMBER_ID;
            }
            else
            {
                synchronized (group)
                {
                    error = group.heartbeat(d.memberId(), context.version() >= 3 ? d.groupInstanceId() : null, d.generationId());
                }
            }
        }
        return CompletableFuture.completedFuture(Response.of(new HeartbeatResponseData().setErrorCode(error.code())));
    }

    private CompletionStage<Response> leaveGroup(final RequestContext context, final AbstractRequest request)
    {
        final LeaveGroupRequestData d = ((LeaveGroupRequest)request).data();
        final short version = context.version();
        final List<LeaveGroupRequestData.MemberIdentity> leaving = version >= 3 ? d.members() :
            List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(d.memberId()));
        final LeaveGroupResponseData r = new LeaveGroupResponseData();
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId() == null ? "" : d.groupId());
        Errors top = Errors.NONE;
        if (d.groupId() == null || d.groupId().isEmpty())
        {
            top = Errors.INVALID_GROUP_ID;
        }
        else if (lookup.error() != Errors.NONE)
        {
            top = lookup.error();
        }
        final ClassicGroup group = top == Errors.NONE ? coordinator.group(lookup.shard(), d.groupId(), false) : null;
        if (top == Errors.NONE && group == null)
        {
            top = Errors.UNKNOWN_MEMBER_ID;
        }
        for (final LeaveGroupRequestData.MemberIdentity m : leaving)
        {
            Errors e = top;
            if (group != null)
            {
                synchronized (group)
                {
                    e = group.leave(m.memberId() == null ? "" : m.memberId(), version >= 3 ? m.groupInstanceId() : null);
                }
            }
            r.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(m.memberId())
                .setGroupInstanceId(version >= 3 ? m.groupInstanceId() : null).setErrorCode(e.code()));
        }
        if (version < 3)
        {
            final short single = r.members().get(0).errorCode();
            return CompletableFuture.completedFuture(Response.of(new LeaveGroupResponseData().setErrorCode(single)));
        }
        r.setErrorCode(top.code());
        if (top != Errors.NONE)
        {
            r.members().clear();
        }
        return CompletableFuture.completedFuture(Response.of(r));
    }
}
