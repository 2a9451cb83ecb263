package io.tidemark.replication.controller.raft;

import java.time.Clock;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import io.microraft.executor.RaftNodeExecutor;
import io.tidemark.replication.Scheduler;

/**
 * The seams a {@link RaftController} runs on: in production threads, the system clock and the
 * transport ({@link RaftController#start(ControllerQuorumConfig, io.tidemark.engine.storage.Storage)});
 * in a deterministic simulation one seeded event loop, a virtual clock and an in-memory network.
 *
 * @param raftExecutor runs the Raft node (one task at a time).
 * @param clock        MicroRaft's clock; only {@code millis()} is read. A virtual clock must start far
 *                     from 0 (MicroRaft's "last heartbeat" starts at 0).
 * @param random       MicroRaft's election noise, and the seed of session and topic ids.
 * @param scheduler    the controller's own event loop (requests, retries, broker liveness).
 * @param publisher    runs listener calls, one at a time, in order.
 * @param network      reaches the other voters.
 * @param shutdown     given the node's termination future when the controller closes; stops the
 *                     threads (waiting for it first) in production, nothing in a simulation.
 */
public record RaftControllerRuntime(
    RaftNodeExecutor raftExecutor,
    Clock clock,
    Random random,
    Scheduler scheduler,
    Executor publisher,
    QuorumNetwork network,
    Consumer<CompletableFuture<?>> shutdown)
{
}
