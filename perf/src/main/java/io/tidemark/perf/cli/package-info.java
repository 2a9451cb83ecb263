/**
 * {@code tidemark dev}: a local cluster of broker processes on loopback, and the cluster layout (ports and
 * {@code server.properties}) it shares with the process-level tests.
 */
package io.tidemark.perf.cli;
