/**
 * Benchmarks of the broker's metrics: what recording costs on the produce and fetch paths.
 */
package io.tidemark.perf.metrics;
