package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/**
 * CreateTopics (v2-7): through the controller; -1 partitions or replication factor take the broker
 * defaults (KIP-464); explicit assignments; {@code validateOnly} checks without creating. From v5 the
 * answer carries the partition count, replication factor and full effective config with sources
 * (KIP-525), from v7 the topic id. Errors as Kafka: TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR (naming the factor and the live brokers), INVALID_CONFIG, INVALID_TOPIC_EXCEPTION,
 * INVALID_REPLICA_ASSIGNMENT, and INVALID_REQUEST for a name given twice.
 */
public final class CreateTopicsHandler implements ApiHandler
{
    private final MetadataView metadata;
    private final TopicConfigDescriber describer;
    private final long timeoutMs;

    /**
     * @param metadata  the metadata view.
     * @param describer describes effective configs.
     * @param timeoutMs bound on the controller's answer.
     */
    public CreateTopicsHandler(final MetadataView metadata, final TopicConfigDescriber describer, final long timeoutMs)
    {
        this.metadata = metadata;
        this.describer = describer;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final CreateTopicsRequestData data = ((CreateTopicsRequest)request).data();
        final short version = context.version();
        final Map<String, Integer> counts = new HashMap<>();
        for (final CreateTopicsRequestData.CreatableTopic t : data.topics())
        {
            counts.merge(t.name(), 1, Integer::sum);
        }
        final CreateTopicsResponseData response = new CreateTopicsResponseData();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (final CreateTopicsRequestData.CreatableTopic t : data.topics())
        {
            final CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult().setName(t.name());
            response.topics().add(result);
            if (counts.get(t.name()) > 1)
            {
                fail(result, Errors.INVALID_REQUEST, "topic " + t.name() + " appears more than once in the request");
                continue;
            }
            final String invalid = validate(t);
            if (invalid != null)
            {
                fail(result, invalid.startsWith("config") ? Errors.INVALID_CONFIG : Errors.INVALID_REQUEST, invalid);
                continue;
            }
            final Map<String, String> configs = new LinkedHashMap<>();
            for (final CreateTopicsRequestData.CreatableTopicConfig c : t.configs())
            {
                configs.put(c.name(), c.value());
            }
            pending.add(metadata.controller()
                .createTopic(t.name(), t.assignments().isEmpty() ? t.numPartitions() : -1, t.assignments().isEmpty() ? t.replicationFactor() : -1,
                    assignment(t), configs, data.validateOnly())
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((topic, error) ->
                {
                    if (error != null)
                    {
                        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(error);
                        fail(result, e.error(), e.message());
                    }
                    else
                    {
                        succeed(result, topic, data.validateOnly(), version);
                    }
                    return null;
                }));
        }
        return Futures.all(pending).thenApply(ignored -> Response.of(response));
    }

    private static String validate(final CreateTopicsRequestData.CreatableTopic t)
    {
        if (!t.assignments().isEmpty() && (t.numPartitions() != -1 || t.replicationFactor() != -1))
        {
            return "both numPartitions or replicationFactor and replica assignments were set; give one or the other";
        }
        for (final CreateTopicsRequestData.CreatableTopicConfig c : t.configs())
        {
            if (c.value() == null)
            {
                return "config " + c.name() + " has a null value";
            }
        }
        return null;
    }

    private static List<List<Integer>> assignment(final CreateTopicsRequestData.CreatableTopic t)
    {
        if (t.assignments().isEmpty())
        {
            return null;
        }
        final List<List<Integer>> replicas = new ArrayList<>();
        for (int i = 0; i < t.assignments().size(); i++)
        {
            replicas.add(null);
        }
        for (final CreateTopicsRequestData.CreatableReplicaAssignment a : t.assignments())
        {
            if (a.partitionIndex() < 0 || a.partitionIndex() >= replicas.size() || replicas.get(a.partitionIndex()) != null)
            {
                // let the controller refuse it with INVALID_REPLICA_ASSIGNMENT
                final List<List<Integer>> bad = new ArrayList<>();
                bad.add(List.of());
                return bad;
            }
            replicas.set(a.partitionIndex(), List.copyOf(a.brokerIds()));
        }
        return replicas;
    }

    private static void fail(final CreateTopicsResponseData.CreatableTopicResult result, final Errors error, final String message)
    {
        result.setErrorCode(error.code()).setErrorMessage(message).setConfigs(null);
    }

    private void succeed(final CreateTopicsResponseData.CreatableTopicResult result, final TopicInfo topic, final boolean validateOnly,
        final short version)
    {
        result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        if (version >= 7)
        {
            result.setTopicId(validateOnly ? Uuid.ZERO_UUID : MetadataView.kafkaId(topic.id()));
        }
        if (version >= 5)
        {
            result.setNumPartitions(topic.partitions().size())
                .setReplicationFactor((short)(topic.partitions().isEmpty() ? -1 : topic.partitions().get(0).replicas().size()));
            final List<CreateTopicsResponseData.CreatableTopicConfigs> configs = new ArrayList<>();
            for (final TopicConfigDescriber.Entry e : describer.describe(topic.configs()))
            {
                configs.add(new CreateTopicsResponseData.CreatableTopicConfigs().setName(e.name()).setValue(e.value())
                    .setReadOnly(false).setConfigSource(e.source()).setIsSensitive(false));
            }
            result.setConfigs(configs);
        }
    }
}
