package io.tidemark.transport;

import java.net.InetAddress;
import java.util.Map;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import static io.tidemark.transport.ConfigException.requireInRange;

/**
 * Immutable configuration of a {@link TransportServer} or {@link TransportClient}, validated on construction.
 * Every value has a limit; an out-of-range value throws a {@link ConfigException} naming the knob, the value
 * and the allowed range. Build one with {@link #builder()}; unset knobs take the defaults below.
 *
 * <pre>
 * knob                              default       meaning
 * selectorThreads                   1             selector (event loop) threads of a server
 * maxConnections                    10000         open connections of a server; more are accepted then closed
 * maxConnectionsPerIp               2147483647    open connections of a server from one address; more are accepted then closed
 * maxConnectionsPerIpOverrides      {}            per-address limits replacing maxConnectionsPerIp for those addresses
 * maxFrameBytes                     104857600     largest frame body accepted, checked before allocation
 * maxQueuedRequestBytes             268435456     global budget for received bytes of frame bodies not yet released
 * maxInFlightRequestsPerConnection  16            requests awaiting a response before reads pause
 * maxQueuedSendBytes                67108864      unsent outbound bytes on a connection before reads pause
 * connectionsMaxIdleMs              600000        close a connection idle this long with nothing in flight
 * frameReadTimeoutMs                30000         server: close a connection whose frame is not in within this of its first byte
 * requestTimeoutMs                  30000         client: fail a request with no response after this long
 * connectTimeoutMs                  10000         client: fail a connect not established after this long
 * tcpNoDelay                        true          TCP_NODELAY on every socket
 * socketSendBufferBytes             0             SO_SNDBUF; 0 leaves the OS default
 * socketReceiveBufferBytes          0             SO_RCVBUF; 0 leaves the OS default
 * maxDatagramBytes                  65507         UDP: largest datagram payload sent or delivered
 * nanoClock                         system        monotonic clock for every timeout (inject for tests)
 * </pre>
 *
 * @param selectorThreads                  number of selector threads of a server.
 * @param maxConnections                   most open connections a server keeps.
 * @param maxConnectionsPerIp              most open connections a server keeps from one remote address (Kafka's
 *                                         {@code max.connections.per.ip}); 0 refuses every address not overridden.
 * @param maxConnectionsPerIpOverrides     limits for particular remote addresses, replacing {@code maxConnectionsPerIp}.
 * @param maxFrameBytes                    largest frame body (excluding the 4-byte length) accepted.
 * @param maxQueuedRequestBytes            global budget for received frame bodies; reads pause when exhausted.
 * @param maxInFlightRequestsPerConnection requests per connection awaiting a response before reads pause.
 * @param maxQueuedSendBytes               unsent bytes per connection above which reads pause.
 * @param connectionsMaxIdleMs             idle time after which a connection with nothing in flight closes.
 * @param frameReadTimeoutMs               server: longest time from a frame's first byte to its last, not counting
 *                                         time this side paused reading; a slower sender is closed. Bounds how
 *                                         long a client dribbling bytes can hold a connection and its memory.
 * @param requestTimeoutMs                 client request timeout.
 * @param connectTimeoutMs                 client connect timeout.
 * @param tcpNoDelay                       whether to disable Nagle's algorithm.
 * @param socketSendBufferBytes            SO_SNDBUF, or 0 for the OS default.
 * @param socketReceiveBufferBytes         SO_RCVBUF, or 0 for the OS default.
 * @param maxDatagramBytes                 UDP: largest datagram payload sent or delivered.
 * @param nanoClock                        monotonic clock for all timeouts.
 */
