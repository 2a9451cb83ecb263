/**
 * Replication benchmarks on an embedded three-broker cluster: {@link io.tidemark.perf.replication.ReplicationBench}
 * (acks=all with replication factor 3 against acks=1 with factor 1, the leader's append-to-high-watermark delay,
 * and flush policy {@code batch} against {@code none}).
 */
package io.tidemark.perf.replication;
