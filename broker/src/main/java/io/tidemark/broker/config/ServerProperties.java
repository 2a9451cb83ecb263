package io.tidemark.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads {@code server.properties} (Java properties syntax, as Kafka's) and applies {@code key=value}
 * overrides on top.
 */
public final class ServerProperties
{
    private ServerProperties()
    {
    }

    /**
     * @param file      the properties file.
     * @param overrides {@code key=value} strings applied after the file.
     * @return the merged key/value map.
     * @throws IOException     if the file cannot be read.
     * @throws ConfigException if an override is not {@code key=value}.
     */
    public static Map<String, String> load(final Path file, final List<String> overrides) throws IOException
    {
        final Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            props.load(reader);
        }
        final Map<String, String> result = new LinkedHashMap<>();
        for (final String name : props.stringPropertyNames())
        {
            result.put(name, props.getProperty(name));
        }
        applyOverrides(result, overrides);
        return result;
    }

    /**
     * @param target    the map to change.
     * @param overrides {@code key=value} strings.
     * @throws ConfigException if one is not {@code key=value}.
     */
    public static void applyOverrides(final Map<String, String> target, final List<String> overrides)
    {
        for (final String o : overrides)
        {
            final int eq = o.indexOf('=');
            if (eq <= 0)
            {
                throw new ConfigException("--override", o, "key=value");
            }
            target.put(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
        }
    }
}
