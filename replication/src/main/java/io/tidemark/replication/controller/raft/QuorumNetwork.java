package io.tidemark.replication.controller.raft;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * How controller nodes reach each other: one-way Raft messages and request/response controller RPCs,
 * addressed by voter node id, carrying opaque bytes. Production runs it over the internal transport
 * ({@link TransportQuorumNetwork}, the {@code CONTROLLER} listener); a deterministic simulation
 * delivers the same bytes through a seeded in-memory network.
 */
public interface QuorumNetwork extends AutoCloseable
{
    /**
     * What a node serves.
     */
    interface Inbound
    {
        /**
         * @param message the bytes of one Raft message (may be malformed); any thread, must not block.
         */
        void onRaftMessage(byte[] message);

        /**
         * @param apiKey  one of {@link ControllerApi}'s request keys.
         * @param body    the request body.
         * @param respond call once, from any thread, with the response body; null answers "unavailable"
         *                ({@link ControllerApi#UNAVAILABLE}), an empty array "malformed"
         *                ({@link ControllerApi#MALFORMED_REQUEST}).
         */
        void onRequest(int apiKey, byte[] body, Consumer<byte[]> respond);
    }

    /**
     * Starts delivering inbound traffic to {@code inbound} (a client-only network ignores this).
     *
     * @param inbound the node's handlers.
     */
    void serve(Inbound inbound);

    /**
     * Sends a Raft message; never blocks, may lose it (Raft retries).
     *
     * @param nodeId  the voter.
     * @param message the bytes.
     */
    void sendRaft(int nodeId, byte[] message);

    /**
     * @param nodeId    the voter.
     * @param apiKey    the request's API key.
     * @param body      the request body.
     * @param timeoutMs fail if no answer comes within this.
     * @return the response body, or a failure (timeout, connection lost, remote error).
     */
    CompletableFuture<byte[]> request(int nodeId, int apiKey, byte[] body, long timeoutMs);

    /**
     * @param nodeId a voter.
     * @return false if it is known to be unreachable (a hint only).
     */
    boolean isReachable(int nodeId);

    /**
     * Stops serving and sending; idempotent.
     */
    @Override
    void close();
}
