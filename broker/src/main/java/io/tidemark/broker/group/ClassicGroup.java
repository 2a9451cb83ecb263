package io.tidemark.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One classic group: its members and the rebalance state machine ({@link GroupState}), and its committed
 * offsets. Every method runs under the group's monitor ({@code synchronized (group)}), taken by the
 * coordinator; futures are completed inside it (their callbacks only encode and send answers).
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>A join with no member id gets a fresh id; from JoinGroup v4 a dynamic member first gets
 *     MEMBER_ID_REQUIRED with that id and must join again with it (it is "pending" until then).</li>
 * <li>A rebalance (PreparingRebalance) completes when every known member has sent its join, or when the
 *     largest rebalance timeout of the members passed: members that did not rejoin are removed. An empty
 *     group's first rebalance waits {@code group.initial.rebalance.delay.ms} for more members.</li>
 * <li>The generation goes up by one at every completed join phase. SyncGroup, Heartbeat and OffsetCommit
 *     from another generation get ILLEGAL_GENERATION; from an unknown member UNKNOWN_MEMBER_ID; a
 *     heartbeat during PreparingRebalance gets REBALANCE_IN_PROGRESS (the member must rejoin).</li>
 * <li>The leader's SyncGroup writes the group's metadata with every assignment to the offsets partition
 *     (acks=all); only then is the group Stable and every member given its assignment.</li>
 * <li>A member silent for its session timeout is removed (a rebalance follows), except while its join or
 *     sync waits.</li>
 * <li>Static members (group.instance.id): a join with a known instance id and no member id replaces the
 *     old member id (the old one is fenced: FENCED_INSTANCE_ID); in a Stable group whose chosen protocol
 *     would stay the same this happens without a rebalance.</li>
 * </ul>
 */
final class ClassicGroup
{
    /**
     * What a group needs of its coordinator.
     */
    interface Store
    {
        /**
         * @return the time now.
         */
        long nowMs();

        /**
         * @return the settings.
         */
        GroupConfig config();

        /**
         * Writes the group's metadata record (acks=all); {@code done} is called once, with NONE or the
         * error to give the client.
         *
         * @param group the group (its current members and assignments are written).
         * @param done  the outcome.
         */
        void writeGroup(ClassicGroup group, java.util.function.Consumer<Errors> done);
    }

    /**
     * A committed offset and the log offset of the record that holds it (later records win).
     *
     * @param value     the offset.
     * @param logOffset where its record is in the offsets partition.
     */
    record Committed(OffsetsRecords.OffsetValue value, long logOffset)
    {
    }

    final String groupId;
    final int offsetsPartition;
    private final Store store;
    GroupState state = GroupState.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    private final Map<String, Long> pendingMembers = new HashMap<>();
    private long rebalanceDeadlineMs;
    /** The first rebalance of an empty group waits for group.initial.rebalance.delay.ms, whoever joined. */
    private boolean initialDelayRunning;
    final Map<TopicPartition, Committed> offsets = new HashMap<>();
    /** When the group last became EMPTY (or was created empty): a consumer group's offsets expire from here (KIP-211). */
    private long emptySinceMs;

    ClassicGroup(final String groupId, final int offsetsPartition, final Store store)
    {
        this.groupId = groupId;
        this.offsetsPartition = offsetsPartition;
        this.store = store;
        this.emptySinceMs = store.nowMs();
    }

    // ---------------------------------------------------------------------------------------------
    // JoinGroup
    // ---------------------------------------------------------------------------------------------

    /**
     * A join request, decoded.
     *
     * @param memberId           the member id ("" for a new member).
     * @param groupInstanceId    the static instance id, or null.
     * @param clientId           the client id.
     * @param clientHost         the client address.
     * @param sessionTimeoutMs   the session timeout.
     * @param rebalanceTimeoutMs the rebalance timeout.
     * @param protocolType       the protocol type ("consumer").
     * @param protocols          the protocols in preference order.
     * @param version            the request version.
     */
    record Join(String memberId, String groupInstanceId, String clientId, String clientHost, int sessionTimeoutMs,
        int rebalanceTimeoutMs, String protocolType, List<Member.Protocol> protocols, short version)
    {
    }

