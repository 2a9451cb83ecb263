/**
 * The broker's metrics: Kafka's JMX object and attribute names (Yammer's MBean shapes for meters, gauges,
 * histograms and timers; Kafka-metrics attribute groups for {@code socket-server-metrics},
 * {@code group-coordinator-metrics} and {@code raft-metrics}), Tidemark's own {@code tidemark.*} names, and
 * the same metrics in Prometheus' text format on {@code metrics.http.listener}. The engine, the transport and
 * replication only count ({@code SyncStats}, {@code TransportCounters}, {@code ReplicationStats}); this package
 * names what they count. Recording allocates nothing: {@link io.tidemark.broker.metrics.Meter} is a
 * {@link java.util.concurrent.atomic.LongAdder}, {@link io.tidemark.broker.metrics.Histogram} an HdrHistogram
 * {@code Recorder}; rates, windows and snapshots are computed by readers.
 */
package io.tidemark.broker.metrics;
