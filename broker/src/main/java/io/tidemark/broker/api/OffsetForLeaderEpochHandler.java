package io.tidemark.broker.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.EpochEndOffsets;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * OffsetForLeaderEpoch (v2-4), asked by consumers after a leader change or a restart from a committed
 * offset (KIP-320): the largest epoch at most the one asked about and where it ended on the leader (the
 * log end offset for the current epoch); -1/-1 for an epoch older than anything known.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler
{
    private final PartitionLookup lookup;

    /**
     * @param lookup finds partitions.
     */
    public OffsetForLeaderEpochHandler(final PartitionLookup lookup)
    {
        this.lookup = lookup;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final OffsetForLeaderEpochRequestData data = ((OffsetsForLeaderEpochRequest)request).data();
        final OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (final OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics())
        {
            final OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult tr =
                new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (final OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions())
            {
                final OffsetForLeaderEpochResponseData.EpochEndOffset r = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                    .setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                final PartitionLookup.Found found = lookup.leader(topic.topic(), p.partition());
                if (found.error() != Errors.NONE)
                {
                    r.setErrorCode(found.error().code());
                }
                else
                {
                    final EpochEndOffsets.Answer answer = found.partition().endOffsetForEpoch(p.currentLeaderEpoch(), p.leaderEpoch());
                    r.setErrorCode(ErrorMapping.of(answer.error()).code());
                    if (answer.error() == io.tidemark.replication.ReplicationError.NONE)
                    {
                        r.setLeaderEpoch(answer.leaderEpoch()).setEndOffset(answer.endOffset());
                    }
                }
                tr.partitions().add(r);
            }
            response.topics().add(tr);
        }
        return CompletableFuture.completedFuture(Response.of(response));
    }
}
