package io.tidemark.testkit.net;

/**
 * What a {@link FaultProxy} does with the bytes and connections of its link. Immutable.
 *
 * <pre>
 * kind            new connections                  existing connections        bytes
 * PASS            accepted, connected upstream     forwarded                   forwarded at once
 * DELAY           accepted, connected upstream     forwarded                   each chunk forwarded delayMs after it was read
 * STALL           accepted, connected upstream     held                        not read any more: they queue in the kernel and
 *                                                                              arrive late, in order, when the stall ends
 * BLACKHOLE       accepted, not connected upstream read and discarded          discarded both ways
 * DROP_RESPONSES  accepted, connected upstream     client-to-server forwarded, server-to-client read and discarded
 * RESET           accepted, then RST at once       RST when the mode is set    -
 * REFUSE          connect fails (listener closed)  RST when the mode is set    -
 * </pre>
 *
 * A connection whose byte stream lost bytes (BLACKHOLE, DROP_RESPONSES) cannot continue coherently once
 * forwarding resumes — a framed protocol would read garbage — so it is reset (RST) when the proxy leaves the
 * discarding mode, as a TCP connection would have died during a long partition. Connections that lost
 * nothing carry on.
 *
 * @param kind    the kind of behaviour.
 * @param delayMs the per-chunk forwarding latency for {@link Kind#DELAY}, otherwise 0.
 */
public record LinkMode(Kind kind, long delayMs)
{
    /** The kinds of link behaviour. */
    public enum Kind
    {
        /** Forward everything. */
        PASS,
        /** Forward everything, each chunk after a fixed latency. */
        DELAY,
        /** Stop reading; bytes wait in kernel buffers and arrive late when the stall ends. */
        STALL,
        /** Read and discard both ways; new connections are accepted but not connected upstream. */
        BLACKHOLE,
        /** Forward requests, discard responses. */
        DROP_RESPONSES,
        /** Reset existing connections and every new one. */
        RESET,
        /** Refuse new connections (connect fails); reset existing ones. */
        REFUSE
    }

    private static final LinkMode PASS = new LinkMode(Kind.PASS, 0);
    private static final LinkMode STALL = new LinkMode(Kind.STALL, 0);
    private static final LinkMode BLACKHOLE = new LinkMode(Kind.BLACKHOLE, 0);
    private static final LinkMode DROP_RESPONSES = new LinkMode(Kind.DROP_RESPONSES, 0);
    private static final LinkMode RESET = new LinkMode(Kind.RESET, 0);
    private static final LinkMode REFUSE = new LinkMode(Kind.REFUSE, 0);

    /**
     * Validates the mode.
     *
     * @param kind    the kind.
     * @param delayMs positive for DELAY, zero otherwise.
     */
    public LinkMode
    {
        if (kind == null)
        {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (kind == Kind.DELAY ? delayMs <= 0 || delayMs > 3_600_000 : delayMs != 0)
        {
            throw new IllegalArgumentException("delayMs=" + delayMs + " not allowed for " + kind
                + " (DELAY needs 1..3600000, other kinds 0)");
        }
    }

    /** @return forward everything. */
    public static LinkMode pass()
    {
        return PASS;
    }

    /**
     * @param delayMs latency added to every forwarded chunk, 1..3600000.
     * @return forward everything, late.
     */
    public static LinkMode delay(final long delayMs)
    {
        return new LinkMode(Kind.DELAY, delayMs);
    }

    /** @return hold all bytes until the mode changes. */
    public static LinkMode stall()
    {
        return STALL;
    }

    /** @return discard everything both ways. */
    public static LinkMode blackhole()
    {
        return BLACKHOLE;
    }

    /** @return forward requests, discard responses. */
    public static LinkMode dropResponses()
    {
        return DROP_RESPONSES;
    }

    /** @return reset every connection. */
    public static LinkMode reset()
    {
        return RESET;
    }

    /** @return refuse new connections, reset existing ones. */
    public static LinkMode refuse()
    {
        return REFUSE;
    }

    /** @return true when client-to-server bytes are discarded in this mode. */
    boolean discardsRequests()
    {
        return kind == Kind.BLACKHOLE;
    }

    /** @return true when server-to-client bytes are discarded in this mode. */
    boolean discardsResponses()
    {
        return kind == Kind.BLACKHOLE || kind == Kind.DROP_RESPONSES;
    }

    /** @return true when connections are torn down in this mode. */
    boolean tearsDown()
    {
        return kind == Kind.RESET || kind == Kind.REFUSE;
    }

    @Override
    public String toString()
    {
        return kind == Kind.DELAY ? "DELAY(" + delayMs + "ms)" : kind.name();
    }
}
