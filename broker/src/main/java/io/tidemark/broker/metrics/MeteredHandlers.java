package io.tidemark.broker.metrics;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Produce and Fetch handlers wrapped to count {@link TopicMetrics} from the request and its answer,
 * leaving the handlers themselves alone. Runs on whichever thread completes the response.
 */
public final class MeteredHandlers
{
    /** Offset of a v2 record batch's record count (Kafka's {@code DefaultRecordBatch.RECORDS_COUNT_OFFSET}). */
    private static final int RECORDS_COUNT_OFFSET = 57;

    private MeteredHandlers()
    {
    }

    /**
     * @param produce  the produce handler.
     * @param metrics  where to count.
     * @param metadata names topics given by id.
     * @return the handler, counting.
     */
    public static ApiHandler produce(final ApiHandler produce, final TopicMetrics metrics, final MetadataView metadata)
    {
        return (context, request) ->
        {
            final CompletionStage<Response> stage = produce.handle(context, request);
            final ProduceRequestData data = ((ProduceRequest)request).data();
            return stage.whenComplete((response, error) -> countProduce(metrics, metadata, context, data, response, error));
        };
    }

    private static void countProduce(final TopicMetrics metrics, final MetadataView metadata, final RequestContext context,
        final ProduceRequestData data, final Response response, final Throwable error)
    {
        final ProduceResponseData body = response != null && response.body() instanceof ProduceResponseData b ? b : null;
        // acks=0: no body; none() means every partition was appended, close() that one failed
        final boolean allFailed = error != null || (body == null && response != null && response.closeReason() != null);
        int t = -1;
        for (final ProduceRequestData.TopicProduceData td : data.topicData())
        {
            t++;
            final String topic = topicName(metadata, td.name(), td.topicId(), context.version() >= 13);
            final List<ProduceRequestData.PartitionProduceData> partitions = td.partitionData();
            for (int p = 0; p < partitions.size(); p++)
            {
                final ProduceRequestData.PartitionProduceData pd = partitions.get(p);
                final boolean failed = allFailed || (body != null && partitionError(body, t, p) != Errors.NONE.code());
                long records = 0;
                long bytes = 0;
                if (!failed && pd.records() instanceof MemoryRecords mr)
                {
                    final ByteBuffer b = mr.buffer();
                    bytes = b.remaining();
                    records = bytes > RECORDS_COUNT_OFFSET + 4 ? b.getInt(b.position() + RECORDS_COUNT_OFFSET) : 0;
                }
                metrics.produce(topic, records, bytes, failed);
            }
        }
    }

    private static short partitionError(final ProduceResponseData body, final int t, final int p)
    {
        // the handler answers topics and partitions in request order
        final ProduceResponseData.TopicProduceResponseCollection topics = body.responses();
        int i = 0;
        for (final ProduceResponseData.TopicProduceResponse tr : topics)
        {
            if (i++ == t)
            {
                return p < tr.partitionResponses().size() ? tr.partitionResponses().get(p).errorCode() : Errors.UNKNOWN_SERVER_ERROR.code();
            }
        }
        return Errors.UNKNOWN_SERVER_ERROR.code();
    }

    /**
     * @param fetch    the consumers' fetch handler.
     * @param metrics  where to count.
     * @param metadata names topics given by id.
     * @return the handler, counting.
     */
    public static ApiHandler fetch(final ApiHandler fetch, final TopicMetrics metrics, final MetadataView metadata)
    {
        return (context, request) -> fetch.handle(context, request).whenComplete((response, error) ->
        {
            if (response != null && response.body() instanceof FetchResponseData body)
            {
                countFetch(metrics, metadata, context, body);
            }
        });
    }

    private static void countFetch(final TopicMetrics metrics, final MetadataView metadata, final RequestContext context,
        final FetchResponseData body)
    {
        final List<FetchResponseData.FetchableTopicResponse> topics = body.responses();
        for (int t = 0; t < topics.size(); t++)
        {
            final FetchResponseData.FetchableTopicResponse tr = topics.get(t);
            final String topic = topicName(metadata, tr.topic(), tr.topicId(), context.version() >= 13);
            final List<FetchResponseData.PartitionData> partitions = tr.partitions();
            for (int p = 0; p < partitions.size(); p++)
            {
                final FetchResponseData.PartitionData pd = partitions.get(p);
                final BaseRecords records = pd.records();
                metrics.fetch(topic, records == null ? 0 : records.sizeInBytes(), pd.errorCode() != Errors.NONE.code());
            }
        }
    }

    private static String topicName(final MetadataView metadata, final String name, final Uuid id, final boolean byId)
    {
        // only topics the metadata knows get meters of their own: a name a client made up (a typo, a fuzzer)
        // counts in the broker-wide meters alone, so requests cannot create metrics without bound
        final TopicInfo topic = byId ? metadata.topic(id) : name == null || name.isEmpty() ? null : metadata.topic(name);
        return topic == null ? null : topic.name();
    }
}
