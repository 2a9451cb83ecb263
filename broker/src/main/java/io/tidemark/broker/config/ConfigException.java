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

    private ConfigException(final String key, final String value, final String message, final Throwable cause)
    {
        super(message, cause);
        this.key = key;
        this.value = value;
    }

    /**
     * A well-formed setting the broker cannot use on this machine: an address that does not resolve or is
     * taken, a log directory that is not a writable directory or is locked. The message is one line,
     * {@code cannot use KEY=VALUE: REASON}.
     *
     * @param key    the configuration key.
     * @param value  its value.
     * @param reason why it cannot be used, in the operator's words.
     * @param cause  the failure, kept for the log of an embedding application.
     * @return the exception.
     */
    public static ConfigException unusable(final String key, final String value, final String reason, final Throwable cause)
    {
        return new ConfigException(key, value, "cannot use " + key + "=" + value + ": " + reason, cause);
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
