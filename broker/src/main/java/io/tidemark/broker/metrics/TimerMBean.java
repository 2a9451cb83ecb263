package io.tidemark.broker.metrics;

import java.util.concurrent.TimeUnit;

/**
 * Yammer metrics-core 2.2's {@code JmxReporter.TimerMBean}: a meter of events and a histogram of their
 * durations (Kafka's {@code LogFlushRateAndTimeMs}).
 */
public interface TimerMBean extends MeterMBean, HistogramMBean
{
    /** @return the unit of the durations (milliseconds). */
    TimeUnit getLatencyUnit();
}
