package io.tidemark.broker.metrics;

import java.util.concurrent.TimeUnit;

import io.tidemark.broker.network.RequestObserver;
import org.agrona.concurrent.NanoClock;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Kafka's {@code kafka.network:type=RequestMetrics,name=RequestsPerSec|TotalTimeMs|RequestQueueTimeMs|
 * LocalTimeMs|RemoteTimeMs|ResponseQueueTimeMs|ResponseSendTimeMs,request=NAME} for every API the broker
 * serves ({@code FetchConsumer} for consumers' fetches; followers fetch through Tidemark's replication RPC
 * and are counted under {@code FetchFollower}). Times are recorded in microseconds, read in milliseconds.
 * Recording runs on the selector thread that sent the response and allocates nothing.
 */
public final class RequestMetrics implements RequestObserver
{
    private static final long MAX_US = TimeUnit.MINUTES.toMicros(10);
    /** Kafka's request name of consumers' fetches. */
    public static final String FETCH_CONSUMER = "FetchConsumer";
    /** Kafka's request name of followers' fetches. */
    public static final String FETCH_FOLLOWER = "FetchFollower";
    /** The histograms, in Kafka's names. */
    public static final String[] TIMES = {
        "TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs", "ResponseSendTimeMs" };

    private static final class PerApi
    {
        final Meter requests;
        final Histogram total;
        final Histogram queue;
        final Histogram local;
        final Histogram remote;
        final Histogram responseQueue;
        final Histogram responseSend;

        PerApi(final MetricsRegistry registry, final String request, final NanoClock clock)
        {
            requests = registry.add(MetricsRegistry.name("kafka.network", "type", "RequestMetrics", "name", "RequestsPerSec", "request", request),
                new Meter("requests", clock), "requests answered");
            final Histogram[] h = new Histogram[TIMES.length];
            for (int i = 0; i < TIMES.length; i++)
            {
                h[i] = registry.add(MetricsRegistry.name("kafka.network", "type", "RequestMetrics", "name", TIMES[i], "request", request),
                    new Histogram(MAX_US, 1000.0, clock), TIMES[i] + " of requests, ms");
            }
            total = h[0];
            queue = h[1];
            local = h[2];
            remote = h[3];
            responseQueue = h[4];
            responseSend = h[5];
        }
    }

    private final PerApi[] byApiId;
    private final PerApi follower;

    /**
     * Registers the metrics of the given APIs.
     *
     * @param registry where.
     * @param apis     the APIs served.
     * @param clock    the clock of rates and windows.
     */
    public RequestMetrics(final MetricsRegistry registry, final Iterable<ApiKeys> apis, final NanoClock clock)
    {
        int maxId = 0;
        for (final ApiKeys a : ApiKeys.values())
        {
            maxId = Math.max(maxId, a.id);
        }
        byApiId = new PerApi[maxId + 1];
        for (final ApiKeys a : apis)
        {
            byApiId[a.id] = new PerApi(registry, a == ApiKeys.FETCH ? FETCH_CONSUMER : a.name, clock);
        }
        follower = new PerApi(registry, FETCH_FOLLOWER, clock);
    }

    @Override
    public void onResponseSent(final ApiKeys api, final long receivedNs, final long startedNs, final long handledNs, final long completedNs,
        final long respondedNs, final long sentNs, final boolean failed)
    {
        final PerApi m = api.id < byApiId.length ? byApiId[api.id] : null;
        if (m == null)
        {
            return;
        }
        record(m, receivedNs, startedNs, handledNs, completedNs, respondedNs, sentNs);
    }

    /**
     * Records a follower's replica fetch served through the replication RPC.
     *
     * @param receivedNs  when it arrived.
     * @param completedNs when its answer was ready.
     */
    public void onFollowerFetch(final long receivedNs, final long completedNs)
    {
        record(follower, receivedNs, receivedNs, receivedNs, completedNs, completedNs, completedNs);
    }

    private static void record(final PerApi m, final long receivedNs, final long startedNs, final long handledNs, final long completedNs,
        final long respondedNs, final long sentNs)
    {
        final long handled = handledNs == 0 ? respondedNs : handledNs;
        final long completed = completedNs == 0 ? handled : completedNs;
        m.requests.mark();
        m.total.update((sentNs - receivedNs) / 1_000);
        m.queue.update((startedNs - receivedNs) / 1_000);
        m.local.update((handled - startedNs) / 1_000);
        m.remote.update((completed - handled) / 1_000);
        m.responseQueue.update((respondedNs - completed) / 1_000);
        m.responseSend.update((sentNs - respondedNs) / 1_000);
    }
}
