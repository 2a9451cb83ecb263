package io.tidemark.broker.config;

/**
 * A broker setting that is missing, malformed or out of range. The message names the key, the value
 * and what is allowed, so a user can fix {@code server.properties} from the message alone.
 */
public final class ConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;

    /**
     * @param key     the configuration key.
     * @param value   the rejected value (null when missing).
     * @param allowed what would be accepted.
     */
    public ConfigException(final String key, final String value, final String allowed)
    {
        super("invalid " + key + "=" + value + ": " + allowed);
        this.key = key;
        this.value = value;
    }

    /**
     * @return the configuration key.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the rejected value, or null.
     */
    public String value()
    {
        return value;
    }
}
