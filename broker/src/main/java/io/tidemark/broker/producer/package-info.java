/**
 * Idempotent producers: producer ids ({@link io.tidemark.broker.producer.ProducerIdManager}) and the
 * per-partition state (epochs, last 5 batches, duplicates answered with their original offsets) kept on
 * each log's writer thread through the engine's append interceptor, snapshotted and rebuilt on restart
 * ({@link io.tidemark.broker.producer.ProducerStates}).
 */
package io.tidemark.broker.producer;
