/**
 * Histories and their checker (RELIABILITY.md §4): a workload records every operation in a
 * {@link io.tidemark.testkit.history.History} (invoke, then ok / fail / info), writes
 * {@link io.tidemark.testkit.history.Values} (unique 64-bit values with a CRC), reads every partition at
 * the end into a {@link io.tidemark.testkit.history.FinalRead}, and the
 * {@link io.tidemark.testkit.history.Checker} returns a {@link io.tidemark.testkit.history.Report}: every
 * {@link io.tidemark.testkit.history.AnomalyKind} found, fatal or counted according to the run's
 * {@link io.tidemark.testkit.history.Contract}, with availability and latency.
 */
package io.tidemark.testkit.history;
