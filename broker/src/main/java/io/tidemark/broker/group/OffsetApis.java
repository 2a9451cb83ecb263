package io.tidemark.broker.group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups and OffsetDelete.
 */
final class OffsetApis
{
    private final GroupCoordinator coordinator;

    OffsetApis(final GroupCoordinator coordinator)
    {
        this.coordinator = coordinator;
    }

    // ---------------------------------------------------------------------------------------------
    // OffsetCommit
    // ---------------------------------------------------------------------------------------------

    CompletionStage<Response> offsetCommit(final RequestContext context, final AbstractRequest request)
    {
        final OffsetCommitRequestData d = ((OffsetCommitRequest)request).data();
        final short version = context.version();
        final OffsetCommitResponseData r = new OffsetCommitResponseData();
        final Map<TopicPartition, OffsetCommitResponseData.OffsetCommitResponsePartition> answers = new LinkedHashMap<>();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic t : d.topics())
        {
            final OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name());
            r.topics().add(rt);
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions())
            {
                final OffsetCommitResponseData.OffsetCommitResponsePartition rp = new OffsetCommitResponseData.OffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex()).setErrorCode(Errors.NONE.code());
                rt.partitions().add(rp);
                answers.put(new TopicPartition(t.name(), p.partitionIndex()), rp);
            }
        }
        final Errors groupError = checkCommit(d, version);
        if (groupError != Errors.NONE)
        {
            answers.values().forEach(p -> p.setErrorCode(groupError.code()));
            return CompletableFuture.completedFuture(Response.of(r));
        }
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId());
        final ClassicGroup group = lookup.error() != Errors.NONE ? null :
            coordinator.group(lookup.shard(), d.groupId(), d.generationIdOrMemberEpoch() < 0);
        if (group == null)
        {
            // the partition was unloaded (or the group deleted) since the check
            final Errors e = lookup.error() != Errors.NONE ? lookup.error() : Errors.ILLEGAL_GENERATION;
            answers.values().forEach(p -> p.setErrorCode(e.code()));
            return CompletableFuture.completedFuture(Response.of(r));
        }
        final long now = coordinator.nowMs();
        final List<SimpleRecord> records = new ArrayList<>();
        final List<TopicPartition> written = new ArrayList<>();
        final List<OffsetsRecords.OffsetValue> values = new ArrayList<>();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic t : d.topics())
        {
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions())
            {
                final TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                final String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                if (metadata.length() > coordinator.config().metadataMaxBytes())
                {
                    answers.get(tp).setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                    continue;
                }
                final OffsetsRecords.OffsetValue v = new OffsetsRecords.OffsetValue(p.committedOffset(),
                    version >= 6 ? p.committedLeaderEpoch() : -1, metadata, now);
                records.add(new SimpleRecord(now, OffsetsRecords.offsetKey(d.groupId(), t.name(), p.partitionIndex()),
                    OffsetsRecords.offsetValue(v)));
                written.add(tp);
                values.add(v);
            }
        }
        if (records.isEmpty())
        {
            return CompletableFuture.completedFuture(Response.of(r));
        }
        final CompletableFuture<Response> done = new CompletableFuture<>();
        coordinator.append(group.offsetsPartition, records, (error, base) ->
        {
            if (error == Errors.NONE)
            {
                synchronized (group)
                {
                    for (int i = 0; i < written.size(); i++)
                    {
                        group.applyOffset(written.get(i), values.get(i), base + i);
                    }
                }
            }
            for (final TopicPartition tp : written)
            {
                answers.get(tp).setErrorCode(error.code());
            }
            done.complete(Response.of(r));
        });
        return done;
    }

    private Errors checkCommit(final OffsetCommitRequestData d, final short version)
    {
        if (d.groupId() == null || d.groupId().isEmpty())
        {
            return Errors.INVALID_GROUP_ID;
        }
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId());
        if (lookup.error() != Errors.NONE)
        {
            return lookup.error();
        }
        final int generation = d.generationIdOrMemberEpoch();
        final ClassicGroup group = coordinator.group(lookup.shard(), d.groupId(), generation < 0);
        if (group == null)
        {
            return Errors.ILLEGAL_GENERATION;
        }
        synchronized (group)
        {
            return group.checkCommit(d.memberId() == null ? "" : d.memberId(), version >= 7 ? d.groupInstanceId() : null, generation);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // OffsetFetch
    // ---------------------------------------------------------------------------------------------

    /**
     * One group's committed offsets for a fetch.
     *
     * @param error   NONE or a group-level error.
     * @param offsets topic to partition to offset (-1 when none), in request order.
     */
    private record Fetched(Errors error, Map<String, Map<Integer, OffsetsRecords.OffsetValue>> offsets)
    {
    }

    private Fetched fetch(final String groupId, final Map<String, List<Integer>> wanted)
    {
        final GroupCoordinator.Lookup lookup = coordinator.lookup(groupId == null ? "" : groupId);
        if (lookup.error() != Errors.NONE)
        {
            return new Fetched(lookup.error(), Map.of());
        }
        final Map<String, Map<Integer, OffsetsRecords.OffsetValue>> result = new LinkedHashMap<>();
        final ClassicGroup group = coordinator.group(lookup.shard(), groupId, false);
        if (group == null)
        {
            if (wanted != null)
            {
                wanted.forEach((t, ps) -> ps.forEach(p -> result.computeIfAbsent(t, x -> new LinkedHashMap<>()).put(p, null)));
            }
            return new Fetched(Errors.NONE, result);
        }
        synchronized (group)
        {
            if (wanted == null)
            {
                final Map<TopicPartition, ClassicGroup.Committed> sorted = new TreeMap<>((a, b) ->
                    a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
                sorted.putAll(group.offsets);
                sorted.forEach((tp, c) -> result.computeIfAbsent(tp.topic(), x -> new LinkedHashMap<>()).put(tp.partition(), c.value()));
            }
            else
            {
                wanted.forEach((t, ps) -> ps.forEach(p ->
                {
                    final ClassicGroup.Committed c = group.offsets.get(new TopicPartition(t, p));
                    result.computeIfAbsent(t, x -> new LinkedHashMap<>()).put(p, c == null ? null : c.value());
                }));
            }
        }
        return new Fetched(Errors.NONE, result);
    }

    CompletionStage<Response> offsetFetch(final RequestContext context, final AbstractRequest request)
    {
        final OffsetFetchRequestData d = ((OffsetFetchRequest)request).data();
        final short version = context.version();
        final OffsetFetchResponseData r = new OffsetFetchResponseData();
        if (version >= 8)
        {
            for (final OffsetFetchRequestData.OffsetFetchRequestGroup g : d.groups())
            {
                Map<String, List<Integer>> wanted = null;
                if (g.topics() != null)
                {
                    wanted = new LinkedHashMap<>();
                    for (final OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics())
                    {
                        wanted.put(t.name(), t.partitionIndexes());
                    }
                }
                final Fetched f = fetch(g.groupId(), wanted);
                final OffsetFetchResponseData.OffsetFetchResponseGroup rg = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                    .setGroupId(g.groupId()).setErrorCode(f.error().code());
                f.offsets().forEach((t, ps) ->
                {
                    final OffsetFetchResponseData.OffsetFetchResponseTopics rt = new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(t);
                    ps.forEach((p, v) -> rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p)
                        .setCommittedOffset(v == null ? -1 : v.offset()).setCommittedLeaderEpoch(v == null ? -1 : v.leaderEpoch())
                        .setMetadata(v == null ? "" : v.metadata()).setErrorCode(Errors.NONE.code())));
                    rg.topics().add(rt);
                });
                r.groups().add(rg);
            }
            return CompletableFuture.completedFuture(Response.of(r));
        }
        Map<String, List<Integer>> wanted = null;
        if (d.topics() != null)
        {
            wanted = new LinkedHashMap<>();
            for (final OffsetFetchRequestData.OffsetFetchRequestTopic t : d.topics())
            {
                wanted.put(t.name(), t.partitionIndexes());
            }
        }
        final Fetched f = fetch(d.groupId(), wanted);
        if (version >= 2)
        {
            r.setErrorCode(f.error().code());
        }
        final Map<String, Map<Integer, OffsetsRecords.OffsetValue>> shown = f.error() == Errors.NONE || wanted == null ? f.offsets() :
            new LinkedHashMap<>();
        if (f.error() != Errors.NONE && wanted != null)
        {
            wanted.forEach((t, ps) -> ps.forEach(p -> shown.computeIfAbsent(t, x -> new LinkedHashMap<>()).put(p, null)));
        }
        final short partitionError = version < 2 ? f.error().code() : Errors.NONE.code();
        shown.forEach((t, ps) ->
        {
            final OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t);
            ps.forEach((p, v) -> rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p)
                .setCommittedOffset(v == null ? -1 : v.offset()).setCommittedLeaderEpoch(v == null || version < 5 ? -1 : v.leaderEpoch())
                .setMetadata(v == null ? "" : v.metadata()).setErrorCode(partitionError)));
            r.topics().add(rt);
        });
        return CompletableFuture.completedFuture(Response.of(r));
    }

    // ---------------------------------------------------------------------------------------------
    // ListGroups, DescribeGroups
    // ---------------------------------------------------------------------------------------------

    CompletionStage<Response> listGroups(final RequestContext context, final AbstractRequest request)
    {
        final ListGroupsRequestData d = ((ListGroupsRequest)request).data();
        final short version = context.version();
        final List<String> states = new ArrayList<>();
        if (version >= 4 && d.statesFilter() != null)
        {
            d.statesFilter().forEach(s -> states.add(s.toLowerCase(Locale.ROOT)));
        }
        final boolean classicWanted = version < 5 || d.typesFilter() == null || d.typesFilter().isEmpty() ||
            d.typesFilter().stream().anyMatch(t -> "classic".equalsIgnoreCase(t));
        final ListGroupsResponseData r = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
        if (!classicWanted)
        {
            return CompletableFuture.completedFuture(Response.of(r));
        }
        for (final ClassicGroup g : coordinator.loadedGroups())
        {
            synchronized (g)
            {
                if (g.state == GroupState.DEAD || !states.isEmpty() && !states.contains(g.state.wireName().toLowerCase(Locale.ROOT)))
                {
                    continue;
                }
                final ListGroupsResponseData.ListedGroup lg = new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId)
                    .setProtocolType(g.protocolType == null ? "" : g.protocolType);
                if (version >= 4)
                {
                    lg.setGroupState(g.state.wireName());
                }
                if (version >= 5)
                {
                    lg.setGroupType("classic");
                }
                r.groups().add(lg);
            }
        }
        return CompletableFuture.completedFuture(Response.of(r));
    }

    CompletionStage<Response> describeGroups(final RequestContext context, final AbstractRequest request)
    {
        final DescribeGroupsRequestData d = ((DescribeGroupsRequest)request).data();
        final short version = context.version();
        final DescribeGroupsResponseData r = new DescribeGroupsResponseData();
        for (final String groupId : d.groups())
        {
            r.groups().add(describe(groupId, version, d.includeAuthorizedOperations()));
        }
        return CompletableFuture.completedFuture(Response.of(r));
    }

    private DescribeGroupsResponseData.DescribedGroup describe(final String groupId, final short version, final boolean withOperations)
    {
        final DescribeGroupsResponseData.DescribedGroup dg = new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId)
            .setGroupState(GroupState.DEAD.wireName()).setProtocolType("").setProtocolData("");
        if (version >= 3 && withOperations)
        {
            dg.setAuthorizedOperations(GROUP_OPERATIONS);
        }
        final GroupCoordinator.Lookup lookup = coordinator.lookup(groupId == null ? "" : groupId);
        if (lookup.error() != Errors.NONE)
        {
            return dg.setErrorCode(lookup.error().code());
        }
        final ClassicGroup g = coordinator.group(lookup.shard(), groupId, false);
        if (g == null)
        {
            if (version >= 6)
            {
                dg.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("group " + groupId + " not found");
            }
            return dg;
        }
        synchronized (g)
        {
            final boolean stable = g.state == GroupState.STABLE;
            dg.setGroupState(g.state.wireName()).setProtocolType(g.protocolType == null ? "" : g.protocolType)
                .setProtocolData(stable && g.protocolName != null ? g.protocolName : "");
            if (g.state == GroupState.DEAD)
            {
                return dg;
            }
            for (final Member m : g.members.values())
            {
                final byte[] metadata = stable ? m.metadata(g.protocolName) : null;
                dg.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId)
                    .setGroupInstanceId(version >= 4 ? m.groupInstanceId : null).setClientId(m.clientId).setClientHost(m.clientHost)
                    .setMemberMetadata(metadata == null ? new byte[0] : metadata).setMemberAssignment(stable ? m.assignment : new byte[0]));
            }
        }
        return dg;
    }

    /** DESCRIBE, READ and DELETE (there is no authorizer): bits of AclOperation codes. */
    private static final int GROUP_OPERATIONS = (1 << org.apache.kafka.common.acl.AclOperation.READ.code()) |
        (1 << org.apache.kafka.common.acl.AclOperation.DESCRIBE.code()) | (1 << org.apache.kafka.common.acl.AclOperation.DELETE.code());

    // ---------------------------------------------------------------------------------------------
    // DeleteGroups, OffsetDelete
    // ---------------------------------------------------------------------------------------------

    CompletionStage<Response> deleteGroups(final RequestContext context, final AbstractRequest request)
    {
        final DeleteGroupsRequestData d = ((DeleteGroupsRequest)request).data();
        final DeleteGroupsResponseData r = new DeleteGroupsResponseData();
        final CompletableFuture<Response> done = new CompletableFuture<>();
        final AtomicInteger remaining = new AtomicInteger(d.groupsNames().size() + 1);
        final Runnable countDown = () ->
        {
            if (remaining.decrementAndGet() == 0)
            {
                done.complete(Response.of(r));
            }
        };
        for (final String groupId : d.groupsNames())
        {
            final DeleteGroupsResponseData.DeletableGroupResult result = new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId);
            r.results().add(result);
            deleteGroup(groupId, error ->
            {
                result.setErrorCode(error.code());
                countDown.run();
            });
        }
        countDown.run();
        return done;
    }

    private void deleteGroup(final String groupId, final java.util.function.Consumer<Errors> done)
    {
        final GroupCoordinator.Lookup lookup = coordinator.lookup(groupId == null ? "" : groupId);
        if (lookup.error() != Errors.NONE)
        {
            done.accept(lookup.error());
            return;
        }
        final ClassicGroup g = coordinator.group(lookup.shard(), groupId, false);
        if (g == null)
        {
            done.accept(Errors.GROUP_ID_NOT_FOUND);
            return;
        }
        final List<SimpleRecord> tombstones = new ArrayList<>();
        final long now = coordinator.nowMs();
        synchronized (g)
        {
            if (g.state == GroupState.DEAD)
            {
                done.accept(Errors.GROUP_ID_NOT_FOUND);
                return;
            }
            if (g.state != GroupState.EMPTY)
            {
                done.accept(Errors.NON_EMPTY_GROUP);
                return;
            }
            for (final TopicPartition tp : g.offsets.keySet())
            {
                tombstones.add(new SimpleRecord(now, OffsetsRecords.offsetKey(groupId, tp.topic(), tp.partition()), null));
            }
            tombstones.add(new SimpleRecord(now, OffsetsRecords.groupKey(groupId), null));
            g.markDead(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        coordinator.append(g.offsetsPartition, tombstones, (error, base) ->
        {
            synchronized (g)
            {
                if (error == Errors.NONE)
                {
                    coordinator.forget(lookup.shard(), groupId);
                }
                else
                {
                    g.state = GroupState.EMPTY; // nothing was deleted
                }
            }
            done.accept(error);
        });
    }

    CompletionStage<Response> offsetDelete(final RequestContext context, final AbstractRequest request)
    {
        final OffsetDeleteRequestData d = ((OffsetDeleteRequest)request).data();
        final OffsetDeleteResponseData r = new OffsetDeleteResponseData();
        final Map<TopicPartition, OffsetDeleteResponseData.OffsetDeleteResponsePartition> answers = new LinkedHashMap<>();
        for (final OffsetDeleteRequestData.OffsetDeleteRequestTopic t : d.topics())
        {
            final OffsetDeleteResponseData.OffsetDeleteResponseTopic rt = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
            r.topics().add(rt);
            for (final OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions())
            {
                final OffsetDeleteResponseData.OffsetDeleteResponsePartition rp = new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                    .setPartitionIndex(p.partitionIndex()).setErrorCode(Errors.NONE.code());
                rt.partitions().add(rp);
                answers.put(new TopicPartition(t.name(), p.partitionIndex()), rp);
            }
        }
        final GroupCoordinator.Lookup lookup = coordinator.lookup(d.groupId() == null ? "" : d.groupId());
        if (lookup.error() != Errors.NONE)
        {
            r.topics().clear();
            return CompletableFuture.completedFuture(Response.of(r.setErrorCode(lookup.error().code())));
        }
        final ClassicGroup g = coordinator.group(lookup.shard(), d.groupId(), false);
        if (g == null)
        {
            r.topics().clear();
            return CompletableFuture.completedFuture(Response.of(r.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())));
        }
        final List<SimpleRecord> tombstones = new ArrayList<>();
        final List<TopicPartition> deleted = new ArrayList<>();
        final long now = coordinator.nowMs();
        synchronized (g)
        {
            if (g.state == GroupState.DEAD)
            {
                r.topics().clear();
                return CompletableFuture.completedFuture(Response.of(r.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())));
            }
            final Set<String> subscribed = g.state == GroupState.EMPTY ? Set.of() : g.subscribedTopics();
            for (final Map.Entry<TopicPartition, OffsetDeleteResponseData.OffsetDeleteResponsePartition> e : answers.entrySet())
            {
                if (subscribed.contains(e.getKey().topic()))
                {
                    e.getValue().setErrorCode(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
                }
                else if (g.offsets.containsKey(e.getKey()))
                {
                    tombstones.add(new SimpleRecord(now, OffsetsRecords.offsetKey(d.groupId(), e.getKey().topic(), e.getKey().partition()), null));
                    deleted.add(e.getKey());
                }
            }
        }
        if (tombstones.isEmpty())
        {
            return CompletableFuture.completedFuture(Response.of(r));
        }
        final CompletableFuture<Response> done = new CompletableFuture<>();
        coordinator.append(g.offsetsPartition, tombstones, (error, base) ->
        {
            if (error == Errors.NONE)
            {
                synchronized (g)
                {
                    for (int i = 0; i < deleted.size(); i++)
                    {
                        g.applyOffset(deleted.get(i), null, base + i);
                    }
                }
            }
            else
            {
                deleted.forEach(tp -> answers.get(tp).setErrorCode(error.code()));
            }
            done.complete(Response.of(r));
        });
        return done;
    }
}
