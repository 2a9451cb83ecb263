/**
 * The Produce API: validation of client batches in Kafka's order and appends through the replication
 * layer, acks 0, 1 and all.
 */
package io.tidemark.broker.produce;
