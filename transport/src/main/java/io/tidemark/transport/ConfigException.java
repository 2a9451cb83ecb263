package io.tidemark.transport;

/**
 * An invalid configuration value. The message names the knob, the rejected value and the allowed range, e.g.
 * {@code maxFrameBytes=0 is out of range [8, 2147483635]}.
 */
public final class ConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the knob, the value and the allowed range.
     */
    public ConfigException(final String message)
    {
        super(message);
    }

    /**
     * Checks that a value lies within an inclusive range.
     *
     * @param knob  name of the configuration knob.
     * @param value the value given.
     * @param min   smallest allowed value.
     * @param max   largest allowed value.
     * @return the value, when it is in range.
     * @throws ConfigException when it is not.
     */
    public static long requireInRange(final String knob, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ConfigException(knob + "=" + value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }
}
