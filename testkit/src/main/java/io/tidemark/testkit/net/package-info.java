/**
 * Network faults on loopback: {@link io.tidemark.testkit.net.FaultProxy} puts one directed link (every
 * connection one node opens to another) under control at runtime — pass, delay, stall, blackhole, drop
 * responses, reset, refuse — and {@link io.tidemark.testkit.net.ProxyNetwork} manages a full mesh of such
 * links between named nodes with partition, isolate and heal.
 */
package io.tidemark.testkit.net;
