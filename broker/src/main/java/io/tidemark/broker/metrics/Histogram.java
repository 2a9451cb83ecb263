package io.tidemark.broker.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.HdrHistogram.Recorder;

/**
 * A distribution with Yammer's histogram attributes. Values are recorded as {@code long}s in a raw unit
 * (e.g. microseconds) into an HdrHistogram {@link Recorder} (wait-free, no allocation; the recorder itself
 * is built on the first value, so an unused histogram costs a few bytes) and read divided by
 * {@code scale} (e.g. 1000 for milliseconds).
 *
 * <p>Readers ({@link #getCount()} and the others, any thread) first drain what was recorded since the last
 * read into the totals (count, min, max, sum, sum of squares since start) and into the current window;
 * windows rotate every {@link #WINDOW_NS}, and percentiles are taken over the previous and the current
 * window together.
 */
public final class Histogram implements Metric, HistogramMBean
{
    /** Length of one percentile window. */
    public static final long WINDOW_NS = 60_000_000_000L;
    private static final int SIGNIFICANT_DIGITS = 2;
    private static final VarHandle RECORDER;

    static
    {
        try
        {
            RECORDER = MethodHandles.lookup().findVarHandle(Histogram.class, "recorder", Recorder.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long highestValue;
    private final double scale;
    private final org.agrona.concurrent.NanoClock clock;
    @SuppressWarnings("unused") // through RECORDER
    private volatile Recorder recorder;

    // ---- readers, under this object's lock ----
    private org.HdrHistogram.Histogram interval;
    private org.HdrHistogram.Histogram current;
    private org.HdrHistogram.Histogram previous;
    private long windowStartNs;
    private long totalCount;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;
    private double sumOfSquares;

    /**
     * @param highestValue largest raw value tracked (larger ones are clamped to it).
     * @param scale        raw units per reported unit.
     * @param clock        the clock of the windows.
     */
    public Histogram(final long highestValue, final double scale, final org.agrona.concurrent.NanoClock clock)
    {
        this.highestValue = highestValue;
        this.scale = scale;
        this.clock = clock;
        this.windowStartNs = clock.nanoTime();
    }

    /**
     * Records a value. Any thread; allocates nothing after the first call.
     *
     * @param rawValue the value in raw units; negative ones count as 0.
     */
    public void update(final long rawValue)
    {
        Recorder r = (Recorder)RECORDER.getAcquire(this);
        if (r == null)
        {
            r = firstRecorder();
        }
        r.recordValue(Math.max(0, Math.min(highestValue, rawValue)));
    }

    private Recorder firstRecorder()
    {
        final Recorder created = new Recorder(highestValue, SIGNIFICANT_DIGITS);
        // publishes the fully built recorder; a racing thread's recorder wins and this one is dropped
        final Recorder witness = (Recorder)RECORDER.compareAndExchangeRelease(this, null, created);
        return witness == null ? created : witness;
    }

    /**
     * Adds values recorded elsewhere (e.g. an engine recorder's interval), as if recorded here. The
     * metrics thread; allocates only the first time.
     *
     * @param values the values, in this histogram's raw unit and range.
     */
    public synchronized void absorb(final org.HdrHistogram.Histogram values)
    {
        drain();
        add(values);
    }

    /**
     * Drains the recorder into the totals and the window. Caller holds the lock.
     */
    private void drain()
    {
        final Recorder r = (Recorder)RECORDER.getAcquire(this);
        if (r == null)
        {
            rotate();
            return;
        }
        interval = r.getIntervalHistogram(interval);
        add(interval);
    }

    private void rotate()
    {
        if (current == null)
        {
            return;
        }
        final long now = clock.nanoTime();
        if (now - windowStartNs >= WINDOW_NS)
        {
            final org.HdrHistogram.Histogram t = previous;
            previous = current;
            current = t;
            current.reset();
            if (now - windowStartNs >= 2 * WINDOW_NS)
            {
                previous.reset();
            }
            windowStartNs = now;
        }
    }

    private void add(final org.HdrHistogram.Histogram values)
    {
        if (current == null)
        {
            current = new org.HdrHistogram.Histogram(highestValue, SIGNIFICANT_DIGITS);
            previous = new org.HdrHistogram.Histogram(highestValue, SIGNIFICANT_DIGITS);
            windowStartNs = clock.nanoTime();
        }
        rotate();
        final long n = values.getTotalCount();
        if (n == 0)
        {
            return;
        }
        totalCount += n;
        min = Math.min(min, values.getMinValue());
        max = Math.max(max, values.getMaxValue());
        final double mean = values.getMean();
        final double sd = values.getStdDeviation();
        sum += mean * n;
        sumOfSquares += (sd * sd + mean * mean) * n;
        current.add(values);
    }

    private synchronized double percentile(final double p)
    {
        drain();
        if (current == null)
        {
            return 0;
        }
        final long inCurrent = current.getTotalCount();
        final long inPrevious = previous.getTotalCount();
        if (inCurrent + inPrevious == 0)
        {
            return 0;
        }
        if (inPrevious == 0)
        {
            return current.getValueAtPercentile(p) / scale;
        }
        final org.HdrHistogram.Histogram both = current.copy();
        both.add(previous);
        return both.getValueAtPercentile(p) / scale;
    }

    /**
     * @return sum of every value since start, in reported units.
     */
    public synchronized double sum()
    {
        drain();
        return sum / scale;
    }

    @Override
    public synchronized long getCount()
    {
        drain();
        return totalCount;
    }

    @Override
    public synchronized double getMin()
    {
        drain();
        return totalCount == 0 ? 0 : min / scale;
    }

    @Override
    public synchronized double getMax()
    {
        drain();
        return max / scale;
    }

    @Override
    public synchronized double getMean()
    {
        drain();
        return totalCount == 0 ? 0 : sum / totalCount / scale;
    }

    @Override
    public synchronized double getStdDev()
    {
        drain();
        if (totalCount < 2)
        {
            return 0;
        }
        final double mean = sum / totalCount;
        final double variance = Math.max(0, sumOfSquares / totalCount - mean * mean);
        return Math.sqrt(variance * totalCount / (totalCount - 1)) / scale;
    }

    @Override
    public double get50thPercentile()
    {
        return percentile(50);
    }

    @Override
    public double get75thPercentile()
    {
        return percentile(75);
    }

    @Override
    public double get95thPercentile()
    {
        return percentile(95);
    }

    @Override
    public double get98thPercentile()
    {
        return percentile(98);
    }

    @Override
    public double get99thPercentile()
    {
        return percentile(99);
    }

    @Override
    public double get999thPercentile()
    {
        return percentile(99.9);
    }

    @Override
    public Object mbean()
    {
        return this;
    }
}
