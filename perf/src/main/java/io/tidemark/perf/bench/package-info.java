/**
 * The durability-vs-latency lab, {@code tidemark bench}: for every cell of flush policy x acks x replication
 * factor x record size it measures what the policy costs (throughput, produce and end-to-end latency) and
 * what it risks (acknowledged records actually gone after a power cut and read-back), and writes a
 * terminal table, CSV, JSON, {@code .hgrm} files and a self-contained HTML report.
 *
 * <pre>
 *  BenchCommand (picocli) --&gt; SweepPlan --&gt; Lab --per cell--&gt; BenchCluster (embedded brokers, or any
 *                                              |                  Kafka-API cluster without cuts)
 *                                              +-- LoadGenerator (kafka-clients producer; closed / open loop)
 *                                              +-- EndToEnd      (consumer: end-to-end latency)
 *                                              +-- LossTrial     (load, power cut, restart, ReadBack)
 *                                              v
 *                                         SweepResult --&gt; Reports (table, CSV, JSON, hgrm) + HtmlReport
 * </pre>
 */
package io.tidemark.perf.bench;
