package io.tidemark.broker.group;

/**
 * The states of a classic group, with the names Kafka's tools show.
 *
 * <pre>
 *   Empty --join--> PreparingRebalance --all joined or rebalance timeout--> CompletingRebalance
 *     ^                 ^        |                                            |      |
 *     |                 |        +--no member left----------------> Empty     |      | leader's SyncGroup
 *     |                 +---- join, leave, session timeout -------------------+      | written (acks=all)
 *     |                 +---- join (leader or changed protocols), leave, timeout --- Stable
 *   Dead: deleted or unloaded (this broker no longer coordinates it)
 * </pre>
 */
public enum GroupState
{
    /** No members (offsets may remain). */
    EMPTY("Empty"),
    /** Waiting for members to (re)join. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** Joined; waiting for the leader's assignment. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Assignment written and handed out. */
    STABLE("Stable"),
    /** Deleted or unloaded. */
    DEAD("Dead");

    private final String wireName;

    GroupState(final String wireName)
    {
        this.wireName = wireName;
    }

    /**
     * @return the name in DescribeGroups and ListGroups.
     */
    public String wireName()
    {
        return wireName;
    }
}
