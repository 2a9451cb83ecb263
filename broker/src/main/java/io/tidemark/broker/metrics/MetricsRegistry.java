package io.tidemark.broker.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

/**
 * One broker's metrics by JMX object name: registers each in an MBean server and serves them all to
 * Prometheus ({@link MultiCollector}), so both show the same figures.
 *
 * <p>MBean server: the platform one, claimed by the first broker of the JVM that starts (a production
 * broker is alone in its JVM, so Kafka's tools find its MBeans where they look); further brokers in the
 * same JVM (an {@code EmbeddedCluster}) each get a private one, reachable through {@link #mbeanServer()},
 * since their names would collide.
 *
 * <p>Prometheus names follow the Kafka rules of Prometheus' {@code jmx_exporter}: lower case
 * {@code domain_type_name}, dots to underscores, a meter's {@code PerSec} dropped and {@code _total}
 * added, the other keys of the object name as labels; histograms and timers are summaries (quantiles
 * 0.5 to 0.999, count, sum); an attribute group gives one family per attribute.
 *
 * <p>Threads: any thread may add, remove and read; adding and removing happen on metadata changes
 * and first uses, never per record.
 */
public final class MetricsRegistry implements MultiCollector, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(MetricsRegistry.class.getName());
    private static final AtomicReference<MetricsRegistry> PLATFORM_OWNER = new AtomicReference<>();
    private static final double[] QUANTILES = { 0.5, 0.75, 0.95, 0.98, 0.99, 0.999 };

    private record Entry(ObjectName name, Metric metric, String help)
    {
    }

    private final Map<ObjectName, Entry> entries = new ConcurrentHashMap<>();
    private final MBeanServer server;
    private final boolean platform;

    /**
     * Claims the platform MBean server if no other registry of this JVM holds it.
     */
    public MetricsRegistry()
    {
        platform = PLATFORM_OWNER.compareAndSet(null, this);
        server = platform ? java.lang.management.ManagementFactory.getPlatformMBeanServer() : MBeanServerFactory.newMBeanServer();
    }

    /**
     * @return where this registry's MBeans are: the platform MBean server, or a private one.
     */
    public MBeanServer mbeanServer()
    {
        return server;
    }

    /**
     * @return true if the MBeans are in the platform MBean server.
     */
    public boolean onPlatformServer()
    {
        return platform;
    }

    /**
     * Parses an object name that the code builds (quoting values that need it).
     *
     * @param domain the domain, e.g. {@code kafka.server}.
     * @param keys   key, value, key, value... in Kafka's order.
     * @return the name.
     */
    public static ObjectName name(final String domain, final String... keys)
    {
        final StringBuilder sb = new StringBuilder(domain).append(':');
        for (int i = 0; i < keys.length; i += 2)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            sb.append(keys[i]).append('=').append(quoteIfNeeded(keys[i + 1]));
        }
        try
        {
            return new ObjectName(sb.toString());
        }
        catch (final MalformedObjectNameException ex)
        {
            throw new IllegalArgumentException("bad metric name " + sb, ex);
        }
    }

    private static String quoteIfNeeded(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n')
            {
                return ObjectName.quote(value);
            }
        }
        return value;
    }

    /**
     * Adds a metric (replacing one of the same name) and registers its MBean.
     *
     * @param name   its object name.
     * @param metric the metric.
     * @param help   a line of description (Prometheus' HELP).
     * @param <M>    its type.
     * @return the metric.
     */
    public <M extends Metric> M add(final ObjectName name, final M metric, final String help)
    {
        final Entry previous = entries.put(name, new Entry(name, metric, help));
        try
        {
            if (previous != null)
            {
                unregister(name);
            }
            server.registerMBean(metric.mbean(), name);
        }
        catch (final InstanceAlreadyExistsException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "MBean " + name + " is already registered by someone else; not replaced");
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("cannot register MBean " + name, ex);
        }
        return metric;
    }

    /**
     * @param name an object name.
     * @return its metric, or null.
     */
    public Metric get(final ObjectName name)
    {
        final Entry e = entries.get(name);
        return e == null ? null : e.metric();
    }

    /**
     * @return every name, in no order.
     */
    public List<ObjectName> names()
    {
        return new ArrayList<>(entries.keySet());
    }

    /**
     * Removes and unregisters metrics.
     *
     * @param which the names to remove.
     */
    public void removeIf(final Predicate<ObjectName> which)
    {
        for (final ObjectName n : names())
        {
            if (which.test(n) && entries.remove(n) != null)
            {
                unregister(n);
            }
        }
    }

    private void unregister(final ObjectName name)
    {
        try
        {
            server.unregisterMBean(name);
        }
        catch (final InstanceNotFoundException ex)
        {
            // never registered (a collision was logged) or already gone
        }
        catch (final JMException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot unregister MBean " + name + ": " + ex);
        }
    }

    /**
     * Ticks every meter's rates. The metrics thread, every {@link Meter#TICK_INTERVAL_NS}.
     */
    void tick()
    {
        for (final Entry e : entries.values())
        {
            if (e.metric() instanceof Meter m)
            {
                m.tick();
            }
            else if (e.metric() instanceof Timer t)
            {
                t.meter().tick();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Prometheus
    // ---------------------------------------------------------------------------------------------

    /**
     * @param name an object name.
     * @param suffix null for a Yammer metric (its {@code name} key), else an attribute name.
     * @param meter true to drop a {@code PerSec} suffix.
     * @return the Prometheus family name.
     */
    static String familyName(final ObjectName name, final String suffix, final boolean meter)
    {
        String last = suffix != null ? suffix : name.getKeyProperty("name");
        if (meter && last.endsWith("PerSec"))
        {
            last = last.substring(0, last.length() - "PerSec".length());
        }
        final String raw = name.getDomain() + "_" + name.getKeyProperty("type") + (last == null ? "" : "_" + last);
        final StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++)
        {
            final char c = raw.charAt(i);
            sb.append(Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : '_');
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    static Labels labels(final ObjectName name)
    {
        final List<String> keys = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        for (final Map.Entry<String, String> kv : name.getKeyPropertyList().entrySet())
        {
            if (kv.getKey().equals("type") || kv.getKey().equals("name"))
            {
                continue;
            }
            keys.add(kv.getKey());
            final String v = kv.getValue();
            values.add(v.startsWith("\"") ? ObjectName.unquote(v) : v);
        }
        return Labels.of(keys, values);
    }

    @Override
    public MetricSnapshots collect()
    {
        final Map<String, Object> families = new LinkedHashMap<>();
        final Map<String, String> helps = new LinkedHashMap<>();
        final List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort((a, b) -> a.name().getCanonicalName().compareTo(b.name().getCanonicalName()));
        for (final Entry e : sorted)
        {
            final Labels labels = labels(e.name());
            final Metric metric = e.metric();
            if (metric instanceof Meter m)
            {
                counter(families, helps, familyName(e.name(), null, true), e.help(), labels, m.getCount());
            }
            else if (metric instanceof Timer t)
            {
                summary(families, helps, familyName(e.name(), null, false), e.help(), labels, t.durations());
            }
            else if (metric instanceof Histogram h)
            {
                summary(families, helps, familyName(e.name(), null, false), e.help(), labels, h);
            }
            else if (metric instanceof Gauge g)
            {
                if (g.getValue() instanceof Number n)
                {
                    gauge(families, helps, familyName(e.name(), null, false), e.help(), labels, n.doubleValue());
                }
            }
            else if (metric instanceof AttributeGroup a)
            {
                for (final AttributeGroup.Attr attr : a.attributes())
                {
                    if (a.value(attr.name()) instanceof Double d)
                    {
                        final String family = familyName(e.name(), attr.name(), false);
                        if (attr.counter())
                        {
                            counter(families, helps, family.endsWith("_total") ? family.substring(0, family.length() - 6) : family,
                                attr.doc(), labels, d);
                        }
                        else
                        {
                            gauge(families, helps, family, attr.doc(), labels, d);
                        }
                    }
                }
            }
        }
        final List<MetricSnapshot> out = new ArrayList<>();
        for (final Map.Entry<String, Object> f : families.entrySet())
        {
            final String help = helps.get(f.getKey());
            if (f.getValue() instanceof CounterSnapshot.Builder c)
            {
                out.add(c.help(help).build());
            }
            else if (f.getValue() instanceof GaugeSnapshot.Builder g)
            {
                out.add(g.help(help).build());
            }
            else
            {
                out.add(((SummarySnapshot.Builder)f.getValue()).help(help).build());
            }
        }
        return new MetricSnapshots(out);
    }

    private static void counter(final Map<String, Object> families, final Map<String, String> helps, final String family,
        final String help, final Labels labels, final double value)
    {
        helps.putIfAbsent(family, help);
        final Object b = families.computeIfAbsent(family, f -> CounterSnapshot.builder().name(f));
        if (b instanceof CounterSnapshot.Builder c)
        {
            c.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }
    }

    private static void gauge(final Map<String, Object> families, final Map<String, String> helps, final String family,
        final String help, final Labels labels, final double value)
    {
        helps.putIfAbsent(family, help);
        final Object b = families.computeIfAbsent(family, f -> GaugeSnapshot.builder().name(f));
        if (b instanceof GaugeSnapshot.Builder g)
        {
            g.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }
    }

    private static void summary(final Map<String, Object> families, final Map<String, String> helps, final String family,
        final String help, final Labels labels, final Histogram h)
    {
        helps.putIfAbsent(family, help);
        final Object b = families.computeIfAbsent(family, f -> SummarySnapshot.builder().name(f));
        if (b instanceof SummarySnapshot.Builder s)
        {
            final double[] values = {
                h.get50thPercentile(), h.get75thPercentile(), h.get95thPercentile(), h.get98thPercentile(), h.get99thPercentile(),
                h.get999thPercentile() };
            final List<Quantile> qs = new ArrayList<>();
            for (int i = 0; i < QUANTILES.length; i++)
            {
                qs.add(new Quantile(QUANTILES[i], values[i]));
            }
            s.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(labels).quantiles(Quantiles.of(qs))
                .count(h.getCount()).sum(h.sum()).build());
        }
    }

    /**
     * Unregisters every MBean and gives the platform MBean server back.
     */
    @Override
    public void close()
    {
        removeIf(n -> true);
        PLATFORM_OWNER.compareAndSet(this, null);
    }
}
