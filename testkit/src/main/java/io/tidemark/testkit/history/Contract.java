package io.tidemark.testkit.history;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a run promises (RELIABILITY.md §1), i.e. which anomalies are fatal and which are only counted, and
 * the options that change what the checks look for. Immutable; start from a preset and adjust:
 *
 * <pre>
 *   Contract.acksAll().toBuilder().idempotent(true).recoveryBoundMs(30_000).build()
 * </pre>
 */
public final class Contract
{
    /** Which sends the real-time order check compares. */
    public enum RealTimeOrder
    {
        /** No real-time order check. */
        NONE,
        /** A send invoked after the same producer's acknowledged send must land at a higher offset. */
        PER_PRODUCER,
        /** A send invoked after any acknowledged send to the same partition must land at a higher offset. */
        ALL_PRODUCERS
    }

    private final String name;
    private final Set<AnomalyKind> fatal;
    private final boolean idempotent;
    private final boolean allNodePowerLossWithoutBatch;
    private final RealTimeOrder realTimeOrder;
    private final long recoveryBoundMs;

    private Contract(final Builder b)
    {
        this.name = b.name;
        this.fatal = EnumSet.copyOf(b.fatal);
        this.idempotent = b.idempotent;
        this.allNodePowerLossWithoutBatch = b.allNodePowerLossWithoutBatch;
        this.realTimeOrder = b.realTimeOrder;
        this.recoveryBoundMs = b.recoveryBoundMs;
    }

    /**
     * acks=all, RF=3, min.insync.replicas=2, unclean election off: an acknowledged record is never lost and
     * never moves; duplicates (producer retries without idempotence) and unseen acks are counted.
     *
     * @return the contract.
     */
    public static Contract acksAll()
    {
        return new Builder("acks=all minISR=2").build();
    }

    /**
     * acks=1: acknowledged records may be lost on failover (counted), but nothing uncommitted is ever
     * visible, so read-then-lost stays fatal.
     *
     * @return the contract.
     */
    public static Contract acks1()
    {
        return new Builder("acks=1").counted(AnomalyKind.LOST_ACKED).build();
    }

    /**
     * acks=0: no acknowledgement means nothing about durability or order (lost and reordered are counted);
     * still no inconsistent offsets, no corruption, no read-then-lost.
     *
     * @return the contract.
     */
    public static Contract acks0()
    {
        return new Builder("acks=0").counted(AnomalyKind.LOST_ACKED).counted(AnomalyKind.REORDERED)
            .realTimeOrder(RealTimeOrder.PER_PRODUCER).build();
    }

    /** @return a builder starting from this contract. */
    public Builder toBuilder()
    {
        final Builder b = new Builder(name);
        b.fatal.clear();
        b.fatal.addAll(fatal);
        b.idempotent = idempotent;
        b.allNodePowerLossWithoutBatch = allNodePowerLossWithoutBatch;
        b.realTimeOrder = realTimeOrder;
        b.recoveryBoundMs = recoveryBoundMs;
        return b;
    }

    /** @return the contract's name, e.g. {@code acks=all minISR=2 idempotent}. */
    public String name()
    {
        return name;
    }

    /**
     * @param kind an anomaly kind.
     * @return true when one such anomaly fails the run.
     */
    public boolean isFatal(final AnomalyKind kind)
    {
        return fatal.contains(kind);
    }

    /** @return true when producers are idempotent: per-producer send order is checked too. */
    public boolean idempotent()
    {
        return idempotent;
    }

    /** @return true when the run cut power to every node at once without the {@code batch} flush policy. */
    public boolean allNodePowerLossWithoutBatch()
    {
        return allNodePowerLossWithoutBatch;
    }

    /** @return which sends the real-time order check compares. */
    public RealTimeOrder realTimeOrder()
    {
        return realTimeOrder;
    }

    /** @return the longest allowed time from a heal to the next acknowledgement, or 0 for no bound. */
    public long recoveryBoundMs()
    {
        return recoveryBoundMs;
    }

