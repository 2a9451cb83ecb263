package io.tidemark.broker.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.agrona.concurrent.NanoClock;

/**
 * A count of events and its rates, as Yammer's meter: {@link #mark(long)} adds to a {@link LongAdder}
 * (any thread, no allocation once its cells exist); the exponentially weighted one-, five- and
 * fifteen-minute rates are advanced by {@link #tick()} every {@link #TICK_INTERVAL_NS} on the metrics
 * thread, and read by any thread.
 */
public final class Meter implements Metric, MeterMBean
{
    /** Interval between {@link #tick()} calls (Yammer's: 5 s). */
    public static final long TICK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final double TICK_SECONDS = TICK_INTERVAL_NS / 1e9;
    private static final double M1_ALPHA = 1 - Math.exp(-TICK_SECONDS / 60.0);
    private static final double M5_ALPHA = 1 - Math.exp(-TICK_SECONDS / 60.0 / 5);
    private static final double M15_ALPHA = 1 - Math.exp(-TICK_SECONDS / 60.0 / 15);

    private final LongAdder count = new LongAdder();
    private final java.util.function.LongSupplier source;
    private final String eventType;
    private final NanoClock clock;
    private final long startNs;
    private long lastTickCount; // metrics thread only
    private volatile boolean ticked;
    private volatile double m1;
    private volatile double m5;
    private volatile double m15;

    /**
     * @param eventType what is counted.
     * @param clock     the clock of the mean rate.
     */
    public Meter(final String eventType, final NanoClock clock)
    {
        this(eventType, clock, null);
    }

    private Meter(final String eventType, final NanoClock clock, final java.util.function.LongSupplier source)
    {
        this.source = source;
        this.eventType = eventType;
        this.clock = clock;
        this.startNs = clock.nanoTime();
    }

    /**
     * A meter over a monotonic total counted elsewhere (e.g. an engine or replication counter).
     *
     * @param eventType what is counted.
     * @param clock     the clock of the mean rate.
     * @param total     reads the total (any thread).
     * @return the meter.
     */
    public static Meter counting(final String eventType, final NanoClock clock, final java.util.function.LongSupplier total)
    {
        return new Meter(eventType, clock, total);
    }

    /**
     * Counts one event. Any thread; allocates nothing.
     */
    public void mark()
    {
        count.increment();
    }

    /**
     * Counts events. Any thread; allocates nothing.
     *
     * @param n how many.
     */
    public void mark(final long n)
    {
        count.add(n);
    }

    /**
     * Advances the rates by one interval. The metrics thread only.
     */
    void tick()
    {
        final long now = getCount();
        final double instant = (now - lastTickCount) / TICK_SECONDS;
        lastTickCount = now;
        if (!ticked)
        {
            m1 = instant;
            m5 = instant;
            m15 = instant;
            ticked = true;
            return;
        }
        m1 = m1 + M1_ALPHA * (instant - m1);
        m5 = m5 + M5_ALPHA * (instant - m5);
        m15 = m15 + M15_ALPHA * (instant - m15);
    }

    @Override
    public long getCount()
    {
        return source == null ? count.sum() : source.getAsLong() + count.sum();
    }

    @Override
    public String getEventType()
    {
        return eventType;
    }

    @Override
    public TimeUnit getRateUnit()
    {
        return TimeUnit.SECONDS;
    }

    @Override
    public double getMeanRate()
    {
        final long elapsedNs = clock.nanoTime() - startNs;
        return elapsedNs <= 0 ? 0 : getCount() / (elapsedNs / 1e9);
    }

    @Override
    public double getOneMinuteRate()
    {
        return m1;
    }

    @Override
    public double getFiveMinuteRate()
    {
        return m5;
    }

    @Override
    public double getFifteenMinuteRate()
    {
        return m15;
    }

    @Override
    public Object mbean()
    {
        return this;
    }
}
