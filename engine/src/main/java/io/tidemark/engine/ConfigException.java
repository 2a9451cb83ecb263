package io.tidemark.engine;

/**
 * A configuration value out of its allowed range. The message names the knob, the value and what
 * is allowed.
 */
public final class ConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String knob;

    /**
     * @param knob    the configuration key.
     * @param value   the rejected value.
     * @param allowed what would be accepted.
     */
    public ConfigException(final String knob, final Object value, final String allowed)
    {
        super("invalid " + knob + "=" + value + ": " + allowed);
        this.knob = knob;
    }

    /**
     * @return the configuration key.
     */
    public String knob()
    {
        return knob;
    }

    /**
     * @param knob  the key.
     * @param value the value.
     * @param min   inclusive minimum.
     * @param max   inclusive maximum.
     * @return the value.
     */
    public static long requireRange(final String knob, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ConfigException(knob, value, "must be in [" + min + ", " + max + "]");
        }
        return value;
    }
}
