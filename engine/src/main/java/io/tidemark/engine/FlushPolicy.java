package io.tidemark.engine;

/**
 * When the log forces written bytes to disk. Switchable at runtime per log.
 *
 * <ul>
 *   <li>{@code none}: leave it to the page cache; sync only on roll and close.</li>
 *   <li>{@code messages:N}: sync once N records are unsynced.</li>
 *   <li>{@code interval:T}: sync once the oldest unsynced record is T ms old (monotonic clock).</li>
 *   <li>{@code batch}: group commit; an append is acknowledged only after the sync that covers it.</li>
 * </ul>
 *
 * @param kind  the policy.
 * @param value N for {@code messages}, T in ms for {@code interval}, 0 otherwise.
 */
public record FlushPolicy(Kind kind, long value)
{
    /** Policy kinds. */
    public enum Kind
    {
        /** Page cache only. */
        NONE,
        /** Every N records. */
        MESSAGES,
        /** Every T milliseconds. */
        INTERVAL,
        /** Before every acknowledgement (group commit). */
        BATCH
    }

    /** {@code none}. */
    public static final FlushPolicy NONE = new FlushPolicy(Kind.NONE, 0);
    /** {@code batch}. */
    public static final FlushPolicy BATCH = new FlushPolicy(Kind.BATCH, 0);

    /**
     * Validates the value against the kind.
     */
    public FlushPolicy
    {
        if (kind == null)
        {
            throw new ConfigException("flush.policy", null, "one of none, messages:N, interval:T, batch");
        }
        switch (kind)
        {
            case MESSAGES -> ConfigException.requireRange("flush.policy messages:N", value, 1, Long.MAX_VALUE);
            case INTERVAL -> ConfigException.requireRange("flush.policy interval:T", value, 1, Long.MAX_VALUE / 1_000_000);
            default ->
            {
                if (value != 0)
                {
                    throw new ConfigException("flush.policy", kind + ":" + value, "none and batch take no value");
                }
            }
        }
    }

    /**
     * @param n records between syncs.
     * @return {@code messages:n}.
     */
    public static FlushPolicy messages(final long n)
    {
        return new FlushPolicy(Kind.MESSAGES, n);
    }

    /**
     * @param ms longest time a record stays unsynced.
     * @return {@code interval:ms}.
     */
    public static FlushPolicy interval(final long ms)
    {
        return new FlushPolicy(Kind.INTERVAL, ms);
    }

    /**
     * @param text {@code none}, {@code messages:N}, {@code interval:T} or {@code batch}.
     * @return the policy.
     * @throws ConfigException if the text does not parse.
     */
    public static FlushPolicy parse(final String text)
    {
        final String allowed = "one of none, messages:N (N >= 1), interval:T (T >= 1 ms), batch";
        if (text == null)
        {
            throw new ConfigException("flush.policy", null, allowed);
        }
        final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if ("none".equals(t))
        {
            return NONE;
        }
        if ("batch".equals(t))
        {
            return BATCH;
        }
        final int colon = t.indexOf(':');
        if (colon > 0)
        {
            final String name = t.substring(0, colon);
            final long value;
            try
            {
                value = Long.parseLong(t.substring(colon + 1).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigException("flush.policy", text, allowed);
            }
            if ("messages".equals(name))
            {
                return messages(value);
            }
            if ("interval".equals(name))
            {
                return interval(value);
            }
        }
        throw new ConfigException("flush.policy", text, allowed);
    }

    @Override
    public String toString()
    {
        return switch (kind)
        {
            case NONE -> "none";
            case BATCH -> "batch";
            case MESSAGES -> "messages:" + value;
            case INTERVAL -> "interval:" + value;
        };
    }
}
