package io.tidemark.testkit.fault;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fault of a schedule, as data: what, at whom, when (ms after the run starts) and for how long.
 * {@code target} is a node name, {@code a,b} for several nodes, or {@code a|b,c} for the two sides of a
 * partition; node names may be symbolic ({@code leader}) for the injector to resolve when the fault starts.
 *
 * @param kind       what.
 * @param target     at whom.
 * @param startMs    when it starts, ms after the run's start.
 * @param durationMs how long until it is healed.
 */
public record Fault(FaultKind kind, String target, long startMs, long durationMs)
{
    private static final Pattern LINE = Pattern.compile("\\+(\\d+)ms (\\w+) (\\S+) for (\\d+)ms");

    /**
     * Validates the fault.
     *
     * @param kind       what.
     * @param target     at whom.
     * @param startMs    non-negative.
     * @param durationMs non-negative.
     */
    public Fault
    {
        if (kind == null || target == null || target.isBlank() || target.contains(" "))
        {
            throw new IllegalArgumentException("fault needs a kind and a target without spaces: " + kind + " '" + target + "'");
        }
        if (startMs < 0 || durationMs < 0)
        {
            throw new IllegalArgumentException("negative time: start " + startMs + " ms, duration " + durationMs + " ms");
        }
        if (kind.targets() == FaultKind.Targets.SIDES && target.split("\\|").length != 2)
        {
            throw new IllegalArgumentException(kind + " needs two sides 'a,b|c', got " + target);
        }
    }

    /** @return when it is healed, ms after the run's start. */
    public long endMs()
    {
        return startMs + durationMs;
    }

    /** @return every node named in the target (both sides of a partition). */
    public List<String> nodes()
    {
        return Arrays.asList(target.split("[,|]"));
    }

    /**
     * @param side 0 or 1.
     * @return one side of a partition.
     */
    public List<String> side(final int side)
    {
        if (kind.targets() != FaultKind.Targets.SIDES)
        {
            throw new IllegalStateException(kind + " has no sides");
        }
        return Arrays.asList(target.split("\\|")[side].split(","));
    }

    /** @return {@code +1200ms KILL broker-2 for 3000ms}; {@link #parse} reads it back. */
    @Override
    public String toString()
    {
        return "+" + startMs + "ms " + kind + " " + target + " for " + durationMs + "ms";
    }

    /**
     * @param line a line as written by {@link #toString()}.
     * @return the fault.
     */
    public static Fault parse(final String line)
    {
        final Matcher m = LINE.matcher(line.trim());
        if (!m.matches())
        {
            throw new IllegalArgumentException("not a fault: '" + line + "' (expected '+<start>ms <KIND> <target> for <duration>ms')");
        }
        return new Fault(FaultKind.valueOf(m.group(2)), m.group(3), Long.parseLong(m.group(1)), Long.parseLong(m.group(4)));
    }
}
