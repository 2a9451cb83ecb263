package io.tidemark.broker.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ElectLeadersRequest;

/**
 * ElectLeaders (v0-2), what {@code Admin.electLeaders} and {@code kafka-leader-election} send: preferred
 * election moves leadership back to the first replica where it is live and in the ISR (restoring the
 * balance placement gave after failovers); unclean election gives a leaderless partition any live
 * replica. A partition whose leader is already right gets {@code ELECTION_NOT_NEEDED}; one that cannot
 * move {@code PREFERRED_LEADER_NOT_AVAILABLE} or {@code ELIGIBLE_LEADERS_NOT_AVAILABLE}; an unknown one
 * {@code UNKNOWN_TOPIC_OR_PARTITION}. Without a partition list every partition is considered and only
 * those whose leader changed are listed.
 */
public final class ElectLeadersHandler implements ApiHandler
{
    private static final byte PREFERRED = 0;

    private final MetadataView metadata;
    private final long timeoutMs;

    /**
     * @param metadata  the metadata view.
     * @param timeoutMs bound on the controller's answer (the request's own timeout is also honoured).
     */
    public ElectLeadersHandler(final MetadataView metadata, final long timeoutMs)
    {
        this.metadata = metadata;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final ElectLeadersRequestData data = ((ElectLeadersRequest)request).data();
        final boolean preferred = data.electionType() == PREFERRED;
        final ElectLeadersResponseData response = new ElectLeadersResponseData();
        final MetadataImage image = metadata.image();
        final Map<String, List<Integer>> asked = new LinkedHashMap<>();
        final Map<String, ElectLeadersResponseData.ReplicaElectionResult> results = new LinkedHashMap<>();
        final List<TopicPartition> unknown = new ArrayList<>();
        if (data.topicPartitions() != null)
        {
            for (final ElectLeadersRequestData.TopicPartitions t : data.topicPartitions())
            {
                final TopicInfo topic = image.topics().get(t.topic());
                for (final int p : t.partitions())
                {
                    if (topic == null || p < 0 || p >= topic.partitions().size())
                    {
                        unknown.add(new TopicPartition(t.topic(), p));
                    }
                    else
                    {
                        asked.computeIfAbsent(t.topic(), k -> new ArrayList<>()).add(p);
                    }
                }
            }
            for (final TopicPartition tp : unknown)
            {
                result(results, tp.topic()).partitionResult().add(new ElectLeadersResponseData.PartitionResult()
                    .setPartitionId(tp.partition()).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("no partition " + tp.partition() + " of topic " + tp.topic()));
            }
            if (asked.isEmpty())
            {
                response.replicaElectionResults().addAll(results.values());
                return java.util.concurrent.CompletableFuture.completedFuture(Response.of(response));
            }
        }
        final long wait = Math.min(timeoutMs, data.timeoutMs() > 0 ? data.timeoutMs() : timeoutMs);
        return metadata.controller().electLeaders(preferred, asked)
            .orTimeout(wait, TimeUnit.MILLISECONDS)
            .handle((changed, error) ->
            {
                if (error != null)
                {
                    final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(error);
                    response.setErrorCode(e.error().code());
                    for (final Map.Entry<String, List<Integer>> t : asked.entrySet())
                    {
                        for (final int p : t.getValue())
                        {
                            result(results, t.getKey()).partitionResult().add(new ElectLeadersResponseData.PartitionResult()
                                .setPartitionId(p).setErrorCode(e.error().code()).setErrorMessage(e.message()));
                        }
                    }
                }
                else
                {
                    final Set<TopicPartition> moved = new HashSet<>(changed);
                    for (final TopicPartition tp : changed)
                    {
                        result(results, tp.topic()).partitionResult().add(new ElectLeadersResponseData.PartitionResult()
                            .setPartitionId(tp.partition()).setErrorCode(Errors.NONE.code()).setErrorMessage(null));
                    }
                    final MetadataImage now = metadata.image();
                    for (final Map.Entry<String, List<Integer>> t : asked.entrySet())
                    {
                        for (final int p : t.getValue())
                        {
                            if (!moved.contains(new TopicPartition(t.getKey(), p)))
                            {
                                result(results, t.getKey()).partitionResult().add(notMoved(now, t.getKey(), p, preferred));
                            }
                        }
                    }
                }
                response.replicaElectionResults().addAll(results.values());
                return Response.of(response);
            });
    }

    private static ElectLeadersResponseData.PartitionResult notMoved(final MetadataImage image, final String topic, final int partition,
        final boolean preferred)
    {
        final ElectLeadersResponseData.PartitionResult r = new ElectLeadersResponseData.PartitionResult().setPartitionId(partition);
        final TopicInfo t = image.topics().get(topic);
        final PartitionInfo p = t == null || partition >= t.partitions().size() ? null : t.partitions().get(partition);
        if (p == null)
        {
            return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("topic " + topic + " was deleted");
        }
        if (preferred)
        {
            return p.leader() == p.replicas().get(0) ?
                r.setErrorCode(Errors.ELECTION_NOT_NEEDED.code()).setErrorMessage("broker " + p.leader() + " already leads " + topic + "-" +
                    partition) :
                r.setErrorCode(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code()).setErrorMessage("preferred replica " + p.replicas().get(0) +
                    " of " + topic + "-" + partition + " is not live and in the ISR " + p.isr());
        }
        return p.leader() >= 0 ?
            r.setErrorCode(Errors.ELECTION_NOT_NEEDED.code()).setErrorMessage(topic + "-" + partition + " has a leader (" + p.leader() + ")") :
            r.setErrorCode(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE.code()).setErrorMessage("no live replica of " + topic + "-" + partition +
                " among " + p.replicas());
    }

    private static ElectLeadersResponseData.ReplicaElectionResult result(final Map<String, ElectLeadersResponseData.ReplicaElectionResult> results,
        final String topic)
    {
        return results.computeIfAbsent(topic, t -> new ElectLeadersResponseData.ReplicaElectionResult().setTopic(t));
    }
}
