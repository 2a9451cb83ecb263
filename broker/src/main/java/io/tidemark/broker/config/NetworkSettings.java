package io.tidemark.broker.config;

import java.net.InetAddress;
import java.util.Map;

import io.tidemark.transport.TransportConfig;

/**
 * Socket and request-handling limits of the Kafka listeners.
 *
 * @param networkThreads            {@code num.network.threads}: selector threads per listener.
 * @param ioThreads                 {@code num.io.threads}: request handler threads.
 * @param requestMaxBytes           {@code socket.request.max.bytes}: largest request frame.
 * @param queuedMaxRequestBytes     {@code queued.max.request.bytes}: request bytes in memory at once.
 * @param maxConnections            {@code max.connections}, per listener.
 * @param maxConnectionsPerIp       {@code max.connections.per.ip}, per listener.
 * @param maxConnectionsPerIpOverrides {@code max.connections.per.ip.overrides}, resolved.
 * @param maxRequestsPerConnection  {@code queued.max.requests.per.connection}: unanswered requests read per connection.
 * @param connectionsMaxIdleMs      {@code connections.max.idle.ms}.
 * @param requestReadTimeoutMs      {@code socket.request.read.timeout.ms}: longest time from a request's first byte to its last.
 * @param sendBufferBytes           {@code socket.send.buffer.bytes}, -1 for the OS default.
 * @param receiveBufferBytes        {@code socket.receive.buffer.bytes}, -1 for the OS default.
 */
public record NetworkSettings(
    int networkThreads,
    int ioThreads,
    int requestMaxBytes,
    long queuedMaxRequestBytes,
    int maxConnections,
    int maxConnectionsPerIp,
    Map<InetAddress, Integer> maxConnectionsPerIpOverrides,
    int maxRequestsPerConnection,
    long connectionsMaxIdleMs,
    long requestReadTimeoutMs,
    int sendBufferBytes,
    int receiveBufferBytes)
{
    /**
     * Validates the combination.
     */
    public NetworkSettings
    {
        if (queuedMaxRequestBytes < requestMaxBytes)
        {
            throw new ConfigException(BrokerConfigKeys.QUEUED_MAX_REQUEST_BYTES, String.valueOf(queuedMaxRequestBytes),
                "must be at least socket.request.max.bytes=" + requestMaxBytes + " (Tidemark always bounds request memory)");
        }
        if (0 == maxConnectionsPerIp && maxConnectionsPerIpOverrides.isEmpty())
        {
            throw new ConfigException(BrokerConfigKeys.MAX_CONNECTIONS_PER_IP, "0",
                "0 refuses every address not in max.connections.per.ip.overrides, which is empty: set it, or a limit of at least 1");
        }
        maxConnectionsPerIpOverrides = Map.copyOf(maxConnectionsPerIpOverrides);
    }

    /**
     * @return the transport configuration of one listener.
     */
    public TransportConfig toTransportConfig()
    {
        return TransportConfig.builder()
            .selectorThreads(networkThreads)
            .maxConnections(maxConnections)
            .maxConnectionsPerIp(maxConnectionsPerIp)
            .maxConnectionsPerIpOverrides(maxConnectionsPerIpOverrides)
            .frameReadTimeoutMs(requestReadTimeoutMs)
            .maxFrameBytes(requestMaxBytes)
            .maxQueuedRequestBytes(queuedMaxRequestBytes)
            .maxInFlightRequestsPerConnection(maxRequestsPerConnection)
            .connectionsMaxIdleMs(connectionsMaxIdleMs)
            .socketSendBufferBytes(Math.max(0, sendBufferBytes))
            .socketReceiveBufferBytes(Math.max(0, receiveBufferBytes))
            .build();
    }
}
