package io.tidemark.broker.network;

import io.tidemark.transport.Send;
import io.tidemark.transport.SendCompletion;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The timestamps of one request on its way through the broker, handed to the {@link RequestObserver} when
 * the response is sent. Written by the request handler and completion threads in order; the volatile
 * stores publish each to the selector thread that reads them all at the end.
 */
final class RequestTiming implements SendCompletion
{
    private final RequestObserver observer;
    private final ApiKeys api;
    private final long receivedNs;
    private final long startedNs;
    volatile long handledNs;
    volatile long completedNs;
    volatile long respondedNs;

    RequestTiming(final RequestObserver observer, final ApiKeys api, final long receivedNs, final long startedNs)
    {
        this.observer = observer;
        this.api = api;
        this.receivedNs = receivedNs;
        this.startedNs = startedNs;
    }

    @Override
    public void onComplete(final Send send, final Throwable error)
    {
        observer.onResponseSent(api, receivedNs, startedNs, handledNs, completedNs, respondedNs, System.nanoTime(), error != null);
    }
}
