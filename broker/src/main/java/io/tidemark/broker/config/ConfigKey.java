package io.tidemark.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The definition of one {@code server.properties} key: its type, default, allowed range, the topic
 * config it is the broker-level default of (if any) and its documentation.
 *
 * @param name         the key.
 * @param type         its value type.
 * @param defaultValue the default as text; null when the key has none.
 * @param min          inclusive minimum for numbers.
 * @param max          inclusive maximum for numbers.
 * @param choices      allowed values for strings and list elements (case-insensitive), or null for any.
 * @param check        extra validation of the raw value (throws {@link ConfigException}), or null.
 * @param allowedText  how the allowed values are described in errors and docs.
 * @param topicKey     the topic config whose broker default this key sets, or null.
 * @param doc          one-line documentation.
 */
public record ConfigKey(
    String name,
    Type type,
    String defaultValue,
    long min,
    long max,
    Set<String> choices,
    Consumer<String> check,
    String allowedText,
    String topicKey,
    String doc)
{
    /** Value types, with Kafka's DescribeConfigs type codes. */
    public enum Type
    {
        /** true or false. */
        BOOLEAN(1),
        /** Free text. */
        STRING(2),
        /** 32-bit integer. */
        INT(3),
        /** 16-bit integer. */
        SHORT(4),
        /** 64-bit integer. */
        LONG(5),
        /** Comma-separated list. */
        LIST(7);

        private final byte code;

        Type(final int code)
        {
            this.code = (byte)code;
        }

        /**
         * @return Kafka's {@code configType} code.
         */
        public byte code()
        {
            return code;
        }
    }

    /**
     * Checks a raw value against the type and range.
     *
     * @param raw the value as written (trimmed by the caller); may be null for a key without default.
     * @throws ConfigException when it is not acceptable.
     */
    public void validate(final String raw)
    {
        if (raw == null)
        {
            throw new ConfigException(name, null, "required: " + allowedText);
        }
        switch (type)
        {
            case BOOLEAN -> asBoolean(raw);
            case INT, SHORT, LONG -> asLong(raw);
            case STRING ->
            {
                if (choices != null && !choices.contains(raw.toLowerCase(Locale.ROOT)))
                {
                    throw new ConfigException(name, raw, allowedText);
                }
            }
            case LIST ->
            {
                for (final String item : asList(raw))
                {
                    if (choices != null && !choices.contains(item.toLowerCase(Locale.ROOT)))
                    {
                        throw new ConfigException(name, raw, allowedText);
                    }
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
        if (check != null)
        {
            check.accept(raw);
        }
    }

    /**
     * @param raw the value.
     * @return it as a number within [min, max].
     * @throws ConfigException when it is not.
     */
    public long asLong(final String raw)
    {
        final long v;
        try
        {
            v = Long.parseLong(raw.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(name, raw, "a whole number in " + allowedText);
        }
        if (v < min || v > max)
        {
            throw new ConfigException(name, raw, "must be in " + allowedText);
        }
        return v;
    }

    /**
     * @param raw the value.
     * @return it as a boolean.
     * @throws ConfigException unless it is true or false.
     */
    public boolean asBoolean(final String raw)
    {
        final String v = raw.trim().toLowerCase(Locale.ROOT);
        if (!"true".equals(v) && !"false".equals(v))
        {
            throw new ConfigException(name, raw, "true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /**
     * @param raw a comma-separated list.
     * @return its trimmed, non-empty items.
     */
    public static List<String> asList(final String raw)
    {
        final List<String> items = new ArrayList<>();
        for (final String part : raw.split(","))
        {
            final String t = part.trim();
            if (!t.isEmpty())
            {
                items.add(t);
            }
        }
        return items;
    }
}
