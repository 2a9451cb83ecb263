package io.tidemark.broker.config;

import java.util.Locale;

/**
 * One listener: {@code NAME://host:port} as in Kafka's {@code listeners} and {@code advertised.listeners}.
 * An empty host (or {@code 0.0.0.0}) binds every interface; port 0 picks a free port.
 *
 * @param name listener name, upper case (for example {@code PLAINTEXT}).
 * @param host host to bind or advertise; empty for every interface.
 * @param port port, 0 for any free port (bind only).
 */
public record Endpoint(String name, String host, int port)
{
    /**
     * Validates.
     */
    public Endpoint
    {
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9_]+"))
        {
            throw new IllegalArgumentException("listener name must be [A-Za-z0-9_]+, got " + name);
        }
        name = name.toUpperCase(Locale.ROOT);
        host = host == null ? "" : host;
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
    }

    /**
     * Parses {@code NAME://host:port}; IPv6 hosts go in brackets.
     *
     * @param key  the configuration key, for the error.
     * @param text the text.
     * @return the endpoint.
     * @throws ConfigException on a malformed value.
     */
    public static Endpoint parse(final String key, final String text)
    {
        final String allowed = "NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092 (empty host = all interfaces)";
        final String t = text.trim();
        final int sep = t.indexOf("://");
        final int colon = t.lastIndexOf(':');
        if (sep <= 0 || colon <= sep + 2)
        {
            throw new ConfigException(key, text, allowed);
        }
        String host = t.substring(sep + 3, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        try
        {
            return new Endpoint(t.substring(0, sep), host, Integer.parseInt(t.substring(colon + 1)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(key, text, allowed + " (" + ex.getMessage() + ")");
        }
    }

    /**
     * @return true if the host means every interface.
     */
    public boolean wildcard()
    {
        return host.isEmpty() || "0.0.0.0".equals(host) || "::".equals(host);
    }

    @Override
    public String toString()
    {
        return name + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
