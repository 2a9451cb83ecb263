package io.tidemark.broker.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.engine.Log;
import io.tidemark.engine.TimestampOffset;
import io.tidemark.replication.Partition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets (v1-10): -1 latest (the high watermark: the last fetchable offset; no transactions, so
 * read_committed sees the same), -2 earliest and -4 earliest-local (the log start offset), -3 the record
 * with the largest timestamp (v7+), -5 latest-tiered (none: -1), and a time: the first record at or after
 * it below the high watermark, refined inside compressed batches. Leader epochs (v4+) and KIP-320 fencing.
 */
public final class ListOffsetsHandler implements ApiHandler
{
    private final PartitionLookup lookup;
    private final int maxDecompressedBytes;

    /**
     * @param lookup               finds partitions.
     * @param maxDecompressedBytes {@code message.max.decompressed.bytes}: the bound on decompressing a
     *                             stored batch to refine a time lookup.
     */
    public ListOffsetsHandler(final PartitionLookup lookup, final int maxDecompressedBytes)
    {
        this.lookup = lookup;
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final ListOffsetsRequestData data = ((ListOffsetsRequest)request).data();
        final short version = context.version();
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (final ListOffsetsRequestData.ListOffsetsTopic topic : data.topics())
        {
            final ListOffsetsResponseData.ListOffsetsTopicResponse tr = new ListOffsetsResponseData.ListOffsetsTopicResponse()
                .setName(topic.name());
            for (final ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions())
            {
                tr.partitions().add(partition(topic.name(), p, version));
            }
            response.topics().add(tr);
        }
        return CompletableFuture.completedFuture(Response.of(response));
    }

    private ListOffsetsResponseData.ListOffsetsPartitionResponse partition(
        final String topic, final ListOffsetsRequestData.ListOffsetsPartition p, final short version)
    {
        final ListOffsetsResponseData.ListOffsetsPartitionResponse r = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
            .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1);
        final PartitionLookup.Found found = lookup.leader(topic, p.partitionIndex());
        if (found.error() != Errors.NONE)
        {
            return r.setErrorCode(found.error().code());
        }
        final Partition partition = found.partition();
        final Errors fenced = PartitionLookup.checkLeaderEpoch(partition, p.currentLeaderEpoch());
        if (fenced != Errors.NONE)
        {
            return r.setErrorCode(fenced.code());
        }
        final Log log = partition.log();
        final long hw = partition.highWatermark();
        final long ts = p.timestamp();
        long offset = -1;
        long timestamp = -1;
        if (ts == ListOffsetsRequest.LATEST_TIMESTAMP)
        {
            offset = hw;
        }
        else if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP)
        {
            offset = log.logStartOffset();
        }
        else if (ts == ListOffsetsRequest.MAX_TIMESTAMP || ts >= 0)
        {
            final TimestampOffset t = ts >= 0 ? TimestampLookup.forTimestamp(log, ts, hw, maxDecompressedBytes) :
                TimestampLookup.maxTimestamp(log, hw, maxDecompressedBytes);
            if (t != null)
            {
                offset = t.offset();
                timestamp = t.timestamp();
            }
        }
        else if (ts != ListOffsetsRequest.LATEST_TIERED_TIMESTAMP)
        {
            return r.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        r.setErrorCode(Errors.NONE.code()).setOffset(offset).setTimestamp(timestamp);
        if (version >= 4 && offset >= 0)
        {
            r.setLeaderEpoch(ts == ListOffsetsRequest.LATEST_TIMESTAMP ? partition.state().leaderEpoch() :
                log.epochCache().epochForOffset(offset));
        }
        return r;
    }
}
