package io.tidemark.broker.metrics;

import java.util.function.Supplier;

/**
 * A value computed when read (any thread): Yammer's gauge, attribute {@code Value}.
 */
public final class Gauge implements Metric, GaugeMBean
{
    private final Supplier<?> value;

    /**
     * @param value computes the value; a {@link Number} for Prometheus (other values are JMX only).
     */
    public Gauge(final Supplier<?> value)
    {
        this.value = value;
    }

    @Override
    public Object getValue()
    {
        return value.get();
    }

    @Override
    public Object mbean()
    {
        return this;
    }
}
