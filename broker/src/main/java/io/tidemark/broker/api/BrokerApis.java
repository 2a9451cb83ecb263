package io.tidemark.broker.api;

import java.util.EnumMap;
import java.util.Map;

import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.ApiVersionTable;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The registry of served APIs: a handler and the advertised version range per API. An API is advertised
 * exactly when it is registered here, so adding one (the consumer-group APIs later) is one
 * {@link #register} call.
 *
 * <pre>
 *  API (key)                     advertised   why
 *  Produce (0)                   0-13         v0 for librdkafka's compression check (KAFKA-18659); v0-2 refused
 *  Fetch (1)                     4-18         topic ids from v13: every topic has a stable non-zero id
 *  ListOffsets (2)               1-10
 *  Metadata (3)                  0-13
 *  ApiVersions (18)              0-4          newer: v0 UNSUPPORTED_VERSION answer (KIP-511)
 *  CreateTopics (19)             2-7
 *  DeleteTopics (20)             1-6
 *  InitProducerId (22)           0-5          idempotent producers only
 *  OffsetForLeaderEpoch (23)     2-4
 *  DescribeConfigs (32)          1-4
 *  CreatePartitions (37)         0-3
 *  IncrementalAlterConfigs (44)  0-1
 *  DescribeCluster (60)          0-2
 * </pre>
 *
 * Not advertised: group coordination (a later issue), transactions, SASL, telemetry (clients would call
 * it), DescribeTopicPartitions (the admin falls back to Metadata).
 */
public final class BrokerApis
{
    private final Map<ApiKeys, ApiHandler> handlers = new EnumMap<>(ApiKeys.class);
    private final Map<ApiKeys, ApiVersionTable.Range> ranges = new EnumMap<>(ApiKeys.class);

    /**
     * Starts with ApiVersions, which the request processor answers itself.
     */
    public BrokerApis()
    {
        ranges.put(ApiKeys.API_VERSIONS, ApiVersionTable.range(ApiKeys.API_VERSIONS, 0, 4));
    }

    /**
     * @param api        the API.
     * @param minVersion the lowest version advertised.
     * @param maxVersion the highest version advertised (clamped to the codec's stable versions).
     * @param handler    its handler.
     * @return this.
     */
    public BrokerApis register(final ApiKeys api, final int minVersion, final int maxVersion, final ApiHandler handler)
    {
        if (api == ApiKeys.API_VERSIONS)
        {
            throw new IllegalArgumentException("ApiVersions is built in");
        }
        handlers.put(api, handler);
        ranges.put(api, ApiVersionTable.range(api, minVersion, maxVersion));
        return this;
    }

    /**
     * @return the handlers.
     */
    public Map<ApiKeys, ApiHandler> handlers()
    {
        return handlers;
    }

    /**
     * @return the advertised versions.
     */
    public ApiVersionTable versions()
    {
        return new ApiVersionTable(ranges);
    }
}
