package io.tidemark.broker.fetch;

import java.util.ArrayList;
import java.util.List;

import io.tidemark.broker.api.ErrorMapping;
import io.tidemark.broker.api.PartitionLookup;
import io.tidemark.broker.network.FileRegionRecords;
import io.tidemark.broker.network.ResponseEncoder;
import io.tidemark.broker.network.Response;
import io.tidemark.engine.FileSlice;
import io.tidemark.replication.FetchIsolation;
import io.tidemark.replication.Partition;
import io.tidemark.replication.ReadResult;
import io.tidemark.replication.ReplicationError;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * One read of every partition of a fetch: the response it would send (records as file regions of whole
 * batches, below the high watermark) and whether it satisfies the fetch's minimum. A read that is not
 * sent must be {@link #discard() discarded} to release its segment references.
 *
 * <p>Size limits as Kafka's (KIP-74): the first batch of the first partition with data is returned whole
 * even when larger than the limits, so a consumer always progresses; later partitions get data only while
 * it fits their {@code partitionMaxBytes} and the response's remaining {@code maxBytes}.
 */
final class FetchRead
{
    final FetchResponseData response;
    final List<FileSlice> slices;
    final int bytes;
    final boolean error;

    private FetchRead(final FetchResponseData response, final List<FileSlice> slices, final int bytes, final boolean error)
    {
        this.response = response;
        this.slices = slices;
        this.bytes = bytes;
        this.error = error;
    }

    /**
     * One partition wanted by the fetch.
     *
     * @param topicIndex         index of its topic response.
     * @param partition          the partition led here, or null if it cannot be served.
     * @param lookupError        why it cannot be served (NONE if it can).
     * @param partitionIndex     the partition number.
     * @param fetchOffset        first offset wanted.
     * @param partitionMaxBytes  size limit.
     * @param currentLeaderEpoch KIP-320 epoch, or -1.
     */
    record Wanted(int topicIndex, Partition partition, Errors lookupError, int partitionIndex, long fetchOffset, int partitionMaxBytes,
        int currentLeaderEpoch)
    {
    }

    /**
     * @param topics   topic responses to fill (name or id set), in request order; copied per read.
     * @param wanted   the partitions.
     * @param maxBytes response size limit.
     * @param version  the Fetch version.
     * @return the read.
     */
    static FetchRead read(final List<FetchResponseData.FetchableTopicResponse> topics, final List<Wanted> wanted, final int maxBytes,
        final short version)
    {
        final FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code());
        final List<FetchResponseData.FetchableTopicResponse> topicResponses = new ArrayList<>(topics.size());
        for (final FetchResponseData.FetchableTopicResponse t : topics)
        {
            final FetchResponseData.FetchableTopicResponse copy = new FetchResponseData.FetchableTopicResponse();
            if (version >= 13)
            {
                copy.setTopicId(t.topicId());
            }
            else
            {
                copy.setTopic(t.topic());
            }
            topicResponses.add(copy);
            response.responses().add(copy);
        }
        final List<FileSlice> slices = new ArrayList<>();
        int bytes = 0;
        boolean error = false;
        try
        {
            for (final Wanted w : wanted)
            {
                final FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(w.partitionIndex()).setRecords(MemoryRecords.EMPTY).setAbortedTransactions(null);
                topicResponses.get(w.topicIndex()).partitions().add(pd);
                if (w.partition() == null)
                {
                    pd.setErrorCode(w.lookupError().code());
                    error = true;
                    continue;
                }
                final Errors fenced = PartitionLookup.checkLeaderEpoch(w.partition(), w.currentLeaderEpoch());
                if (fenced != Errors.NONE)
                {
                    pd.setErrorCode(fenced.code());
                    error = true;
                    continue;
                }
                final int remaining = maxBytes - bytes;
                final int limit = bytes == 0 ? w.partitionMaxBytes() : Math.min(w.partitionMaxBytes(), remaining);
                final ReadResult r = w.partition().read(w.fetchOffset(), Math.max(1, limit), FetchIsolation.HIGH_WATERMARK,
                    w.currentLeaderEpoch());
                pd.setHighWatermark(r.highWatermark()).setLastStableOffset(r.highWatermark()).setLogStartOffset(r.logStartOffset());
                if (r.error() != ReplicationError.NONE)
                {
                    pd.setErrorCode(ErrorMapping.of(r.error()).code());
                    error = true;
                    continue;
                }
                pd.setErrorCode(Errors.NONE.code());
                final FileSlice slice = r.slice();
                if (slice == null)
                {
                    continue;
                }
                if (bytes > 0 && (limit <= 0 || slice.length() > limit))
                {
                    slice.close();
                    continue;
                }
                slices.add(slice);
                pd.setRecords(new FileRegionRecords(slice));
                bytes += slice.length();
            }
        }
        catch (final RuntimeException ex)
        {
            try
            {
                ResponseEncoder.closeAll(slices);
            }
            catch (final RuntimeException closing)
            {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
        if (version >= 7)
        {
            response.setSessionId(0);
        }
        return new FetchRead(response, slices, bytes, error);
    }

    /**
     * @return the response; the slices are released when it has been sent.
     */
    Response toResponse()
    {
        return Response.of(response, slices);
    }

    /**
     * Releases the slices of a read that will not be sent.
     */
    void discard()
    {
        ResponseEncoder.closeAll(slices);
    }
}
