package io.tidemark.transport;

/**
 * Serves one API key of an {@link RpcServer}. Runs on a selector thread: must not block; complete the request
 * later from any thread when the work is asynchronous (e.g. a fetch waiting for data).
 */
@FunctionalInterface
public interface RpcHandler
{
    /**
     * @param request the decoded request; complete it once with {@link RpcRequest#respond(int, Send)},
     *                {@link RpcRequest#respondError(int)} or {@link RpcRequest#noResponse()}. If this method
     *                throws before completing it, the server responds {@link RpcError#UNKNOWN_SERVER_ERROR}.
     */
    void onRequest(RpcRequest request);
}
