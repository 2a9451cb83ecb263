package io.tidemark.replication.controller;

import java.util.function.UnaryOperator;

/**
 * The producer id allocation rule every controller applies (Kafka's {@code ProducerIdControlManager}):
 * a registered broker presenting its current broker epoch gets the next {@link ProducerIdBlock#SIZE}
 * ids, and the image's {@link MetadataImage#nextProducerId()} moves past them. A pure function of the
 * image, like {@link ControllerTopics}, so every voter applying the same log computes the same blocks.
 *
 * <p>The first block starts at {@link #FIRST_PRODUCER_ID}, not 0: before controller-allocated blocks, a
 * broker with a quorum handed out {@code local * 65536 + node.id} from its own counter, and those ids may
 * still be held in partitions' producer state of an upgraded cluster. Every such id of a counter below
 * 2^32 is below 2^48, so no block overlaps them.
 */
public final class ControllerProducerIds
{
    /** The first id of the first block (above every id of the former per-broker residue classes). */
    public static final long FIRST_PRODUCER_ID = 1L << 48;

    private ControllerProducerIds()
    {
    }

    /**
     * A block and the image that records it.
     *
     * @param image the image after the allocation (version + 1).
     * @param block the block allocated.
     */
    public record Allocation(MetadataImage image, ProducerIdBlock block)
    {
    }

    /**
     * @param image       the current image.
     * @param brokerId    the asking broker.
     * @param brokerEpoch the broker epoch it presents.
     * @return the block and the image after it.
     * @throws ControllerException {@link ControllerException.Reason#STALE} if the broker is not registered
     *                             with that epoch (Kafka's STALE_BROKER_EPOCH); UNKNOWN if the ids are
     *                             exhausted.
     */
    public static Allocation allocate(final MetadataImage image, final int brokerId, final long brokerEpoch)
    {
        final BrokerInfo b = image.brokers().get(brokerId);
        if (b == null || b.epoch() != brokerEpoch)
        {
            throw new ControllerException(ControllerException.Reason.STALE,
                "broker " + brokerId + " with epoch " + brokerEpoch + " is not registered" +
                    (b == null ? "" : " (its registered epoch is " + b.epoch() + ")"));
        }
        final long first = Math.max(image.nextProducerId(), FIRST_PRODUCER_ID);
        if (first > Long.MAX_VALUE - ProducerIdBlock.SIZE)
        {
            throw new ControllerException(ControllerException.Reason.UNKNOWN, "producer ids are exhausted (next block at " + first + ")");
        }
        final ProducerIdBlock block = new ProducerIdBlock(brokerId, first, ProducerIdBlock.SIZE);
        final MetadataImage next = new MetadataImage(image.clusterId(), image.controllerId(), image.version() + 1, image.brokers(),
            image.topics(), block.nextBlockFirstId());
        return new Allocation(next, block);
    }

    /**
     * The allocation as an image transform for controllers that change their image in place
     * ({@link LocalController}, {@link InMemoryController}); {@link #block()} holds the block once applied.
     *
     * @param brokerId    the asking broker.
     * @param brokerEpoch the broker epoch it presents.
     * @return the transform.
     */
    public static Allocating allocating(final int brokerId, final long brokerEpoch)
    {
        return new Allocating(brokerId, brokerEpoch);
    }

    /**
     * See {@link #allocating(int, long)}. Not thread safe: one use, by the controller that applies it.
     */
    public static final class Allocating implements UnaryOperator<MetadataImage>
    {
        private final int brokerId;
        private final long brokerEpoch;
        private ProducerIdBlock block;

        private Allocating(final int brokerId, final long brokerEpoch)
        {
            this.brokerId = brokerId;
            this.brokerEpoch = brokerEpoch;
        }

        @Override
        public MetadataImage apply(final MetadataImage image)
        {
            final Allocation a = allocate(image, brokerId, brokerEpoch);
            block = a.block();
            return a.image();
        }

        /**
         * @return the block allocated, or null before {@link #apply}.
         */
        public ProducerIdBlock block()
        {
            return block;
        }
    }
}
