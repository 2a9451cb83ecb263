package io.tidemark.broker.producer;

/**
 * Hands out producer ids for InitProducerId. Ids never repeat, across restarts included. The single-node
 * broker without a quorum uses {@link LocalProducerIdManager}; with a controller quorum,
 * {@link ControllerProducerIdManager} hands out ids of blocks the controller allocated cluster-wide.
 */
@FunctionalInterface
public interface ProducerIdManager
{
    /** Returned by {@link #nextProducerId()} when no id is available yet (a block is being fetched): retry. */
    long NO_PRODUCER_ID = -1;

    /**
     * @return a producer id never returned before, or {@link #NO_PRODUCER_ID} if none is available now
     *         (the caller answers with a retriable error, as Kafka does with COORDINATOR_LOAD_IN_PROGRESS).
     * @throws java.io.UncheckedIOException if the next block cannot be persisted.
     */
    long nextProducerId();
}
