package io.tidemark.perf.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The probe's bookkeeping, fed log end offsets, high watermarks and times by hand.
 */
class HwDelayProbeTest
{
    private static Histogram samples(final HwDelayProbe probe)
    {
        final Histogram h = new Histogram(3);
        probe.addTo(h);
        return h;
    }

    @Test
    void shouldRecordTimeFromAppendUntilTheHighWatermarkPassesIt()
    {
        final HwDelayProbe probe = new HwDelayProbe(0);

        probe.onProgress(10, 0, 1_000);     // append: LEO 10
        probe.onProgress(25, 5, 2_000);     // append: LEO 25; HW 5 passes nothing
        probe.onProgress(25, 10, 4_000);    // HW 10 passes the first append: 3,000 ns
        probe.onProgress(25, 30, 9_000);    // HW passes the second: 7,000 ns

        final Histogram h = samples(probe);
        assertEquals(2, h.getTotalCount());
        assertEquals(3_000, h.getMinValue(), 3);
        assertEquals(7_000, h.getMaxValue(), 7);
    }

    @Test
    void shouldIgnoreOffsetsBeforeAttachingAndRepeatedNotifications()
    {
        final HwDelayProbe probe = new HwDelayProbe(100);

        probe.onProgress(100, 50, 1_000);   // nothing new appended
        probe.onProgress(120, 50, 2_000);
        probe.onProgress(120, 50, 3_000);   // same LEO again: not a new append
        probe.onProgress(120, 120, 5_000);

        final Histogram h = samples(probe);
        assertEquals(1, h.getTotalCount());
        assertEquals(3_000, h.getMaxValue(), 3);
    }

    @Test
    void shouldKeepPendingAppendsButForgetSamplesOnReset()
    {
        final HwDelayProbe probe = new HwDelayProbe(0);
        probe.onProgress(10, 10, 1_000);    // committed at once: a 0 ns sample
        probe.onProgress(20, 10, 2_000);

        probe.reset();
        probe.onProgress(20, 20, 6_000);

        final Histogram h = samples(probe);
        assertEquals(1, h.getTotalCount());
        assertEquals(4_000, h.getMaxValue(), 4);
        assertEquals(0, probe.dropped());
    }
}
