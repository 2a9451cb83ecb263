/**
 * Benchmarks and the durability-vs-latency lab.
 */
package io.tidemark.perf;
