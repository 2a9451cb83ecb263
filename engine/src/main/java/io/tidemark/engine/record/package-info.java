/**
 * Kafka RecordBatch v2 (magic 2) through zero-allocation flyweights over Agrona buffers: the batch
 * header layout, a batch flyweight, a record flyweight, a builder and a validator. These bytes are the
 * on-disk and on-the-wire format, byte for byte.
 */
package io.tidemark.engine.record;
