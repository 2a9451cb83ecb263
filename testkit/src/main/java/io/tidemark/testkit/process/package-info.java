/**
 * Out-of-process clusters: {@link io.tidemark.testkit.process.ProcessCluster} starts nodes as child
 * processes (per node a working directory, a config file, captured output), kills (-9), stops (SIGTERM,
 * a hung shutdown is a failure), pauses (SIGSTOP/SIGCONT), wipes and corrupts them
 * ({@link io.tidemark.testkit.process.Corruption}), and kills everything on close.
 */
package io.tidemark.testkit.process;
