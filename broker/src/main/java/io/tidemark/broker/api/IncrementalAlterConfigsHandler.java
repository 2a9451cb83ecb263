package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.config.ConfigKey;
import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs (v0-1) for topics: SET, DELETE (back to the broker default), and APPEND /
 * SUBTRACT on list configs, through the controller; {@code validateOnly} checks only. The new effective
 * configuration reaches the partitions' logs at runtime when the metadata is applied: this is how
 * {@code flush.policy} switches while the topic is written. Broker configuration is static
 * ({@code server.properties}): altering it is INVALID_REQUEST.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler
{
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final byte SUBTRACT = 3;

    private final MetadataView metadata;
    private final long timeoutMs;

    /**
     * @param metadata  the metadata view.
     * @param timeoutMs bound on the controller's answer.
     */
    public IncrementalAlterConfigsHandler(final MetadataView metadata, final long timeoutMs)
    {
        this.metadata = metadata;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final IncrementalAlterConfigsRequestData data = ((IncrementalAlterConfigsRequest)request).data();
        final IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (final IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources())
        {
            final IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result =
                new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName()).setErrorMessage(null);
            response.responses().add(result);
            final ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.BROKER)
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("broker configuration is static: change server.properties and restart");
                continue;
            }
            if (type != ConfigResource.Type.TOPIC)
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("resource type " + type + " is not supported");
                continue;
            }
            final TopicInfo topic = metadata.topic(resource.resourceName());
            if (topic == null)
            {
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("topic " + resource.resourceName() + " does not exist");
                continue;
            }
            final Map<String, String> changes = new LinkedHashMap<>();
            final String problem = changes(topic, resource, changes);
            if (problem != null)
            {
                result.setErrorCode(problem.startsWith("duplicate") || problem.startsWith("null") ? Errors.INVALID_REQUEST.code() :
                    Errors.INVALID_CONFIG.code()).setErrorMessage(problem);
                continue;
            }
            pending.add(metadata.controller().alterConfigs(topic.name(), changes, data.validateOnly())
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((ok, error) ->
                {
                    if (error != null)
                    {
                        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(error);
                        result.setErrorCode(e.error().code()).setErrorMessage(e.message());
                    }
                    else
                    {
                        result.setErrorCode(Errors.NONE.code());
                    }
                    return null;
                }));
        }
        return Futures.all(pending).thenApply(ignored -> Response.of(response));
    }

    /**
     * Turns the operations into key to new value (null removes the override).
     *
     * @return null, or what is wrong.
     */
    private String changes(final TopicInfo topic, final IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
        final Map<String, String> changes)
    {
        final Set<String> seen = new HashSet<>();
        final Map<String, String> effective = metadata.effectiveConfigs(topic);
        for (final IncrementalAlterConfigsRequestData.AlterableConfig c : resource.configs())
        {
            if (!seen.add(c.name()))
            {
                return "duplicate config key " + c.name() + " in the request";
            }
            switch (c.configOperation())
            {
                case SET ->
                {
                    if (c.value() == null)
                    {
                        return "null value for " + c.name();
                    }
                    changes.put(c.name(), c.value());
                }
                case DELETE -> changes.put(c.name(), null);
                case APPEND, SUBTRACT ->
                {
                    if (!TopicConfigs.CLEANUP_POLICY.equals(c.name()))
                    {
                        return "APPEND and SUBTRACT apply to list configs only; " + c.name() + " is not one";
                    }
                    final Set<String> items = new LinkedHashSet<>(ConfigKey.asList(effective.getOrDefault(c.name(), "")));
                    final List<String> operands = c.value() == null ? List.of() : ConfigKey.asList(c.value());
                    if (c.configOperation() == APPEND)
                    {
                        items.addAll(operands);
                    }
                    else
                    {
                        operands.forEach(items::remove);
                    }
                    changes.put(c.name(), String.join(",", items));
                }
                default -> { return "unknown config operation " + c.configOperation() + " for " + c.name(); }
            }
        }
        return null;
    }
}
