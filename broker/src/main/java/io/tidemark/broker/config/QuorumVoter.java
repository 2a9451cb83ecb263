package io.tidemark.broker.config;

/**
 * One entry of {@code controller.quorum.voters}: {@code id@host:port}. Parsed and kept for the
 * replicated controller; a single-node broker does not use it.
 *
 * @param id   the voter's node id.
 * @param host its controller listener host.
 * @param port its controller listener port.
 */
public record QuorumVoter(int id, String host, int port)
{
    /**
     * @param key  the configuration key, for the error.
     * @param text {@code id@host:port}.
     * @return the voter.
     * @throws ConfigException on a malformed value.
     */
    public static QuorumVoter parse(final String key, final String text)
    {
        final String t = text.trim();
        final int at = t.indexOf('@');
        final int colon = t.lastIndexOf(':');
        try
        {
            if (at <= 0 || colon <= at + 1)
            {
                throw new IllegalArgumentException("missing parts");
            }
            final int id = Integer.parseInt(t.substring(0, at));
            final int port = Integer.parseInt(t.substring(colon + 1));
            if (id < 0 || port < 1 || port > 65535)
            {
                throw new IllegalArgumentException("id or port out of range");
            }
            String host = t.substring(at + 1, colon);
            if (host.startsWith("[") && host.endsWith("]"))
            {
                host = host.substring(1, host.length() - 1);
            }
            return new QuorumVoter(id, host, port);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(key, text, "comma-separated id@host:port entries, id >= 0, port in [1, 65535]");
        }
    }
}
