package io.tidemark.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

/**
 * The meter's and histogram's arithmetic against values worked out by hand, with an injected clock.
 */
class MetricShapesTest
{
    @Test
    void shouldRateAMeterByItsTicksAndMeanByElapsedTime()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final Meter meter = new Meter("messages", clock);
        meter.mark(50);
        clock.advance(Meter.TICK_INTERVAL_NS);
        meter.tick();
        assertEquals(50, meter.getCount());
        assertEquals(10.0, meter.getOneMinuteRate(), 1e-9, "the first tick sets the rate: 50 in 5 s");
        assertEquals(10.0, meter.getMeanRate(), 1e-9);
        clock.advance(Meter.TICK_INTERVAL_NS);
        meter.tick();
        final double alpha = 1 - Math.exp(-5.0 / 60);
        assertEquals(10.0 - alpha * 10.0, meter.getOneMinuteRate(), 1e-9, "no events in the next 5 s decay the rate");
        assertTrue(meter.getFifteenMinuteRate() > meter.getOneMinuteRate(), "the longer rates decay slower");
        assertEquals(TimeUnit.SECONDS, meter.getRateUnit());
    }

    @Test
    void shouldCountAMeterOverAnExternalTotal()
    {
        final long[] total = { 7 };
        final Meter meter = Meter.counting("shrinks", new CachedNanoClock(), () -> total[0]);
        assertEquals(7, meter.getCount());
        total[0] = 9;
        assertEquals(9, meter.getCount());
    }

    @Test
    void shouldGiveAHistogramsStatisticsInItsReportedUnit()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(1), 1000.0, clock);
        assertEquals(0, h.getCount());
        assertEquals(0.0, h.get99thPercentile());
        for (int ms = 1; ms <= 100; ms++)
        {
            h.update(ms * 1000L); // microseconds
        }
        assertEquals(100, h.getCount());
        assertEquals(1.0, h.getMin(), 0.01);
        assertEquals(100.0, h.getMax(), 1.0);
        assertEquals(50.5, h.getMean(), 0.5);
        assertEquals(29.01, h.getStdDev(), 0.5, "sample standard deviation of 1..100");
        assertEquals(50.0, h.get50thPercentile(), 1.0);
        assertEquals(99.0, h.get99thPercentile(), 1.0);
        assertEquals(5050.0, h.sum(), 50.0);
    }

    @Test
    void shouldForgetOldValuesInPercentilesButNotInTotals()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final Histogram h = new Histogram(1_000_000, 1.0, clock);
        h.update(900);
        assertEquals(900.0, h.get50thPercentile(), 10.0);
        clock.advance(2 * Histogram.WINDOW_NS + 1);
        h.update(10);
        assertEquals(10.0, h.get99thPercentile(), 1.0, "a value two windows old is out of the percentiles");
        assertEquals(2, h.getCount());
        assertEquals(900.0, h.getMax(), 10.0, "max is since start, as Yammer's");
    }
}
