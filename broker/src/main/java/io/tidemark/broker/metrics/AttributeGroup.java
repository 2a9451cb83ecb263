package io.tidemark.broker.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;

/**
 * An MBean of named attributes, as Kafka's own metrics library reports them over JMX (one MBean per group
 * and tags, e.g. {@code kafka.server:type=socket-server-metrics,listener=PLAINTEXT}, attributes such as
 * {@code connection-count}). Values are computed when read (any thread); numbers are reported as
 * {@code Double}, as Kafka's {@code JmxReporter} does.
 */
public final class AttributeGroup implements Metric, DynamicMBean
{
    /**
     * One attribute.
     *
     * @param name  Kafka's attribute name.
     * @param doc   its description.
     * @param value computes it.
     * @param counter true for a monotonic total (a Prometheus counter), false for a gauge.
     */
    public record Attr(String name, String doc, Supplier<?> value, boolean counter)
    {
    }

    private final Map<String, Attr> attrs = new LinkedHashMap<>();

    /**
     * @param attributes the attributes, in order.
     */
    public AttributeGroup(final List<Attr> attributes)
    {
        for (final Attr a : attributes)
        {
            attrs.put(a.name(), a);
        }
    }

    /**
     * @return the attributes, in order.
     */
    public List<Attr> attributes()
    {
        return List.copyOf(attrs.values());
    }

    /**
     * @param name an attribute.
     * @return its value, numbers as doubles.
     */
    public Object value(final String name)
    {
        final Attr a = attrs.get(name);
        if (a == null)
        {
            return null;
        }
        final Object v = a.value().get();
        return v instanceof Number n ? (Object)n.doubleValue() : v;
    }

    @Override
    public Object getAttribute(final String attribute) throws AttributeNotFoundException
    {
        if (!attrs.containsKey(attribute))
        {
            throw new AttributeNotFoundException("no attribute " + attribute);
        }
        return value(attribute);
    }

    @Override
    public void setAttribute(final Attribute attribute) throws AttributeNotFoundException
    {
        throw new AttributeNotFoundException("attributes are read-only: " + attribute.getName());
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final AttributeList list = new AttributeList();
        for (final String a : attributes)
        {
            if (attrs.containsKey(a))
            {
                list.add(new Attribute(a, value(a)));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(final AttributeList attributes)
    {
        return new AttributeList();
    }

    @Override
    public Object invoke(final String actionName, final Object[] params, final String[] signature)
    {
        throw new UnsupportedOperationException("no operations: " + actionName);
    }

    @Override
    public MBeanInfo getMBeanInfo()
    {
        final List<MBeanAttributeInfo> infos = new ArrayList<>();
        for (final Attr a : attrs.values())
        {
            infos.add(new MBeanAttributeInfo(a.name(), "double", a.doc(), true, false, false));
        }
        return new MBeanInfo(AttributeGroup.class.getName(), "Kafka-style metric group", infos.toArray(new MBeanAttributeInfo[0]),
            null, null, null);
    }

    @Override
    public Object mbean()
    {
        return this;
    }
}
