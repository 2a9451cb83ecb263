package io.tidemark.broker.network;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Told the timings of each answered request (Kafka's {@code RequestMetrics}), all {@code System.nanoTime()}
 * readings. Runs on the selector thread that wrote the response's last byte: quick, non-blocking, no
 * allocation.
 */
public interface RequestObserver
{
    /**
     * @param api         the request's API.
     * @param receivedNs  when its last byte was read.
     * @param startedNs   when a request handler thread took it.
     * @param handledNs   when the handler returned (the local work done), or 0 when there was none.
     * @param completedNs when the response was ready (after any wait: acks=all, a long poll), or 0.
     * @param respondedNs when the response was handed to the transport.
     * @param sentNs      when its last byte was written (or the send failed).
     * @param failed      true if the send failed.
     */
    void onResponseSent(ApiKeys api, long receivedNs, long startedNs, long handledNs, long completedNs, long respondedNs, long sentNs,
        boolean failed);
}
