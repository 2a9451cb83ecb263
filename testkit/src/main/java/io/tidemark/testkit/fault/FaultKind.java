package io.tidemark.testkit.fault;

/**
 * The faults of RELIABILITY.md §3 that a schedule can hold, and what each targets. The process and
 * network kinds are carried out by {@link ClusterFaults}; the others need a hook in the product (sync
 * ledger, faulty storage, injectable clock) and a handler registered with {@link ClusterFaults#on}.
 */
public enum FaultKind
{
    /** kill -9 one node; heal: start it. */
    KILL(Targets.ONE),
    /** kill -9 two nodes at once; heal: start both. */
    KILL_TWO(Targets.TWO),
    /** SIGTERM one node (a hung shutdown is a failure); heal: start it. */
    BOUNCE(Targets.ONE),
    /** SIGSTOP one node; heal: SIGCONT (longer than the session timeout: the zombie leader). */
    PAUSE(Targets.ONE),
    /** kill -9 one node and delete its data; heal: start it empty. */
    WIPE(Targets.ONE),
    /** Blackhole every link to and from one node; heal: pass. */
    ISOLATE(Targets.ONE),
    /** Blackhole every link between two sides; heal: pass. */
    PARTITION(Targets.SIDES),
    /** Delay every link to and from one node; heal: pass. */
    LINK_DELAY(Targets.ONE),
    /** Links into one node forward requests and drop responses; heal: pass. */
    DROP_RESPONSES(Targets.ONE),
    /** Links into one node refuse connections; heal: pass. */
    REFUSE(Targets.ONE),
    /** Every connection to and from one node is reset, for the duration; heal: pass. */
    LINK_RESET(Targets.ONE),
    /** One node loses its un-fsynced data (needs the sync ledger). */
    POWER_LOSS_ONE(Targets.ONE),
    /** Every node loses its un-fsynced data at once (needs the sync ledger). */
    POWER_LOSS_ALL(Targets.ALL),
    /** A file of a stopped node is corrupted. */
    CORRUPT(Targets.ONE),
    /** One node's clock jumps. */
    CLOCK_JUMP(Targets.ONE),
    /** One node's disk is full. */
    DISK_FULL(Targets.ONE),
    /** One node's fsync fails with EIO. */
    FSYNC_EIO(Targets.ONE);

    /** What a fault of a kind is aimed at. */
    public enum Targets
    {
        /** One node. */
        ONE,
        /** Two distinct nodes, comma-separated. */
        TWO,
        /** Two non-empty disjoint sides covering every node: {@code a,b|c}. */
        SIDES,
        /** Every node, comma-separated. */
        ALL
    }

    private final Targets targets;

    FaultKind(final Targets targets)
    {
        this.targets = targets;
    }

    /** @return what a fault of this kind targets. */
    public Targets targets()
    {
        return targets;
    }
}
