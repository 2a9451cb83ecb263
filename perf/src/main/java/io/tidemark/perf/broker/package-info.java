/**
 * Broker benchmarks on the official Kafka clients: {@link io.tidemark.perf.broker.ClientPerf}, run against
 * Tidemark and Apache Kafka on the same machine by {@code perf/scripts/broker-bench.sh}.
 */
package io.tidemark.perf.broker;
