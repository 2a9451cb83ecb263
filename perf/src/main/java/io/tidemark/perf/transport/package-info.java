/**
 * Transport benchmarks: request/response round trips and file-region streaming, each beside its raw-socket
 * ceiling measured in the same run.
 */
package io.tidemark.perf.transport;
