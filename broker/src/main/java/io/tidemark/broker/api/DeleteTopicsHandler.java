package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * DeleteTopics (v1-6): by name, or by name or topic id from v6, through the controller. The partitions'
 * logs are deleted when the new metadata is applied. TOPIC_DELETION_DISABLED when
 * {@code delete.topic.enable=false}.
 */
public final class DeleteTopicsHandler implements ApiHandler
{
    private final MetadataView metadata;
    private final boolean enabled;
    private final long timeoutMs;

    /**
     * @param metadata  the metadata view.
     * @param enabled   {@code delete.topic.enable}.
     * @param timeoutMs bound on the controller's answer.
     */
    public DeleteTopicsHandler(final MetadataView metadata, final boolean enabled, final long timeoutMs)
    {
        this.metadata = metadata;
        this.enabled = enabled;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final DeleteTopicsRequestData data = ((DeleteTopicsRequest)request).data();
        final short version = context.version();
        final List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>();
        if (version >= 6)
        {
            wanted.addAll(data.topics());
        }
        else
        {
            for (final String name : data.topicNames())
            {
                wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
            }
        }
        final DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (final DeleteTopicsRequestData.DeleteTopicState w : wanted)
        {
            final boolean byId = w.name() == null;
            final TopicInfo topic = byId ? metadata.topic(w.topicId()) : metadata.topic(w.name());
            final DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
                .setName(topic != null ? topic.name() : w.name());
            if (version >= 6)
            {
                result.setTopicId(topic != null ? MetadataView.kafkaId(topic.id()) : byId ? w.topicId() : Uuid.ZERO_UUID);
            }
            response.responses().add(result);
            if (!enabled)
            {
                result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code()).setErrorMessage("delete.topic.enable is false on this broker");
                continue;
            }
            if (topic == null)
            {
                result.setErrorCode((byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code())
                    .setErrorMessage("topic " + (byId ? w.topicId() : w.name()) + " does not exist");
                continue;
            }
            pending.add(metadata.controller().deleteTopic(topic.name())
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((ok, error) ->
                {
                    if (error != null)
                    {
                        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(error);
                        result.setErrorCode(e.error().code()).setErrorMessage(e.message());
                    }
                    return null;
                }));
        }
        return Futures.all(pending).thenApply(ignored -> Response.of(response));
    }
}
