/**
 * The Tidemark storage engine: a memory-mapped, segmented commit log that stores Kafka v2 record
 * batches byte for byte, with sparse offset and time indexes, a lock-free multi-producer append path,
 * runtime-switchable flush policies and crash recovery. It can be embedded on its own.
 */
package io.tidemark.engine;