    CompletableFuture<JoinGroupResponseData> join(final Join j)
    {
        if (state == GroupState.DEAD)
        {
            return joinError(j.memberId(), Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (!supports(j.protocolType(), j.protocols()))
        {
            return joinError(j.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        return j.memberId().isEmpty() ? joinUnknown(j) : joinKnown(j);
    }

    private boolean supports(final String type, final List<Member.Protocol> protocols)
    {
        if (members.isEmpty())
        {
            return !type.isEmpty() && !protocols.isEmpty();
        }
        if (!type.equals(protocolType))
        {
            return false;
        }
        final Set<String> candidates = candidateProtocols();
        for (final Member.Protocol p : protocols)
        {
            if (candidates.contains(p.name()))
            {
                return true;
            }
        }
        return false;
    }

    private Set<String> candidateProtocols()
    {
        Set<String> common = null;
        for (final Member m : members.values())
        {
            final Set<String> names = new LinkedHashSet<>();
            m.protocols.forEach(p -> names.add(p.name()));
            if (common == null)
            {
                common = names;
            }
            else
            {
                common.retainAll(names);
            }
        }
        return common == null ? Set.of() : common;
    }

    private CompletableFuture<JoinGroupResponseData> joinUnknown(final Join j)
    {
        if (members.size() >= store.config().maxGroupSize() && (j.groupInstanceId() == null || !staticMembers.containsKey(j.groupInstanceId())))
        {
            return joinError(j.memberId(), Errors.GROUP_MAX_SIZE_REACHED);
        }
        final String newId = (j.clientId().isEmpty() ? "member" : j.clientId()) + "-" + UUID.randomUUID();
        if (j.groupInstanceId() != null)
        {
            final String existing = staticMembers.get(j.groupInstanceId());
            return existing != null ? replaceStatic(existing, newId, j) : addAndRebalance(newId, j);
        }
        if (j.version() >= 4)
        {
            pendingMembers.put(newId, store.nowMs() + j.sessionTimeoutMs());
            return joinError(newId, Errors.MEMBER_ID_REQUIRED);
        }
        return addAndRebalance(newId, j);
    }

    private CompletableFuture<JoinGroupResponseData> joinKnown(final Join j)
    {
        if (pendingMembers.containsKey(j.memberId()))
        {
            if (members.size() >= store.config().maxGroupSize())
            {
                pendingMembers.remove(j.memberId());
                return joinError(j.memberId(), Errors.GROUP_MAX_SIZE_REACHED);
            }
            return addAndRebalance(j.memberId(), j);
        }
        if (replacedInstance(j.memberId(), j.groupInstanceId()))
        {
            return joinError(j.memberId(), Errors.FENCED_INSTANCE_ID);
        }
        final Member m = members.get(j.memberId());
        if (m == null)
        {
            return joinError(j.memberId(), Errors.UNKNOWN_MEMBER_ID);
        }
        if (fenced(m, j.groupInstanceId()))
        {
            return joinError(j.memberId(), Errors.FENCED_INSTANCE_ID);
        }
        final CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        switch (state)
        {
            case PREPARING_REBALANCE ->
            {
                update(m, j, future);
                maybeCompleteJoin();
            }
            case COMPLETING_REBALANCE, STABLE ->
            {
                final boolean leaderInStable = state == GroupState.STABLE && m.memberId.equals(leaderId);
                if (m.sameProtocols(j.protocols()) && !leaderInStable)
                {
                    m.touch(store.nowMs());
                    future.complete(currentJoinAnswer(m, j.version(), false));
                }
                else
                {
                    update(m, j, future);
                    prepareRebalance();
                }
            }
            default -> future.complete(joinAnswer(j.memberId(), Errors.UNKNOWN_MEMBER_ID));
        }
        return future;
    }

    /**
     * @return true if the instance id now belongs to another member id (this one was replaced).
     */
    private boolean replacedInstance(final String memberId, final String groupInstanceId)
    {
        final String current = groupInstanceId == null ? null : staticMembers.get(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    private boolean fenced(final Member m, final String groupInstanceId)
    {
        if (groupInstanceId == null)
        {
            return m.isStatic();
        }
        return !m.memberId.equals(staticMembers.get(groupInstanceId));
    }

    private CompletableFuture<JoinGroupResponseData> addAndRebalance(final String memberId, final Join j)
    {
        pendingMembers.remove(memberId);
        final Member m = new Member(memberId, j.groupInstanceId(), j.clientId(), j.clientHost(), j.rebalanceTimeoutMs(),
            j.sessionTimeoutMs(), j.protocols());
        final CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        m.awaitingJoin = future;
        m.joinVersion = j.version();
        m.touch(store.nowMs());
        members.put(memberId, m);
        if (m.isStatic())
        {
            staticMembers.put(m.groupInstanceId, memberId);
        }
        if (protocolType == null || members.size() == 1)
        {
            protocolType = j.protocolType();
        }
        if (leaderId == null)
        {
            leaderId = memberId;
        }
        if (state != GroupState.PREPARING_REBALANCE)
        {
            prepareRebalance();
        }
        maybeCompleteJoin();
        return future;
    }

    private CompletableFuture<JoinGroupResponseData> replaceStatic(final String oldId, final String newId, final Join j)
    {
        final Member m = members.remove(oldId);
        if (m.awaitingJoin != null)
        {
            m.awaitingJoin.complete(joinAnswer(oldId, Errors.FENCED_INSTANCE_ID));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null)
        {
            m.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
            m.awaitingSync = null;
        }
        m.memberId = newId;
        members.put(newId, m);
        staticMembers.put(m.groupInstanceId, newId);
        final boolean wasLeader = oldId.equals(leaderId);
        if (wasLeader)
        {
            leaderId = newId;
        }
        final CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        final List<Member.Protocol> previous = m.protocols;
        m.protocols = List.copyOf(j.protocols());
        final boolean sameProtocol = protocolName != null && protocolName.equals(selectProtocol());
        if (!sameProtocol)
        {
            m.protocols = previous;
        }
        if (state == GroupState.STABLE && sameProtocol && (!wasLeader || j.version() >= 9))
        {
            // the group's protocol stays (Kafka's rule: the metadata may differ, e.g. owned partitions): keep
            // the assignment, no rebalance; the new member id is written first
            m.touch(store.nowMs());
            m.clientId = j.clientId();
            m.clientHost = j.clientHost();
            final int generation = generationId;
            store.writeGroup(this, error ->
            {
                synchronized (this)
                {
                    if (error != Errors.NONE)
                    {
                        future.complete(joinAnswer(newId, error));
                    }
                    else if (generation != generationId || !members.containsKey(newId))
                    {
                        future.complete(joinAnswer(newId, Errors.REBALANCE_IN_PROGRESS));
                    }
                    else
                    {
                        future.complete(currentJoinAnswer(m, j.version(), wasLeader));
                    }
                }
            });
            return future;
        }
        update(m, j, future);
        if (state == GroupState.PREPARING_REBALANCE)
        {
            maybeCompleteJoin();
        }
        else
        {
            prepareRebalance();
        }
        return future;
    }

    private void update(final Member m, final Join j, final CompletableFuture<JoinGroupResponseData> future)
    {
        if (m.awaitingJoin != null && m.awaitingJoin != future)
        {
            m.awaitingJoin.complete(joinAnswer(m.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        m.protocols = List.copyOf(j.protocols());
        m.rebalanceTimeoutMs = j.rebalanceTimeoutMs();
        m.sessionTimeoutMs = j.sessionTimeoutMs();
        m.clientId = j.clientId();
        m.clientHost = j.clientHost();
        m.awaitingJoin = future;
        m.joinVersion = j.version();
        m.touch(store.nowMs());
    }

    private void prepareRebalance()
    {
        if (state == GroupState.COMPLETING_REBALANCE)
        {
            resetAssignments(Errors.REBALANCE_IN_PROGRESS);
        }
        final long now = store.nowMs();
        final int delay = store.config().initialRebalanceDelayMs();
        if (state == GroupState.EMPTY && delay > 0)
        {
            rebalanceDeadlineMs = now + delay;
            initialDelayRunning = true;
            state = GroupState.PREPARING_REBALANCE;
            return; // the initial delay runs out even if every member has joined
        }
        int timeout = 0;
        for (final Member m : members.values())
        {
            timeout = Math.max(timeout, m.rebalanceTimeoutMs);
        }
        rebalanceDeadlineMs = now + timeout;
        state = GroupState.PREPARING_REBALANCE;
        maybeCompleteJoin(); // every member may be waiting in a join already (a leader's rejoin)
    }

    private void maybeCompleteJoin()
    {
        if (state != GroupState.PREPARING_REBALANCE || initialDelayRunning)
        {
            return;
        }
        for (final Member m : members.values())
        {
            if (m.awaitingJoin == null)
            {
                return;
            }
        }
        if (!pendingMembers.isEmpty())
        {
            return;
        }
        completeJoin();
    }

    private void completeJoin()
    {
        initialDelayRunning = false;
        final long now = store.nowMs();
        final List<Member> gone = new ArrayList<>();
        for (final Member m : members.values())
        {
            if (m.awaitingJoin == null)
            {
                gone.add(m);
            }
        }
        gone.forEach(this::remove);
        generationId++;
        if (members.isEmpty())
        {
            state = GroupState.EMPTY;
            emptySinceMs = store.nowMs();
            protocolName = null;
            leaderId = null;
            store.writeGroup(this, error -> { });
            return;
        }
        protocolName = selectProtocol();
        if (leaderId == null || !members.containsKey(leaderId))
        {
            leaderId = members.keySet().iterator().next();
        }
        state = GroupState.COMPLETING_REBALANCE;
        for (final Member m : members.values())
        {
            final CompletableFuture<JoinGroupResponseData> f = m.awaitingJoin;
            m.awaitingJoin = null;
            m.touch(now);
            f.complete(currentJoinAnswer(m, m.joinVersion, false));
        }
    }

    private String selectProtocol()
    {
        final Set<String> candidates = candidateProtocols();
        final Map<String, Integer> votes = new LinkedHashMap<>();
        candidates.forEach(c -> votes.put(c, 0));
        for (final Member m : members.values())
        {
            for (final Member.Protocol p : m.protocols)
            {
                if (candidates.contains(p.name()))
                {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int most = -1;
        for (final Map.Entry<String, Integer> e : votes.entrySet())
        {
            if (e.getValue() > most)
            {
                best = e.getKey();
                most = e.getValue();
            }
        }
        return best;
    }

    private JoinGroupResponseData currentJoinAnswer(final Member m, final short version, final boolean skipAssignment)
    {
        final JoinGroupResponseData r = new JoinGroupResponseData().setErrorCode(Errors.NONE.code()).setGenerationId(generationId)
            .setProtocolType(protocolType).setProtocolName(protocolName).setLeader(leaderId).setMemberId(m.memberId)
            .setSkipAssignment(skipAssignment);
        if (m.memberId.equals(leaderId))
        {
            for (final Member other : members.values())
            {
                final byte[] metadata = other.metadata(protocolName);
                r.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(other.memberId)
                    .setGroupInstanceId(version >= 5 ? other.groupInstanceId : null).setMetadata(metadata == null ? new byte[0] : metadata));
            }
        }
        return r;
    }

    static JoinGroupResponseData joinAnswer(final String memberId, final Errors error)
    {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1).setMemberId(memberId).setLeader("")
            .setProtocolName(null).setProtocolType(null);
    }

    static CompletableFuture<JoinGroupResponseData> joinError(final String memberId, final Errors error)
    {
        return CompletableFuture.completedFuture(joinAnswer(memberId, error));
    }

    // ---------------------------------------------------------------------------------------------
    // SyncGroup, Heartbeat, LeaveGroup
    // ---------------------------------------------------------------------------------------------

    CompletableFuture<SyncGroupResponseData> sync(final String memberId, final String groupInstanceId, final int generation,
        final String type, final String protocol, final Map<String, byte[]> assignments)
    {
        final Errors check = checkMember(memberId, groupInstanceId, generation);
        if (check != Errors.NONE)
        {
            return CompletableFuture.completedFuture(syncAnswer(check, null));
        }
        if (type != null && !type.equals(protocolType) || protocol != null && !protocol.equals(protocolName))
        {
            return CompletableFuture.completedFuture(syncAnswer(Errors.INCONSISTENT_GROUP_PROTOCOL, null));
        }
        final Member m = members.get(memberId);
        m.touch(store.nowMs());
        final CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
        switch (state)
        {
            case PREPARING_REBALANCE -> future.complete(syncAnswer(Errors.REBALANCE_IN_PROGRESS, null));
            case STABLE -> future.complete(syncAnswer(Errors.NONE, m.assignment));
            case COMPLETING_REBALANCE ->
            {
                if (m.awaitingSync != null)
                {
                    m.awaitingSync.complete(syncAnswer(Errors.REBALANCE_IN_PROGRESS, null));
                }
                m.awaitingSync = future;
                if (memberId.equals(leaderId))
                {
                    leaderSync(assignments);
                }
            }
            default -> future.complete(syncAnswer(Errors.UNKNOWN_MEMBER_ID, null));
        }
        return future;
    }

    private void leaderSync(final Map<String, byte[]> assignments)
    {
        for (final Member m : members.values())
        {
            final byte[] a = assignments.get(m.memberId);
            m.assignment = a == null ? new byte[0] : a;
        }
        final int generation = generationId;
        store.writeGroup(this, error ->
        {
            synchronized (this)
            {
                if (state != GroupState.COMPLETING_REBALANCE || generation != generationId)
                {
                    return; // a rebalance started meanwhile: the syncs were answered then
                }
                if (error != Errors.NONE)
                {
                    resetAssignments(error);
                    prepareRebalance();
                    return;
                }
                state = GroupState.STABLE;
                for (final Member m : members.values())
                {
                    if (m.awaitingSync != null)
                    {
                        m.awaitingSync.complete(syncAnswer(Errors.NONE, m.assignment));
                        m.awaitingSync = null;
                    }
                }
            }
        });
    }

    private void resetAssignments(final Errors error)
    {
        for (final Member m : members.values())
        {
            m.assignment = new byte[0];
            if (m.awaitingSync != null)
            {
                m.awaitingSync.complete(syncAnswer(error, null));
                m.awaitingSync = null;
            }
        }
    }

    private SyncGroupResponseData syncAnswer(final Errors error, final byte[] assignment)
    {
        return new SyncGroupResponseData().setErrorCode(error.code()).setProtocolType(error == Errors.NONE ? protocolType : null)
            .setProtocolName(error == Errors.NONE ? protocolName : null).setAssignment(assignment == null ? new byte[0] : assignment);
    }

    /**
     * The checks shared by SyncGroup, Heartbeat and member OffsetCommits.
     */
    private Errors checkMember(final String memberId, final String groupInstanceId, final int generation)
    {
        if (state == GroupState.DEAD)
        {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (replacedInstance(memberId, groupInstanceId))
        {
            return Errors.FENCED_INSTANCE_ID;
        }
        final Member m = members.get(memberId);
        if (m == null)
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (fenced(m, groupInstanceId))
        {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (generation != generationId)
        {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    Errors heartbeat(final String memberId, final String groupInstanceId, final int generation)
    {
        final Errors check = checkMember(memberId, groupInstanceId, generation);
        if (check != Errors.NONE)
        {
            return check;
        }
        members.get(memberId).touch(store.nowMs());
        return switch (state)
        {
            case PREPARING_REBALANCE -> Errors.REBALANCE_IN_PROGRESS;
            case COMPLETING_REBALANCE, STABLE -> Errors.NONE;
            default -> Errors.UNKNOWN_MEMBER_ID;
        };
    }

    /**
     * @param memberId        the member id ("" to leave by instance id).
     * @param groupInstanceId the instance id, or null.
     * @return the member's outcome.
     */
    Errors leave(final String memberId, final String groupInstanceId)
    {
        if (state == GroupState.DEAD)
        {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        final Member m;
        if (groupInstanceId != null)
        {
            final String current = staticMembers.get(groupInstanceId);
            if (current == null)
            {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !memberId.equals(current))
            {
                return Errors.FENCED_INSTANCE_ID;
            }
            m = members.get(current);
        }
        else
        {
            if (pendingMembers.remove(memberId) != null)
            {
                maybeCompleteJoin();
                return Errors.NONE;
            }
            m = members.get(memberId);
            if (m == null)
            {
                return Errors.UNKNOWN_MEMBER_ID;
            }
        }
        remove(m);
        afterRemoval();
        return Errors.NONE;
    }

    private void remove(final Member m)
    {
        members.remove(m.memberId);
        if (m.isStatic())
        {
            staticMembers.remove(m.groupInstanceId, m.memberId);
        }
        if (m.awaitingJoin != null)
        {
            m.awaitingJoin.complete(joinAnswer(m.memberId, Errors.UNKNOWN_MEMBER_ID));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null)
        {
            m.awaitingSync.complete(syncAnswer(Errors.UNKNOWN_MEMBER_ID, null));
            m.awaitingSync = null;
        }
        if (m.memberId.equals(leaderId))
        {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    private void afterRemoval()
    {
        switch (state)
        {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance();
            case PREPARING_REBALANCE -> maybeCompleteJoin();
            default ->
            {
            }
        }
    }

    /**
     * Expires pending member ids and silent members; completes a rebalance whose time is up.
     *
     * @param nowMs the time now.
     */
    void tick(final long nowMs)
    {
        if (state == GroupState.DEAD)
        {
            return;
        }
        boolean changed = pendingMembers.values().removeIf(deadline -> deadline <= nowMs);
        final List<Member> expired = new ArrayList<>();
        for (final Member m : members.values())
        {
            if (m.awaitingJoin == null && m.awaitingSync == null && m.sessionDeadlineMs <= nowMs)
            {
                expired.add(m);
            }
        }
        for (final Member m : expired)
        {
            remove(m);
            changed = true;
        }
        if (!expired.isEmpty())
        {
            afterRemoval();
        }
        else if (changed)
        {
            maybeCompleteJoin();
        }
        if (state == GroupState.PREPARING_REBALANCE && nowMs >= rebalanceDeadlineMs)
        {
            completeJoin();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // offsets
    // ---------------------------------------------------------------------------------------------

    /**
     * Who may commit: a member of the current generation (not while the leader's assignment is awaited),
     * or anyone with generation -1 and no member id while the group is empty (admin tools, assign()).
     */
    Errors checkCommit(final String memberId, final String groupInstanceId, final int generation)
    {
        if (state == GroupState.DEAD)
        {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generation < 0 && state == GroupState.EMPTY)
        {
            return Errors.NONE;
        }
        final Errors check = checkMember(memberId, groupInstanceId, generation);
        if (check != Errors.NONE)
        {
            return check;
        }
        if (state == GroupState.COMPLETING_REBALANCE)
        {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        members.get(memberId).touch(store.nowMs());
        return Errors.NONE;
    }

    /**
     * Applies a committed offset (or its tombstone, value null) found at {@code logOffset}: only records
     * later in the log than the one held replace it.
     */
    void applyOffset(final TopicPartition tp, final OffsetsRecords.OffsetValue value, final long logOffset)
    {
        final Committed held = offsets.get(tp);
        if (held != null && held.logOffset() >= logOffset)
        {
            return;
        }
        if (value == null)
        {
            offsets.remove(tp);
        }
        else
        {
            offsets.put(tp, new Committed(value, logOffset));
        }
    }

    /**
     * Kafka's offsets retention (KIP-211), run every {@code offsets.retention.check.interval.ms}: in an EMPTY group
     * the offsets older than {@code retentionMs} are removed (a group without a protocol type, which only commits,
     * counts from each commit; a consumer group from when it became empty); an EMPTY group left without offsets
     * and without members being admitted is marked DEAD, for the caller to write its tombstones and forget it.
     *
     * @param nowMs       the time now.
     * @param retentionMs {@code offsets.retention.minutes} in milliseconds.
     * @return the partitions whose offsets expired (the caller writes their tombstones).
     */
    List<TopicPartition> expire(final long nowMs, final long retentionMs)
    {
        if (state != GroupState.EMPTY)
        {
            return List.of();
        }
        final boolean standalone = protocolType == null || protocolType.isEmpty();
        final List<TopicPartition> expired = new ArrayList<>();
        for (final Map.Entry<TopicPartition, Committed> e : offsets.entrySet())
        {
            final long from = standalone ? e.getValue().value().commitTimestampMs() : emptySinceMs;
            if (nowMs - from >= retentionMs)
            {
                expired.add(e.getKey());
            }
        }
        expired.forEach(offsets::remove);
        if (offsets.isEmpty() && pendingMembers.isEmpty() && members.isEmpty())
        {
            markDead(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        return expired;
    }

    /**
     * Rebuilds membership from a metadata record found while loading (null: the group was deleted).
     */
    void loadMetadata(final OffsetsRecords.GroupValue v, final long nowMs)
    {
        members.clear();
        staticMembers.clear();
        pendingMembers.clear();
        emptySinceMs = nowMs;
        if (v == null)
        {
            state = GroupState.EMPTY;
            generationId = 0;
            protocolType = null;
            protocolName = null;
            leaderId = null;
            offsets.clear();
            return;
        }
        protocolType = v.protocolType();
        generationId = v.generation();
        protocolName = v.protocol();
        leaderId = v.leader();
        for (final OffsetsRecords.MemberValue mv : v.members())
        {
            final Member m = new Member(mv.memberId(), mv.groupInstanceId(), mv.clientId(), mv.clientHost(), mv.rebalanceTimeoutMs(),
                mv.sessionTimeoutMs(), List.of(new Member.Protocol(protocolName == null ? "" : protocolName,
                mv.subscription() == null ? new byte[0] : mv.subscription())));
            m.assignment = mv.assignment() == null ? new byte[0] : mv.assignment();
            m.touch(nowMs);
            members.put(m.memberId, m);
            if (m.isStatic())
            {
                staticMembers.put(m.groupInstanceId, m.memberId);
            }
        }
        state = members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
    }

    /**
     * @return the group's metadata as written to the log.
     */
    OffsetsRecords.GroupValue toValue()
    {
        final List<OffsetsRecords.MemberValue> list = new ArrayList<>();
        for (final Member m : members.values())
        {
            final byte[] sub = protocolName == null ? null : m.metadata(protocolName);
            list.add(new OffsetsRecords.MemberValue(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs,
                m.sessionTimeoutMs, sub == null ? new byte[0] : sub, m.assignment));
        }
        return new OffsetsRecords.GroupValue(protocolType, generationId, protocolName, leaderId, store.nowMs(), list);
    }

    /**
     * Unloads or deletes the group: waiting joins and syncs are told to find the coordinator again.
     */
    void markDead(final Errors error)
    {
        for (final Member m : members.values())
        {
            if (m.awaitingJoin != null)
            {
                m.awaitingJoin.complete(joinAnswer(m.memberId, error));
                m.awaitingJoin = null;
            }
            if (m.awaitingSync != null)
            {
                m.awaitingSync.complete(syncAnswer(error, null));
                m.awaitingSync = null;
            }
        }
        state = GroupState.DEAD;
    }

    /**
     * @return topics the members subscribe to (consumer protocol only), for OffsetDelete.
     */
    Set<String> subscribedTopics()
    {
        final Set<String> topics = new LinkedHashSet<>();
        if (!"consumer".equals(protocolType) || protocolName == null)
        {
            return topics;
        }
        for (final Member m : members.values())
        {
            final byte[] md = m.metadata(protocolName);
            if (md == null || md.length == 0)
            {
                continue;
            }
            try
            {
                topics.addAll(org.apache.kafka.clients.consumer.internals.ConsumerProtocol
                    .deserializeSubscription(java.nio.ByteBuffer.wrap(md)).topics());
            }
            catch (final RuntimeException ex)
            {
                // not a consumer subscription: nothing to protect
            }
        }
        return topics;
    }
}
