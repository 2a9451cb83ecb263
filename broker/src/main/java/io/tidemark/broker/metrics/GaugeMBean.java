package io.tidemark.broker.metrics;

/**
 * Yammer metrics-core 2.2's {@code JmxReporter.GaugeMBean}.
 */
public interface GaugeMBean
{
    /** @return the current value. */
    Object getValue();
}
