package io.tidemark.replication.controller.raft;

import io.microraft.RaftEndpoint;

/**
 * A controller voter as MicroRaft sees it: the node id of {@code controller.quorum.voters} and an
 * incarnation that tells a re-created node (wiped metadata directory, re-added as a new member) from
 * the one that voted before. The bootstrap voters all have incarnation 0, so every node derives the
 * same initial member list from the configuration.
 *
 * <p>Value equality and a fixed hash code: MicroRaft compares endpoints with {@code equals}, keys hash
 * maps on them, and a deterministic simulation needs the same iteration order in every run.
 *
 * @param nodeId      {@code node.id} of the voter.
 * @param incarnation 0 for a bootstrap voter.
 */
public record QuorumEndpoint(int nodeId, long incarnation) implements RaftEndpoint
{
    @Override
    public Object getId()
    {
        return nodeId;
    }

    @Override
    public int hashCode()
    {
        return 31 * nodeId + Long.hashCode(incarnation);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof QuorumEndpoint e && e.nodeId == nodeId && e.incarnation == incarnation;
    }

    @Override
    public String toString()
    {
        return incarnation == 0 ? "controller-" + nodeId : "controller-" + nodeId + "#" + incarnation;
    }
}
