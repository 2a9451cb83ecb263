package io.tidemark.broker.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.agrona.concurrent.NanoClock;

/**
 * Kafka's {@code kafka.server:type=BrokerTopicMetrics}, broker-wide (no {@code topic} key) and per topic
 * (created on a topic's first produce or fetch, removed when the topic is no longer hosted). Marking runs
 * on the request threads and allocates nothing once the topic's meters exist.
 */
public final class TopicMetrics
{
    /** Kafka's names of the meters, in order. */
    public static final String[] NAMES = {
        "MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec", "FailedProduceRequestsPerSec", "FailedFetchRequestsPerSec",
        "TotalProduceRequestsPerSec", "TotalFetchRequestsPerSec" };
    private static final String[] EVENTS = { "messages", "bytes", "bytes", "requests", "requests", "requests", "requests" };
    private static final int MESSAGES_IN = 0;
    private static final int BYTES_IN = 1;
    private static final int BYTES_OUT = 2;
    private static final int FAILED_PRODUCE = 3;
    private static final int FAILED_FETCH = 4;
    private static final int TOTAL_PRODUCE = 5;
    private static final int TOTAL_FETCH = 6;

    private final MetricsRegistry registry;
    private final NanoClock clock;
    private final Meter[] all;
    private final Map<String, Meter[]> byTopic = new ConcurrentHashMap<>();

    /**
     * @param registry where.
     * @param clock    the clock of the rates.
     */
    public TopicMetrics(final MetricsRegistry registry, final NanoClock clock)
    {
        this.registry = registry;
        this.clock = clock;
        this.all = create(null);
    }

    private Meter[] create(final String topic)
    {
        final Meter[] meters = new Meter[NAMES.length];
        for (int i = 0; i < NAMES.length; i++)
        {
            meters[i] = registry.add(topic == null ?
                MetricsRegistry.name("kafka.server", "type", "BrokerTopicMetrics", "name", NAMES[i]) :
                MetricsRegistry.name("kafka.server", "type", "BrokerTopicMetrics", "name", NAMES[i], "topic", topic),
                new Meter(EVENTS[i], clock), NAMES[i] + (topic == null ? " (all topics)" : ""));
        }
        return meters;
    }

    private Meter[] topic(final String topic)
    {
        if (topic == null)
        {
            return null;
        }
        final Meter[] m = byTopic.get(topic);
        if (m != null)
        {
            return m;
        }
        synchronized (this)
        {
            return byTopic.computeIfAbsent(topic, this::create);
        }
    }

    /**
     * A partition of a produce request: counted, and on success its records and bytes.
     *
     * @param topic   the topic, or null for one the metadata does not know (counted broker-wide only).
     * @param records records appended (0 on failure).
     * @param bytes   bytes appended (0 on failure).
     * @param failed  true if the append failed.
     */
    public void produce(final String topic, final long records, final long bytes, final boolean failed)
    {
        final Meter[] t = topic(topic);
        mark(t, TOTAL_PRODUCE, 1);
        if (failed)
        {
            mark(t, FAILED_PRODUCE, 1);
            return;
        }
        mark(t, MESSAGES_IN, records);
        mark(t, BYTES_IN, bytes);
    }

    /**
     * A partition of a consumer's fetch.
     *
     * @param topic  the topic, or null for one the metadata does not know (counted broker-wide only).
     * @param bytes  record bytes sent.
     * @param failed true if it failed.
     */
    public void fetch(final String topic, final long bytes, final boolean failed)
    {
        final Meter[] t = topic(topic);
        mark(t, TOTAL_FETCH, 1);
        if (failed)
        {
            mark(t, FAILED_FETCH, 1);
            return;
        }
        mark(t, BYTES_OUT, bytes);
    }

    private void mark(final Meter[] topic, final int which, final long n)
    {
        if (n != 0)
        {
            if (topic != null)
            {
                topic[which].mark(n);
            }
            all[which].mark(n);
        }
    }

    /**
     * Drops the meters of topics no longer hosted. The metrics thread.
     *
     * @param hosted the topics hosted here.
     */
    public synchronized void retain(final java.util.Set<String> hosted)
    {
        for (final String t : java.util.List.copyOf(byTopic.keySet()))
        {
            if (!hosted.contains(t))
            {
                byTopic.remove(t);
                registry.removeIf(n -> "BrokerTopicMetrics".equals(n.getKeyProperty("type")) && t.equals(n.getKeyProperty("topic")));
            }
        }
    }
}
