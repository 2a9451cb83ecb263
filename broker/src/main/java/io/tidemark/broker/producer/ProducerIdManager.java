package io.tidemark.broker.producer;

/**
 * Hands out producer ids for InitProducerId. Ids never repeat, across restarts included. The single-node
 * broker uses {@link LocalProducerIdManager}; a replicated controller allocates blocks cluster-wide.
 */
@FunctionalInterface
public interface ProducerIdManager
{
    /**
     * @return a producer id never returned before.
     * @throws java.io.UncheckedIOException if the next block cannot be persisted.
     */
    long nextProducerId();
}
