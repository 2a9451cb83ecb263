package io.tidemark.perf.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * Small numeric helpers for the reports.
 */
final class Stats
{
    private Stats()
    {
    }

    /**
     * @return the value at {@code percentile} of a microsecond histogram, in milliseconds (0 if empty);
     *         100 is the maximum.
     */
    static double ms(final Histogram us, final double percentile)
    {
        if (us == null || us.getTotalCount() == 0)
        {
            return 0;
        }
        final long v = percentile >= 100 ? us.getMaxValue() : us.getValueAtPercentile(percentile);
        return v / 1000.0;
    }

    static double min(final List<? extends Number> values)
    {
        return values.stream().mapToDouble(Number::doubleValue).min().orElse(0);
    }

    static double max(final List<? extends Number> values)
    {
        return values.stream().mapToDouble(Number::doubleValue).max().orElse(0);
    }

    static double median(final List<? extends Number> values)
    {
        if (values.isEmpty())
        {
            return 0;
        }
        final List<Double> sorted = new ArrayList<>();
        for (final Number n : values)
        {
            sorted.add(n.doubleValue());
        }
        Collections.sort(sorted);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
