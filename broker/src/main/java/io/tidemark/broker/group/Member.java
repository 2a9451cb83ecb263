package io.tidemark.broker.group;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group. Guarded by its group's lock.
 */
final class Member
{
    /**
     * A protocol the member supports, with its metadata (for consumers: the serialized subscription).
     *
     * @param name     the protocol (assignor) name.
     * @param metadata its metadata.
     */
    record Protocol(String name, byte[] metadata)
    {
        boolean sameAs(final Protocol other)
        {
            return name.equals(other.name) && Arrays.equals(metadata, other.metadata);
        }
    }

    String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    /** The join waiting for the rebalance to complete, or null. */
    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    /** Its request version (fields of the answer depend on it). */
    short joinVersion;
    /** The sync waiting for the leader's assignment, or null. */
    CompletableFuture<SyncGroupResponseData> awaitingSync;
    /** The member is gone unless it heartbeats (or joins, syncs, commits) before this time. */
    long sessionDeadlineMs;

    Member(final String memberId, final String groupInstanceId, final String clientId, final String clientHost,
        final int rebalanceTimeoutMs, final int sessionTimeoutMs, final List<Protocol> protocols)
    {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    boolean isStatic()
    {
        return groupInstanceId != null;
    }

    /**
     * @param name a protocol.
     * @return this member's metadata for it, or null.
     */
    byte[] metadata(final String name)
    {
        for (final Protocol p : protocols)
        {
            if (p.name().equals(name))
            {
                return p.metadata();
            }
        }
        return null;
    }

    /**
     * @param other protocols of a new join.
     * @return true if they are the same as now, in the same order.
     */
    boolean sameProtocols(final List<Protocol> other)
    {
        if (other.size() != protocols.size())
        {
            return false;
        }
        for (int i = 0; i < other.size(); i++)
        {
            if (!protocols.get(i).sameAs(other.get(i)))
            {
                return false;
            }
        }
        return true;
    }

    void touch(final long nowMs)
    {
        sessionDeadlineMs = nowMs + sessionTimeoutMs;
    }
}
