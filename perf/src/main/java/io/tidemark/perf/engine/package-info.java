/**
 * JMH benchmarks of the storage engine, each beside the ceiling it is judged against, measured in the
 * same run: append throughput (raw mapped-file copy), group commit (raw write + fdatasync), the
 * writer ring against a lock-per-log appender, allocation on the hot paths, {@code transferTo} of a
 * log slice (raw {@code transferTo} of the same file region) and Chronicle Queue as the embedded peer.
 * Figures and commands are in {@code docs/BENCHMARKS.md}.
 */
package io.tidemark.perf.engine;
