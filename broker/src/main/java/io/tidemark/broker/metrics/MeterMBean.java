package io.tidemark.broker.metrics;

import java.util.concurrent.TimeUnit;

/**
 * Yammer metrics-core 2.2's {@code JmxReporter.MeterMBean}, the shape Kafka's meters have over JMX.
 */
public interface MeterMBean
{
    /** @return events since start. */
    long getCount();

    /** @return what is counted (e.g. {@code messages}, {@code bytes}, {@code requests}). */
    String getEventType();

    /** @return the unit of the rates (seconds). */
    TimeUnit getRateUnit();

    /** @return events per second since start. */
    double getMeanRate();

    /** @return one-minute exponentially weighted rate. */
    double getOneMinuteRate();

    /** @return five-minute exponentially weighted rate. */
    double getFiveMinuteRate();

    /** @return fifteen-minute exponentially weighted rate. */
    double getFifteenMinuteRate();
}
