package io.tidemark.broker.network;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The API versions the broker advertises (ApiVersions) and accepts. An API is advertised only when a
 * handler is registered for it. The advertised minimum may sit below the accepted one: Kafka advertises
 * Produce from v0 because librdkafka disables compression unless Produce v0 is in range (KAFKA-18659),
 * yet closes the connection on an actual v0-2 Produce; so does Tidemark.
 */
public final class ApiVersionTable
{
    /**
     * One API's range.
     *
     * @param advertisedMin the minimum advertised.
     * @param acceptedMin   the minimum accepted (closing the connection below it).
     * @param max           the maximum advertised and accepted.
     */
    public record Range(short advertisedMin, short acceptedMin, short max)
    {
    }

    private final Map<ApiKeys, Range> ranges;

    /**
     * @param ranges the ranges by API.
     */
    public ApiVersionTable(final Map<ApiKeys, Range> ranges)
    {
        final EnumMap<ApiKeys, Range> copy = new EnumMap<>(ApiKeys.class);
        copy.putAll(ranges);
        this.ranges = Collections.unmodifiableMap(copy);
    }

    /**
     * Clamps a wanted range to what the kafka-clients codec supports (its stable versions).
     *
     * @param api           the API.
     * @param advertisedMin the wanted advertised minimum (may be below the codec's oldest, as Produce 0).
     * @param max           the wanted maximum.
     * @return the range.
     */
    public static Range range(final ApiKeys api, final int advertisedMin, final int max)
    {
        final short oldest = api.oldestVersion();
        final short latest = (short)Math.min(max, api.latestVersion(false));
        return new Range((short)Math.min(advertisedMin, latest), (short)Math.max(advertisedMin, oldest), latest);
    }

    /**
     * @return the ranges.
     */
    public Map<ApiKeys, Range> ranges()
    {
        return ranges;
    }

    /**
     * @param api     an API.
     * @param version a version.
     * @return true if requests of that version are handled.
     */
    public boolean accepts(final ApiKeys api, final short version)
    {
        final Range r = ranges.get(api);
        return r != null && version >= r.acceptedMin() && version <= r.max() && api.isVersionSupported(version);
    }

    /**
     * @param api an API.
     * @return its range, or null if not advertised.
     */
    public Range range(final ApiKeys api)
    {
        return ranges.get(api);
    }

    /**
     * @return the full ApiVersions answer.
     */
    public ApiVersionsResponseData response()
    {
        final ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(Errors.NONE.code());
        for (final Map.Entry<ApiKeys, Range> e : ranges.entrySet())
        {
            data.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(e.getKey().id)
                .setMinVersion(e.getValue().advertisedMin()).setMaxVersion(e.getValue().max()));
        }
        return data;
    }

    /**
     * KIP-511: the answer to an ApiVersions request newer than we know, sent as v0: UNSUPPORTED_VERSION with
     * only the ApiVersions entry, so the client retries with a version we support.
     *
     * @return the answer.
     */
    public ApiVersionsResponseData unsupportedVersionResponse()
    {
        final Range r = ranges.get(ApiKeys.API_VERSIONS);
        final ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        data.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id)
            .setMinVersion(r.advertisedMin()).setMaxVersion(r.max()));
        return data;
    }
}
