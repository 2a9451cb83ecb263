package io.tidemark.broker.metrics;

import java.util.concurrent.TimeUnit;

/**
 * Yammer's timer: a {@link Meter} of events and a {@link Histogram} of their durations in milliseconds
 * (recorded in microseconds).
 */
public final class Timer implements Metric, TimerMBean
{
    private final Meter meter;
    private final Histogram durations;

    /**
     * @param eventType what is timed.
     * @param maxUs     longest duration tracked, in microseconds.
     * @param clock     the clock of rates and windows.
     */
    public Timer(final String eventType, final long maxUs, final org.agrona.concurrent.NanoClock clock)
    {
        this.meter = new Meter(eventType, clock);
        this.durations = new Histogram(maxUs, 1000.0, clock);
    }

    /**
     * @return the meter of events.
     */
    public Meter meter()
    {
        return meter;
    }

    /**
     * @return the durations.
     */
    public Histogram durations()
    {
        return durations;
    }

    /**
     * Adds durations recorded elsewhere, counting each as an event.
     *
     * @param valuesUs durations in microseconds.
     */
    public void absorb(final org.HdrHistogram.Histogram valuesUs)
    {
        meter.mark(valuesUs.getTotalCount());
        durations.absorb(valuesUs);
    }

    @Override
    public long getCount()
    {
        return meter.getCount();
    }

    @Override
    public String getEventType()
    {
        return meter.getEventType();
    }

    @Override
    public TimeUnit getRateUnit()
    {
        return meter.getRateUnit();
    }

    @Override
    public double getMeanRate()
    {
        return meter.getMeanRate();
    }

    @Override
    public double getOneMinuteRate()
    {
        return meter.getOneMinuteRate();
    }

    @Override
    public double getFiveMinuteRate()
    {
        return meter.getFiveMinuteRate();
    }

    @Override
    public double getFifteenMinuteRate()
    {
        return meter.getFifteenMinuteRate();
    }

    @Override
    public double getMin()
    {
        return durations.getMin();
    }

    @Override
    public double getMax()
    {
        return durations.getMax();
    }

    @Override
    public double getMean()
    {
        return durations.getMean();
    }

    @Override
    public double getStdDev()
    {
        return durations.getStdDev();
    }

    @Override
    public double get50thPercentile()
    {
        return durations.get50thPercentile();
    }

    @Override
    public double get75thPercentile()
    {
        return durations.get75thPercentile();
    }

    @Override
    public double get95thPercentile()
    {
        return durations.get95thPercentile();
    }

    @Override
    public double get98thPercentile()
    {
        return durations.get98thPercentile();
    }

    @Override
    public double get99thPercentile()
    {
        return durations.get99thPercentile();
    }

    @Override
    public double get999thPercentile()
    {
        return durations.get999thPercentile();
    }

    @Override
    public TimeUnit getLatencyUnit()
    {
        return TimeUnit.MILLISECONDS;
    }

    @Override
    public Object mbean()
    {
        return this;
    }
}
