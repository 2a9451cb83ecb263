/**
 * Faults as data (RELIABILITY.md §3): a {@link io.tidemark.testkit.fault.FaultSchedule} of
 * {@link io.tidemark.testkit.fault.Fault}s generated from one printed seed, played by a
 * {@link io.tidemark.testkit.fault.FaultRunner} that always heals, through a
 * {@link io.tidemark.testkit.fault.FaultInjector} such as {@link io.tidemark.testkit.fault.ClusterFaults}
 * (processes and network links).
 */
package io.tidemark.testkit.fault;
