package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata (v0-13): every live broker at the address of the listener the request came in on, the
 * cluster and controller ids, and per partition the leader, leader epoch, replicas, ISR and offline
 * replicas from the metadata image. With {@code auto.create.topics.enable}, unknown topics a client may
 * create are created (default partitions and replication factor) before answering.
 */
public final class MetadataHandler implements ApiHandler
{
    private final MetadataView metadata;
    private final boolean autoCreate;
    private final long timeoutMs;

    /**
     * @param metadata   the metadata view.
     * @param autoCreate {@code auto.create.topics.enable}.
     * @param timeoutMs  how long an auto-creation may take.
     */
    public MetadataHandler(final MetadataView metadata, final boolean autoCreate, final long timeoutMs)
    {
        this.metadata = metadata;
        this.autoCreate = autoCreate;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final MetadataRequestData data = ((MetadataRequest)request).data();
        final short version = context.version();
        final boolean all = data.topics() == null || (version == 0 && data.topics().isEmpty());
        if (!all && version < 12)
        {
            // as Kafka: topic ids (and so null names) exist from v12; an earlier answer cannot carry a null name
            for (final MetadataRequestData.MetadataRequestTopic t : data.topics())
            {
                if (t.name() == null)
                {
                    throw new InvalidRequestException("Topic name can not be null for version " + version);
                }
                if (!Uuid.ZERO_UUID.equals(t.topicId()))
                {
                    throw new InvalidRequestException("Topic IDs are not supported in requests for version " + version);
                }
            }
        }
        final boolean mayCreate = autoCreate && (version < 4 || data.allowAutoTopicCreation());
        final List<CompletableFuture<?>> creations = new ArrayList<>();
        if (!all && mayCreate)
        {
            for (final MetadataRequestData.MetadataRequestTopic t : data.topics())
            {
                if (t.name() != null && metadata.topic(t.name()) == null && TopicPartition.isValidTopic(t.name()))
                {
                    creations.add(metadata.controller().createTopic(t.name(), -1, (short)-1, null, Map.of(), false)
                        .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                        .handle((created, error) -> error));
                }
            }
        }
        if (creations.isEmpty())
        {
            return CompletableFuture.completedFuture(Response.of(build(context, data, all, List.of())));
        }
        return CompletableFuture.allOf(creations.toArray(new CompletableFuture<?>[0])).thenApply(ignored ->
        {
            final List<Throwable> failures = new ArrayList<>();
            for (final CompletableFuture<?> f : creations)
            {
                final Object error = f.join();
                if (error != null)
                {
                    failures.add((Throwable)error);
                }
            }
            return Response.of(build(context, data, all, failures));
        });
    }

    private MetadataResponseData build(final RequestContext context, final MetadataRequestData data, final boolean all,
        final List<Throwable> creationFailures)
    {
        final short version = context.version();
        final MetadataResponseData response = new MetadataResponseData()
            .setClusterId(metadata.image().clusterId())
            .setControllerId(metadata.controllerIdForClients());
        for (final BrokerInfo b : metadata.liveBrokers())
        {
            final MetadataView.HostPort hp = MetadataView.endpoint(b, context.listenerName());
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(b.id()).setHost(hp.host()).setPort(hp.port()).setRack(b.rack()));
        }
        final boolean includeOps = version >= 8 && data.includeTopicAuthorizedOperations();
        if (all)
        {
            for (final TopicInfo t : new java.util.TreeMap<>(metadata.image().topics()).values())
            {
                response.topics().add(topic(t, includeOps));
            }
            return response;
        }
        for (final MetadataRequestData.MetadataRequestTopic requested : data.topics())
        {
            final boolean byId = requested.name() == null;
            final TopicInfo t = byId ? metadata.topic(requested.topicId()) : metadata.topic(requested.name());
            if (t != null)
            {
                response.topics().add(topic(t, includeOps));
                continue;
            }
            final MetadataResponseData.MetadataResponseTopic missing = new MetadataResponseData.MetadataResponseTopic()
                .setName(requested.name()).setTopicId(byId ? requested.topicId() : Uuid.ZERO_UUID).setIsInternal(false);
            if (byId)
            {
                missing.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            }
            else if (!TopicPartition.isValidTopic(requested.name()))
            {
                missing.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
            }
            else
            {
                missing.setErrorCode(creationError(creationFailures).code());
            }
            response.topics().add(missing);
        }
        return response;
    }

    private static Errors creationError(final List<Throwable> failures)
    {
        for (final Throwable f : failures)
        {
            final Errors e = ErrorMapping.of(f).error();
            if (e == Errors.INVALID_REPLICATION_FACTOR || e == Errors.INVALID_TOPIC_EXCEPTION)
            {
                return e;
            }
        }
        return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    private MetadataResponseData.MetadataResponseTopic topic(final TopicInfo t, final boolean includeOps)
    {
        final MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
            .setErrorCode(Errors.NONE.code())
            .setName(t.name())
            .setTopicId(MetadataView.kafkaId(t.id()))
            .setIsInternal(t.name().equals("__consumer_offsets"));
        if (includeOps)
        {
            topic.setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
        }
        for (final PartitionInfo p : t.partitions())
        {
            final List<Integer> offline = new ArrayList<>();
            for (final int r : p.replicas())
            {
                if (!metadata.isLive(r))
                {
                    offline.add(r);
                }
            }
            final boolean leaderLive = p.leader() >= 0 && metadata.isLive(p.leader());
            topic.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                .setErrorCode(leaderLive ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
                .setPartitionIndex(p.partition())
                .setLeaderId(leaderLive ? p.leader() : -1)
                .setLeaderEpoch(p.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(p.replicas()))
                .setIsrNodes(new ArrayList<>(p.isr()))
                .setOfflineReplicas(offline));
        }
        return topic;
    }
}
