package io.tidemark.replication.controller;

/**
 * A block of producer ids the controller gave one broker (Kafka's {@code ProducerIdsBlock}, KIP-730):
 * the ids {@code [firstProducerId, firstProducerId + size)} belong to that broker alone, forever. The
 * controller records the start of the next block in the replicated metadata
 * ({@link MetadataImage#nextProducerId()}), so no block is given twice, across broker disk loss and
 * controller failover.
 *
 * @param brokerId        the broker the block was allocated to.
 * @param firstProducerId the first id of the block.
 * @param size            the number of ids in the block.
 */
public record ProducerIdBlock(int brokerId, long firstProducerId, int size)
{
    /** Ids per block, as in Kafka. */
    public static final int SIZE = 1000;

    /**
     * Checks the bounds.
     */
    public ProducerIdBlock
    {
        if (firstProducerId < 0 || size < 1 || firstProducerId > Long.MAX_VALUE - size)
        {
            throw new IllegalArgumentException("invalid producer id block: first " + firstProducerId + ", size " + size);
        }
    }

    /**
     * @return the last id of the block.
     */
    public long lastProducerId()
    {
        return firstProducerId + size - 1;
    }

    /**
     * @return the first id after the block.
     */
    public long nextBlockFirstId()
    {
        return firstProducerId + size;
    }
}
