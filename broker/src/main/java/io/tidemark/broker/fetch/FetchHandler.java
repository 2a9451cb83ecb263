package io.tidemark.broker.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import io.tidemark.broker.api.PartitionLookup;
import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch (v4-18) for consumers: sessionless (every answer is a full response with session id 0, which
 * clients accept as "no session"), reads stop at the high watermark, records go out as file regions of
 * the segments (zero copy), KIP-320 leader-epoch fencing, topics by name (v4-12) or id (v13+). A fetch
 * that finds fewer than {@code minBytes} waits up to {@code maxWaitMs} for more ({@link DelayedFetch}).
 */
public final class FetchHandler implements ApiHandler
{
    private final MetadataView metadata;
    private final PartitionLookup lookup;
    private final Executor pool;
    private final ScheduledExecutorService timer;
    private final int brokerMaxBytes;

    /**
     * @param metadata       the metadata view.
     * @param lookup         finds partitions.
     * @param pool           the request handler pool (delayed reads run there).
     * @param timer          fires long-poll deadlines.
     * @param brokerMaxBytes {@code fetch.max.bytes}: caps a response.
     */
    public FetchHandler(final MetadataView metadata, final PartitionLookup lookup, final Executor pool, final ScheduledExecutorService timer,
        final int brokerMaxBytes)
    {
        this.metadata = metadata;
        this.lookup = lookup;
        this.pool = pool;
        this.timer = timer;
        this.brokerMaxBytes = brokerMaxBytes;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final FetchRequestData data = ((FetchRequest)request).data();
        final short version = context.version();
        if (version >= 7 && data.sessionId() != 0)
        {
            return CompletableFuture.completedFuture(Response.of(new FetchResponseData()
                .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0)));
        }
        final List<FetchResponseData.FetchableTopicResponse> topics = new ArrayList<>();
        final List<FetchRead.Wanted> wanted = new ArrayList<>();
        for (final FetchRequestData.FetchTopic ft : data.topics())
        {
            final TopicInfo topic = version >= 13 ? metadata.topic(ft.topicId()) : metadata.topic(ft.topic());
            final FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse();
            if (version >= 13)
            {
                tr.setTopicId(ft.topicId());
            }
            else
            {
                tr.setTopic(ft.topic());
            }
            final int topicIndex = topics.size();
            topics.add(tr);
            for (final FetchRequestData.FetchPartition fp : ft.partitions())
            {
                final PartitionLookup.Found found = lookup.leader(topic, fp.partition(),
                    version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                wanted.add(new FetchRead.Wanted(topicIndex, found.partition(), found.error(), fp.partition(), fp.fetchOffset(),
                    fp.partitionMaxBytes(), fp.currentLeaderEpoch()));
            }
        }
        context.releaseRequestBytes();
        final int maxBytes = Math.max(1, Math.min(brokerMaxBytes, data.maxBytes()));
        final FetchRead read = FetchRead.read(topics, wanted, maxBytes, version);
        if (read.error || read.bytes >= data.minBytes() || data.maxWaitMs() <= 0 || wanted.isEmpty())
        {
            return CompletableFuture.completedFuture(read.toResponse());
        }
        read.discard();
        return new DelayedFetch(topics, wanted, maxBytes, Math.max(1, data.minBytes()), version, pool).start(timer, data.maxWaitMs());
    }
}
