package io.tidemark.transport;

import java.util.concurrent.CompletableFuture;

/**
 * A client connection speaking the internal RPC: each request gets a fresh correlation id, and the response
 * carrying that id completes it. Requests may be pipelined up to {@code maxInFlightRequestsPerConnection}.
 *
 * <p>Futures complete on the client's selector thread: dependent actions must not block (use the
 * {@code *Async} variants of {@link CompletableFuture} to move work elsewhere). They complete exceptionally
 * with a {@link TransportException}: {@code REQUEST_TIMEOUT} after the request timeout (a late response is
 * discarded), {@code CONNECTION_CLOSED} when the connection closes with the request pending,
 * {@code TOO_MANY_IN_FLIGHT}, or {@code TRANSPORT_CLOSED}.
 */
public interface ClientConnection extends Connection
{
    /**
     * Sends a request with the configured {@code requestTimeoutMs}.
     *
     * @param apiKey     API key in [0, 32767].
     * @param apiVersion API version in [0, 32767].
     * @param body       request body; the request header is written in front of it.
     * @return the response, or a {@link TransportException}.
     */
    CompletableFuture<RpcResponse> request(int apiKey, int apiVersion, Send body);

    /**
     * Sends a request.
     *
     * @param apiKey     API key in [0, 32767].
     * @param apiVersion API version in [0, 32767].
     * @param body       request body.
     * @param timeoutMs  fail the request if no response arrives within this many ms.
     * @return the response, or a {@link TransportException}.
     */
    CompletableFuture<RpcResponse> request(int apiKey, int apiVersion, Send body, long timeoutMs);

    /**
     * Sends a request and waits for its response (convenience for tests and tools; not for selector threads).
     *
     * @param apiKey     API key.
     * @param apiVersion API version.
     * @param body       request body.
     * @return the response.
     * @throws TransportException on timeout, disconnect or shutdown.
     */
    RpcResponse requestBlocking(int apiKey, int apiVersion, Send body);

    /**
     * Sends a one-way request: no response is expected or awaited (the server's handler completes it with
     * {@link RpcRequest#noResponse()}), e.g. for Raft messages. Nothing is returned to wait on; the send's
     * {@link SendCompletion} reports the outcome: null once written, or a {@link TransportException}
     * ({@code CONNECTION_CLOSED}, {@code TRANSPORT_CLOSED}, or {@code SEND_QUEUE_FULL} when more than
     * {@code maxQueuedSendBytes} are already queued on the connection).
     *
     * @param apiKey     API key in [0, 32767].
     * @param apiVersion API version in [0, 32767].
     * @param body       request body.
     * @return the correlation id written in the request header.
     */
    int sendOneWay(int apiKey, int apiVersion, Send body);

    /**
     * @return requests sent and not yet answered, failed or timed out (read racily from any thread).
     */
    int pendingRequests();
}