    @Override
    public String toString()
    {
        final Set<AnomalyKind> counted = EnumSet.complementOf(EnumSet.copyOf(fatal));
        return name + " [fatal: " + fatal.stream().map(Enum::name).collect(Collectors.joining(", "))
            + "; counted: " + counted.stream().map(Enum::name).collect(Collectors.joining(", "))
            + "; real-time order: " + realTimeOrder
            + (recoveryBoundMs > 0 ? "; recovery bound " + recoveryBoundMs + " ms" : "") + "]";
    }

    /** Builds a {@link Contract}. */
    public static final class Builder
    {
        private String name;
        private final Set<AnomalyKind> fatal = EnumSet.allOf(AnomalyKind.class);
        private boolean idempotent;
        private boolean allNodePowerLossWithoutBatch;
        private RealTimeOrder realTimeOrder = RealTimeOrder.ALL_PRODUCERS;
        private long recoveryBoundMs;

        /**
         * Everything fatal except {@code DUPLICATE}, {@code UNSEEN_ACKED} and {@code SLOW_RECOVERY} (the
         * latter becomes fatal with {@link #recoveryBoundMs}).
         *
         * @param name the contract's name.
         */
        public Builder(final String name)
        {
            this.name = name;
            fatal.remove(AnomalyKind.DUPLICATE);
            fatal.remove(AnomalyKind.UNSEEN_ACKED);
            fatal.remove(AnomalyKind.SLOW_RECOVERY);
        }

        /**
         * @param kind an anomaly that fails the run.
         * @return this.
         */
        public Builder fatal(final AnomalyKind kind)
        {
            fatal.add(kind);
            return this;
        }

        /**
         * @param kind an anomaly that is only counted.
         * @return this.
         * @throws IllegalArgumentException for a kind fatal under every contract.
         */
        public Builder counted(final AnomalyKind kind)
        {
            if (kind.alwaysFatal())
            {
                throw new IllegalArgumentException(kind + " is fatal under every contract");
            }
            fatal.remove(kind);
            return this;
        }

        /**
         * Idempotent producers: duplicates become fatal and per-producer send order is checked.
         *
         * @param on whether producers are idempotent.
         * @return this.
         */
        public Builder idempotent(final boolean on)
        {
            idempotent = on;
            if (on)
            {
                fatal.add(AnomalyKind.DUPLICATE);
                fatal.add(AnomalyKind.REORDERED);
                name = name.endsWith(" idempotent") ? name : name + " idempotent";
            }
            return this;
        }

        /**
         * The run cut power to every node at once and the flush policy was not {@code batch}: committed
         * records may be lost, so lost acks and read-then-lost are counted, and a polled offset beyond the
         * final read is no longer proof of a read beyond the high watermark.
         *
         * @param on whether that happened.
         * @return this.
         */
        public Builder allNodePowerLossWithoutBatch(final boolean on)
        {
            allNodePowerLossWithoutBatch = on;
            if (on)
            {
                fatal.remove(AnomalyKind.LOST_ACKED);
                fatal.remove(AnomalyKind.READ_THEN_LOST);
                name = name + " all-node-power-loss";
            }
            return this;
        }

        /**
         * @param order which sends the real-time order check compares.
         * @return this.
         */
        public Builder realTimeOrder(final RealTimeOrder order)
        {
            realTimeOrder = order;
            return this;
        }

        /**
         * @param boundMs the longest allowed time from a heal to the next acknowledgement; makes
         *                {@code SLOW_RECOVERY} fatal. 0 removes the bound.
         * @return this.
         */
        public Builder recoveryBoundMs(final long boundMs)
        {
            if (boundMs < 0)
            {
                throw new IllegalArgumentException("recoveryBoundMs " + boundMs + " < 0");
            }
            recoveryBoundMs = boundMs;
            if (boundMs > 0)
            {
                fatal.add(AnomalyKind.SLOW_RECOVERY);
            }
            else
            {
                fatal.remove(AnomalyKind.SLOW_RECOVERY);
            }
            return this;
        }

        /**
         * @param name the contract's name.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /** @return the contract. */
        public Contract build()
        {
            return new Contract(this);
        }
    }
}
