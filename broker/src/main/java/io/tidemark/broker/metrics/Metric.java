package io.tidemark.broker.metrics;

/**
 * One named metric: a {@link Meter}, {@link Histogram}, {@link Timer}, {@link Gauge} or {@link AttributeGroup}.
 */
public sealed interface Metric permits Meter, Histogram, Timer, Gauge, AttributeGroup
{
    /**
     * @return the MBean registered for it (a standard MBean with Yammer's attribute names, or a dynamic one).
     */
    Object mbean();
}