public record TransportConfig(
    int selectorThreads,
    int maxConnections,
    int maxConnectionsPerIp,
    Map<InetAddress, Integer> maxConnectionsPerIpOverrides,
    int maxFrameBytes,
    long maxQueuedRequestBytes,
    int maxInFlightRequestsPerConnection,
    long maxQueuedSendBytes,
    long connectionsMaxIdleMs,
    long frameReadTimeoutMs,
    long requestTimeoutMs,
    long connectTimeoutMs,
    boolean tcpNoDelay,
    int socketSendBufferBytes,
    int socketReceiveBufferBytes,
    int maxDatagramBytes,
    NanoClock nanoClock)
{
    /** Largest {@code maxFrameBytes}: the int32 length field less room for an RPC header. */
    public static final int MAX_FRAME_BYTES_LIMIT = Integer.MAX_VALUE - 12;
    /** Largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static final int MAX_DATAGRAM_BYTES_LIMIT = 65_507;
    /** Longest timeout of any kind: one week. */
    public static final long MAX_TIMEOUT_MS = 7L * 24 * 3600 * 1000;

    /**
     * Validates every knob.
     *
     * @param selectorThreads see the table above.
     * @param maxConnections see the table above.
     * @param maxConnectionsPerIp see the table above.
     * @param maxConnectionsPerIpOverrides see the table above.
     * @param maxFrameBytes see the table above.
     * @param maxQueuedRequestBytes see the table above.
     * @param maxInFlightRequestsPerConnection see the table above.
     * @param maxQueuedSendBytes see the table above.
     * @param connectionsMaxIdleMs see the table above.
     * @param frameReadTimeoutMs see the table above.
     * @param requestTimeoutMs see the table above.
     * @param connectTimeoutMs see the table above.
     * @param tcpNoDelay see the table above.
     * @param socketSendBufferBytes see the table above.
     * @param socketReceiveBufferBytes see the table above.
     * @param maxDatagramBytes see the table above.
     * @param nanoClock see the table above.
     * @throws ConfigException naming the first invalid knob, its value and the allowed range.
     */
    public TransportConfig
    {
        requireInRange("selectorThreads", selectorThreads, 1, 64);
        requireInRange("maxConnections", maxConnections, 1, 1_000_000);
        requireInRange("maxConnectionsPerIp", maxConnectionsPerIp, 0, Integer.MAX_VALUE);
        if (null == maxConnectionsPerIpOverrides)
        {
            throw new ConfigException("maxConnectionsPerIpOverrides=null is out of range [a map of address to limit]");
        }
        for (final Map.Entry<InetAddress, Integer> e : maxConnectionsPerIpOverrides.entrySet())
        {
            if (null == e.getKey() || null == e.getValue())
            {
                throw new ConfigException("maxConnectionsPerIpOverrides=" + maxConnectionsPerIpOverrides +
                    " is out of range [non-null addresses and limits]");
            }
            requireInRange("maxConnectionsPerIpOverrides[" + e.getKey().getHostAddress() + "]", e.getValue(), 0,
                Integer.MAX_VALUE);
        }
        maxConnectionsPerIpOverrides = Map.copyOf(maxConnectionsPerIpOverrides);
        requireInRange("maxFrameBytes", maxFrameBytes, 8, MAX_FRAME_BYTES_LIMIT);
        requireInRange("maxQueuedRequestBytes", maxQueuedRequestBytes, maxFrameBytes, Long.MAX_VALUE);
        requireInRange("maxInFlightRequestsPerConnection", maxInFlightRequestsPerConnection, 1, 65_536);
        requireInRange("maxQueuedSendBytes", maxQueuedSendBytes, 1, Long.MAX_VALUE);
        requireInRange("connectionsMaxIdleMs", connectionsMaxIdleMs, 1, MAX_TIMEOUT_MS);
        requireInRange("frameReadTimeoutMs", frameReadTimeoutMs, 1, MAX_TIMEOUT_MS);
        requireInRange("requestTimeoutMs", requestTimeoutMs, 1, MAX_TIMEOUT_MS);
        requireInRange("connectTimeoutMs", connectTimeoutMs, 1, MAX_TIMEOUT_MS);
        requireInRange("socketSendBufferBytes", socketSendBufferBytes, 0, Integer.MAX_VALUE);
        requireInRange("socketReceiveBufferBytes", socketReceiveBufferBytes, 0, Integer.MAX_VALUE);
        requireInRange("maxDatagramBytes", maxDatagramBytes, 1, MAX_DATAGRAM_BYTES_LIMIT);
        if (null == nanoClock)
        {
            throw new ConfigException("nanoClock=null is out of range [any non-null NanoClock]");
        }
    }

    /**
     * @return a builder holding the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the configuration with every default.
     */
    public static TransportConfig defaults()
    {
        return new Builder().build();
    }

    /**
     * @return a builder initialised from this configuration, to derive a variant.
     */
    public Builder toBuilder()
    {
        return new Builder()
            .selectorThreads(selectorThreads)
            .maxConnections(maxConnections)
            .maxConnectionsPerIp(maxConnectionsPerIp)
            .maxConnectionsPerIpOverrides(maxConnectionsPerIpOverrides)
            .maxFrameBytes(maxFrameBytes)
            .maxQueuedRequestBytes(maxQueuedRequestBytes)
            .maxInFlightRequestsPerConnection(maxInFlightRequestsPerConnection)
            .maxQueuedSendBytes(maxQueuedSendBytes)
            .connectionsMaxIdleMs(connectionsMaxIdleMs)
            .frameReadTimeoutMs(frameReadTimeoutMs)
            .requestTimeoutMs(requestTimeoutMs)
            .connectTimeoutMs(connectTimeoutMs)
            .tcpNoDelay(tcpNoDelay)
            .socketSendBufferBytes(socketSendBufferBytes)
            .socketReceiveBufferBytes(socketReceiveBufferBytes)
            .maxDatagramBytes(maxDatagramBytes)
            .nanoClock(nanoClock);
    }

    /**
     * Mutable builder with the defaults of the table in {@link TransportConfig}; validation happens in
     * {@link #build()}.
     */
    public static final class Builder
    {
        private int selectorThreads = 1;
        private int maxConnections = 10_000;
        private int maxConnectionsPerIp = Integer.MAX_VALUE;
        private Map<InetAddress, Integer> maxConnectionsPerIpOverrides = Map.of();
        private int maxFrameBytes = 100 * 1024 * 1024;
        private long maxQueuedRequestBytes = 256L * 1024 * 1024;
        private int maxInFlightRequestsPerConnection = 16;
        private long maxQueuedSendBytes = 64L * 1024 * 1024;
        private long connectionsMaxIdleMs = 600_000;
        private long frameReadTimeoutMs = 30_000;
        private long requestTimeoutMs = 30_000;
        private long connectTimeoutMs = 10_000;
        private boolean tcpNoDelay = true;
        private int socketSendBufferBytes = 0;
        private int socketReceiveBufferBytes = 0;
        private int maxDatagramBytes = MAX_DATAGRAM_BYTES_LIMIT;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;

        Builder()
        {
        }

        /**
         * @param value number of selector threads of a server, in [1, 64].
         * @return this.
         */
        public Builder selectorThreads(final int value)
        {
            selectorThreads = value;
            return this;
        }

        /**
         * @param value most open connections of a server, in [1, 1000000].
         * @return this.
         */
        public Builder maxConnections(final int value)
        {
            maxConnections = value;
            return this;
        }

        /**
         * @param value most open connections of a server from one remote address, in [0, 2147483647].
         * @return this.
         */
        public Builder maxConnectionsPerIp(final int value)
        {
            maxConnectionsPerIp = value;
            return this;
        }

        /**
         * @param value limits for particular remote addresses (each in [0, 2147483647]), replacing
         *              {@code maxConnectionsPerIp} for them.
         * @return this.
         */
        public Builder maxConnectionsPerIpOverrides(final Map<InetAddress, Integer> value)
        {
            maxConnectionsPerIpOverrides = value;
            return this;
        }

        /**
         * @param value largest frame body in bytes, in [8, {@link #MAX_FRAME_BYTES_LIMIT}].
         * @return this.
         */
        public Builder maxFrameBytes(final int value)
        {
            maxFrameBytes = value;
            return this;
        }

        /**
         * @param value global inbound body budget in bytes, at least {@code maxFrameBytes}.
         * @return this.
         */
        public Builder maxQueuedRequestBytes(final long value)
        {
            maxQueuedRequestBytes = value;
            return this;
        }

        /**
         * @param value requests per connection awaiting a response before reads pause, in [1, 65536].
         * @return this.
         */
        public Builder maxInFlightRequestsPerConnection(final int value)
        {
            maxInFlightRequestsPerConnection = value;
            return this;
        }

        /**
         * @param value unsent bytes per connection above which reads pause, at least 1.
         * @return this.
         */
        public Builder maxQueuedSendBytes(final long value)
        {
            maxQueuedSendBytes = value;
            return this;
        }

        /**
         * @param value idle time in ms after which a connection with nothing in flight closes.
         * @return this.
         */
        public Builder connectionsMaxIdleMs(final long value)
        {
            connectionsMaxIdleMs = value;
            return this;
        }

        /**
         * @param value server: longest time in ms from a frame's first byte to its last, in [1, {@link #MAX_TIMEOUT_MS}].
         * @return this.
         */
        public Builder frameReadTimeoutMs(final long value)
        {
            frameReadTimeoutMs = value;
            return this;
        }

        /**
         * @param value client request timeout in ms.
         * @return this.
         */
        public Builder requestTimeoutMs(final long value)
        {
            requestTimeoutMs = value;
            return this;
        }

        /**
         * @param value client connect timeout in ms.
         * @return this.
         */
        public Builder connectTimeoutMs(final long value)
        {
            connectTimeoutMs = value;
            return this;
        }

        /**
         * @param value whether to set TCP_NODELAY.
         * @return this.
         */
        public Builder tcpNoDelay(final boolean value)
        {
            tcpNoDelay = value;
            return this;
        }

        /**
         * @param value SO_SNDBUF in bytes, or 0 for the OS default.
         * @return this.
         */
        public Builder socketSendBufferBytes(final int value)
        {
            socketSendBufferBytes = value;
            return this;
        }

        /**
         * @param value SO_RCVBUF in bytes, or 0 for the OS default.
         * @return this.
         */
        public Builder socketReceiveBufferBytes(final int value)
        {
            socketReceiveBufferBytes = value;
            return this;
        }

        /**
         * @param value UDP: largest datagram payload in bytes, in [1, {@link #MAX_DATAGRAM_BYTES_LIMIT}].
         * @return this.
         */
        public Builder maxDatagramBytes(final int value)
        {
            maxDatagramBytes = value;
            return this;
        }

        /**
         * @param value monotonic clock for every timeout.
         * @return this.
         */
        public Builder nanoClock(final NanoClock value)
        {
            nanoClock = value;
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws ConfigException naming the first invalid knob.
         */
        public TransportConfig build()
        {
            return new TransportConfig(
                selectorThreads,
                maxConnections,
                maxConnectionsPerIp,
                maxConnectionsPerIpOverrides,
                maxFrameBytes,
                maxQueuedRequestBytes,
                maxInFlightRequestsPerConnection,
                maxQueuedSendBytes,
                connectionsMaxIdleMs,
                frameReadTimeoutMs,
                requestTimeoutMs,
                connectTimeoutMs,
                tcpNoDelay,
                socketSendBufferBytes,
                socketReceiveBufferBytes,
                maxDatagramBytes,
                nanoClock);
        }
    }
}
