package io.tidemark.testkit.fault;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's faults as data: one after another (never two at once, so at most one node is down or cut off at
 * a time), each healed before the next starts, the last healed a settle time before the run ends and so
 * before the final read. Generated from one seed, printed, and replayable from the seed or from the
 * printed text ({@link #parse}).
 *
 * <pre>
 *   FaultSchedule schedule = FaultSchedule.random(seed, List.of("broker-1", "broker-2", "broker-3"), 60_000,
 *       EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION));
 *   System.out.println(schedule);
 *   // FaultSchedule seed=42 durationMs=60000
 *   //   +3817ms KILL broker-2 for 5120ms
 *   //   +12007ms PARTITION broker-1|broker-2,broker-3 for 2600ms
 * </pre>
 */
public final class FaultSchedule
{
    private static final Pattern HEADER = Pattern.compile("FaultSchedule seed=(\\S+) durationMs=(\\d+)");

    private final Long seed;
    private final long durationMs;
    private final List<Fault> faults;

    /**
     * Timing of generated schedules; all in ms.
     *
     * @param minDurationMs shortest fault.
     * @param maxDurationMs longest fault.
     * @param minGapMs      shortest calm before each fault.
     * @param maxGapMs      longest calm before each fault.
     * @param settleMs      calm at the end: the last fault heals at least this long before the run ends.
     */
    public record Options(long minDurationMs, long maxDurationMs, long minGapMs, long maxGapMs, long settleMs)
    {
        /**
         * Validates the options.
         *
         * @param minDurationMs shortest fault.
         * @param maxDurationMs longest fault.
         * @param minGapMs      shortest calm.
         * @param maxGapMs      longest calm.
         * @param settleMs      calm at the end.
         */
        public Options
        {
            if (minDurationMs < 0 || maxDurationMs < minDurationMs || minGapMs < 0 || maxGapMs < minGapMs || settleMs < 0)
            {
                throw new IllegalArgumentException("bad schedule options: duration [" + minDurationMs + ", " + maxDurationMs
                    + "], gap [" + minGapMs + ", " + maxGapMs + "], settle " + settleMs);
            }
        }

        /**
         * @param durationMs the run's length.
         * @return faults of 1/30 to 1/8 of the run, calm gaps of 1/30 to 1/10, the last tenth calm.
         */
        public static Options forRun(final long durationMs)
        {
            final long min = Math.max(1, durationMs / 30);
            return new Options(min, Math.max(min, durationMs / 8), min, Math.max(min, durationMs / 10), durationMs / 10);
        }
    }

    private FaultSchedule(final Long seed, final long durationMs, final List<Fault> faults)
    {
        this.seed = seed;
        this.durationMs = durationMs;
        this.faults = Collections.unmodifiableList(new ArrayList<>(faults));
        long lastEnd = 0;
        for (final Fault f : this.faults)
        {
            if (f.startMs() < lastEnd)
            {
                throw new IllegalArgumentException("fault " + f + " starts before the previous one is healed at " + lastEnd + " ms");
            }
            lastEnd = f.endMs();
        }
        if (lastEnd > durationMs)
        {
            throw new IllegalArgumentException("the last fault heals at " + lastEnd + " ms, after the run's " + durationMs + " ms");
        }
    }

    /**
     * @param durationMs the run's length.
     * @param faults     faults in time order, not overlapping, all healed within the run.
     * @return a hand-written schedule.
     */
    public static FaultSchedule of(final long durationMs, final List<Fault> faults)
    {
        return new FaultSchedule(null, durationMs, faults);
    }

    /**
     * @param seed       the seed (print it; the same seed, nodes, duration and kinds give the same schedule).
     * @param nodes      the nodes faults may target (may include symbolic names such as {@code leader}).
     * @param durationMs the run's length.
     * @param kinds      the kinds to draw from.
     * @return a random schedule with {@link Options#forRun} timing.
     */
    public static FaultSchedule random(final long seed, final List<String> nodes, final long durationMs,
        final Set<FaultKind> kinds)
    {
        return random(seed, nodes, durationMs, kinds, Options.forRun(durationMs));
    }

    /**
     * @param seed       the seed.
     * @param nodes      the nodes faults may target.
     * @param durationMs the run's length.
     * @param kinds      the kinds to draw from.
     * @param options    the timing.
     * @return a random schedule.
     */
    public static FaultSchedule random(final long seed, final List<String> nodes, final long durationMs,
        final Set<FaultKind> kinds, final Options options)
    {
        if (nodes.isEmpty() || kinds.isEmpty())
        {
            throw new IllegalArgumentException("need nodes and kinds: " + nodes + ", " + kinds);
        }
        final List<FaultKind> usable = new ArrayList<>();
        for (final FaultKind k : EnumSet.copyOf(kinds)) // enum order: deterministic
        {
            if (k.targets() == FaultKind.Targets.ONE || k.targets() == FaultKind.Targets.ALL || nodes.size() >= 2)
            {
                usable.add(k);
            }
        }
        if (usable.isEmpty())
        {
            throw new IllegalArgumentException(kinds + " need at least two nodes, have " + nodes);
        }
        final Random random = new Random(seed);
        final List<Fault> faults = new ArrayList<>();
        long t = between(random, options.minGapMs(), options.maxGapMs());
        while (true)
        {
            final FaultKind kind = usable.get(random.nextInt(usable.size()));
            final long duration = between(random, options.minDurationMs(), options.maxDurationMs());
            if (t + duration > durationMs - options.settleMs())
            {
                break;
            }
            faults.add(new Fault(kind, target(random, kind, nodes), t, duration));
            t += duration + between(random, options.minGapMs(), options.maxGapMs());
        }
        return new FaultSchedule(seed, durationMs, faults);
    }

    private static long between(final Random random, final long min, final long max)
    {
        return min + (max == min ? 0 : (long)(random.nextDouble() * (max - min + 1)));
    }

    private static String target(final Random random, final FaultKind kind, final List<String> nodes)
    {
        final List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        return switch (kind.targets())
        {
            case ONE -> shuffled.get(0);
            case TWO -> shuffled.get(0) + "," + shuffled.get(1);
            case ALL -> String.join(",", nodes);
            case SIDES ->
            {
                final int minority = 1 + random.nextInt(shuffled.size() / 2);
                yield String.join(",", shuffled.subList(0, minority)) + "|"
                    + String.join(",", shuffled.subList(minority, shuffled.size()));
            }
        };
    }

    /**
     * @param text a schedule as printed by {@link #toString()}.
     * @return the schedule.
     */
    public static FaultSchedule parse(final String text)
    {
        final String[] lines = text.strip().split("\\R");
        final Matcher header = HEADER.matcher(lines[0].trim());
        if (!header.matches())
        {
            throw new IllegalArgumentException("not a schedule header: '" + lines[0] + "'");
        }
        final List<Fault> faults = new ArrayList<>();
        for (int i = 1; i < lines.length; i++)
        {
            if (!lines[i].isBlank())
            {
                faults.add(Fault.parse(lines[i]));
            }
        }
        final Long seed = "none".equals(header.group(1)) ? null : Long.valueOf(header.group(1));
        return new FaultSchedule(seed, Long.parseLong(header.group(2)), faults);
    }

    /** @return the seed it was generated from, or null for a hand-written one. */
    public Long seed()
    {
        return seed;
    }

    /** @return the run's length. */
    public long durationMs()
    {
        return durationMs;
    }

    /** @return the faults in time order. */
    public List<Fault> faults()
    {
        return faults;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof FaultSchedule other && durationMs == other.durationMs && faults.equals(other.faults)
            && java.util.Objects.equals(seed, other.seed);
    }

    @Override
    public int hashCode()
    {
        return faults.hashCode();
    }

    /** @return a header line with the seed, then one line per fault; {@link #parse} reads it back. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("FaultSchedule seed=").append(seed == null ? "none" : seed.toString())
            .append(" durationMs=").append(durationMs);
        for (final Fault f : faults)
        {
            sb.append(System.lineSeparator()).append("  ").append(f);
        }
        return sb.toString();
    }
}
