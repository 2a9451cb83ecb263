package io.tidemark.broker.produce;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import io.tidemark.broker.api.ErrorMapping;
import io.tidemark.broker.metadata.MetadataView;
import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.Partition;
import io.tidemark.replication.ReplicaManager;
import io.tidemark.replication.ReplicationError;
import io.tidemark.replication.controller.TopicInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Produce (v3-13; v0-2 advertised for librdkafka but refused). Each partition's batch is validated
 * ({@link BatchValidator}) and handed to the replication layer, which appends it as sent, offsets and
 * leader epoch assigned in place by the log writer (and the time stamped for LogAppendTime topics), after
 * the idempotent-producer checks. Clients may not write {@code __consumer_offsets} (INVALID_TOPIC_EXCEPTION,
 * as Kafka answers). acks=1 answers once written, acks=all once the high watermark passes the
 * batch; acks=0 sends nothing, and closes the connection if any partition failed (as Kafka does, so the
 * client refreshes its metadata).
 *
 * <p>Batches reach the log in request order: a connection's requests are handled one at a time and each
 * append is enqueued (copied into the writer's ring) before the next request starts.
 */
public final class ProduceHandler implements ApiHandler
{
    private static final int FLAG_LOG_APPEND_TIME = 1;
    private static final String INTERNAL_TOPIC = "__consumer_offsets";

    private final MetadataView metadata;
    private final ReplicaManager replicas;
    private final ThreadLocal<Scratch> scratch;

    private static final class Scratch
    {
        final BatchValidator validator;
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

        Scratch(final int maxDecompressedBytes)
        {
            validator = new BatchValidator(maxDecompressedBytes);
        }
    }

    /**
     * @param metadata             the metadata view.
     * @param replicas             the partitions hosted here.
     * @param maxDecompressedBytes {@code message.max.decompressed.bytes}.
     */
    public ProduceHandler(final MetadataView metadata, final ReplicaManager replicas, final int maxDecompressedBytes)
    {
        this.metadata = metadata;
        this.replicas = replicas;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(maxDecompressedBytes));
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final ProduceRequestData data = ((ProduceRequest)request).data();
        final short version = context.version();
        final short acks = data.acks();
        final Pending pending = new Pending(acks, version);
        final Scratch s = scratch.get();
        for (final ProduceRequestData.TopicProduceData td : data.topicData())
        {
            final TopicInfo topic = version >= 13 ? metadata.topic(td.topicId()) : metadata.topic(td.name());
            final ProduceResponseData.TopicProduceResponse tr = new ProduceResponseData.TopicProduceResponse();
            if (version >= 13)
            {
                tr.setTopicId(td.topicId());
            }
            else
            {
                tr.setName(td.name());
            }
            pending.response.responses().add(tr);
            for (final ProduceRequestData.PartitionProduceData pd : td.partitionData())
            {
                final ProduceResponseData.PartitionProduceResponse pr = new ProduceResponseData.PartitionProduceResponse()
                    .setIndex(pd.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                tr.partitionResponses().add(pr);
                pending.expect();
                produce(s, pending, pr, topic, pd, acks, data.timeoutMs(), version, data.transactionalId());
            }
        }
        // every append was copied into its log's ring: the request bytes are no longer needed
        context.releaseRequestBytes();
        pending.done();
        return pending.future;
    }

    private void produce(final Scratch s, final Pending pending, final ProduceResponseData.PartitionProduceResponse pr,
        final TopicInfo topic, final ProduceRequestData.PartitionProduceData pd, final short acks, final int timeoutMs,
        final short version, final String transactionalId)
    {
        if (acks != -1 && acks != 0 && acks != 1)
        {
            pending.fail(pr, Errors.INVALID_REQUIRED_ACKS, "acks must be -1 (all), 0 or 1, got " + acks);
            return;
        }
        if (transactionalId != null)
        {
            pending.fail(pr, Errors.INVALID_RECORD, "transactions are not supported");
            return;
        }
        if (topic == null)
        {
            pending.fail(pr, version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
            return;
        }
        if (INTERNAL_TOPIC.equals(topic.name()))
        {
            // Kafka's answer; the group coordinator writes it through the replication layer, never a client
            // (its loader reads uncompressed batches of its own format only)
            pending.fail(pr, Errors.INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic " + INTERNAL_TOPIC);
            return;
        }
        final MetadataView.TopicRuntime runtime = metadata.runtime(topic);
        if (pd.index() < 0 || pd.index() >= runtime.partitions().length)
        {
            pending.fail(pr, Errors.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic.name() + " has no partition " + pd.index());
            return;
        }
        final TopicPartition tp = runtime.partitions()[pd.index()];
        final Partition partition = replicas.partition(tp);
        if (partition == null || !partition.isLeader())
        {
            pending.fail(pr, Errors.NOT_LEADER_OR_FOLLOWER, "broker " + replicas.brokerId() + " does not lead " + tp);
            return;
        }
        if (!(pd.records() instanceof MemoryRecords records))
        {
            pending.fail(pr, Errors.INVALID_RECORD, "no records for " + tp);
            return;
        }
        final BatchValidator.Failure invalid = s.validator.validate(version, records, partition.log().config().maxBatchBytes());
        if (invalid != null)
        {
            pending.fail(pr, invalid.error(), invalid.message());
            return;
        }
        final ByteBuffer bytes = records.buffer();
        s.buffer.wrap(bytes, bytes.position(), bytes.remaining());
        replicas.append(tp, s.buffer, 0, bytes.remaining(), acks, timeoutMs, runtime.logAppendTime() ? FLAG_LOG_APPEND_TIME : 0,
            (error, baseOffset, logAppendTimeMs, logStartOffset, rejectCode, message) ->
            {
                if (error == ReplicationError.NONE)
                {
                    pr.setErrorCode(Errors.NONE.code()).setBaseOffset(baseOffset).setLogAppendTimeMs(logAppendTimeMs)
                        .setLogStartOffset(logStartOffset);
                    pending.done();
                }
                else
                {
                    pr.setLogStartOffset(logStartOffset);
                    pending.fail(pr, ErrorMapping.of(error, rejectCode), message);
                }
            });
    }

    /**
     * The response being assembled; completes when every partition has its outcome (on whichever thread
     * gives the last one).
     */
    private static final class Pending
    {
        final ProduceResponseData response = new ProduceResponseData();
        final CompletableFuture<Response> future = new CompletableFuture<>();
        final AtomicInteger remaining = new AtomicInteger(1);
        final short acks;
        final short version;
        volatile String firstError;

        Pending(final short acks, final short version)
        {
            this.acks = acks;
            this.version = version;
        }

        void expect()
        {
            remaining.incrementAndGet();
        }

        void fail(final ProduceResponseData.PartitionProduceResponse pr, final Errors error, final String message)
        {
            pr.setErrorCode(error.code()).setBaseOffset(-1).setLogAppendTimeMs(-1);
            if (version >= 8)
            {
                pr.setErrorMessage(message);
            }
            if (firstError == null)
            {
                firstError = "partition " + pr.index() + ": " + error + (message != null ? " (" + message + ")" : "");
            }
            done();
        }

        void done()
        {
            if (remaining.decrementAndGet() != 0)
            {
                return;
            }
            if (acks != 0)
            {
                future.complete(Response.of(response));
            }
            else if (firstError != null)
            {
                future.complete(Response.close("acks=0 produce failed at " + firstError));
            }
            else
            {
                future.complete(Response.none());
            }
        }
    }
}
