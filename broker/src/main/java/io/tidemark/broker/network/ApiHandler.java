package io.tidemark.broker.network;

import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Handles one Kafka API. Called on a request handler thread, one request of a connection at a time
 * and in arrival order; must not block for long: slow work (replication, long polls, metadata changes)
 * completes the returned stage later, from any thread.
 */
@FunctionalInterface
public interface ApiHandler
{
    /**
     * @param context where the request came from.
     * @param request the parsed request.
     * @return the response; a failed stage is answered with the API's error response.
     */
    CompletionStage<Response> handle(RequestContext context, AbstractRequest request);
}
