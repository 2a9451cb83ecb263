package io.tidemark.broker.config;

import io.tidemark.transport.TransportConfig;

/**
 * Socket and request-handling limits of the Kafka listeners.
 *
 * @param networkThreads            {@code num.network.threads}: selector threads per listener.
 * @param ioThreads                 {@code num.io.threads}: request handler threads.
 * @param requestMaxBytes           {@code socket.request.max.bytes}: largest request frame.
 * @param queuedMaxRequestBytes     {@code queued.max.request.bytes}: request bytes in memory at once.
 * @param maxConnections            {@code max.connections}.
 * @param maxRequestsPerConnection  {@code queued.max.requests.per.connection}: unanswered requests read per connection.
 * @param connectionsMaxIdleMs      {@code connections.max.idle.ms}.
 * @param sendBufferBytes           {@code socket.send.buffer.bytes}, -1 for the OS default.
 * @param receiveBufferBytes        {@code socket.receive.buffer.bytes}, -1 for the OS default.
 */
public record NetworkSettings(
    int networkThreads,
    int ioThreads,
    int requestMaxBytes,
    long queuedMaxRequestBytes,
    int maxConnections,
    int maxRequestsPerConnection,
    long connectionsMaxIdleMs,
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
    }

    /**
     * @return the transport configuration of one listener.
     */
    public TransportConfig toTransportConfig()
    {
        return TransportConfig.builder()
            .selectorThreads(networkThreads)
            .maxConnections(maxConnections)
            .maxFrameBytes(requestMaxBytes)
            .maxQueuedRequestBytes(queuedMaxRequestBytes)
            .maxInFlightRequestsPerConnection(maxRequestsPerConnection)
            .connectionsMaxIdleMs(connectionsMaxIdleMs)
            .socketSendBufferBytes(Math.max(0, sendBufferBytes))
            .socketReceiveBufferBytes(Math.max(0, receiveBufferBytes))
            .build();
    }
}
