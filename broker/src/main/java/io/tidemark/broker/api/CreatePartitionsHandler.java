package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/**
 * CreatePartitions (v0-3): grows a topic through the controller, new replicas placed like new topics';
 * {@code validateOnly} checks only. A count not above the current one is INVALID_PARTITIONS. Explicit
 * assignments of the new partitions are not supported (INVALID_REPLICA_ASSIGNMENT says so).
 */
public final class CreatePartitionsHandler implements ApiHandler
{
    private final MetadataView metadata;
    private final long timeoutMs;

    /**
     * @param metadata  the metadata view.
     * @param timeoutMs bound on the controller's answer.
     */
    public CreatePartitionsHandler(final MetadataView metadata, final long timeoutMs)
    {
        this.metadata = metadata;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final CreatePartitionsRequestData data = ((CreatePartitionsRequest)request).data();
        final Map<String, Integer> counts = new HashMap<>();
        for (final CreatePartitionsRequestData.CreatePartitionsTopic t : data.topics())
        {
            counts.merge(t.name(), 1, Integer::sum);
        }
        final CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (final CreatePartitionsRequestData.CreatePartitionsTopic t : data.topics())
        {
            final CreatePartitionsResponseData.CreatePartitionsTopicResult result =
                new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(t.name()).setErrorMessage(null);
            response.results().add(result);
            if (counts.get(t.name()) > 1)
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("topic " + t.name() + " appears more than once");
                continue;
            }
            if (t.assignments() != null)
            {
                result.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code())
                    .setErrorMessage("explicit assignments of new partitions are not supported; omit them to use the default placement");
                continue;
            }
            pending.add(metadata.controller().createPartitions(t.name(), t.count(), data.validateOnly())
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((topic, error) ->
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
