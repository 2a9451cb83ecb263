package io.tidemark.broker.metrics;

/**
 * Yammer metrics-core 2.2's {@code JmxReporter.HistogramMBean}, the shape Kafka's histograms have over JMX.
 * {@code Count}, {@code Min}, {@code Max}, {@code Mean} and {@code StdDev} cover everything since start; the
 * percentiles cover the recent window (the last one to two minutes), as Kafka's biased reservoirs favour
 * recent values.
 */
public interface HistogramMBean
{
    /** @return values recorded since start. */
    long getCount();

    /** @return smallest value since start (0 when none). */
    double getMin();

    /** @return largest value since start (0 when none). */
    double getMax();

    /** @return mean since start. */
    double getMean();

    /** @return standard deviation since start. */
    double getStdDev();

    /** @return median of the recent window. */
    double get50thPercentile();

    /** @return 75th percentile of the recent window. */
    double get75thPercentile();

    /** @return 95th percentile of the recent window. */
    double get95thPercentile();

    /** @return 98th percentile of the recent window. */
    double get98thPercentile();

    /** @return 99th percentile of the recent window. */
    double get99thPercentile();

    /** @return 99.9th percentile of the recent window. */
    double get999thPercentile();
}
