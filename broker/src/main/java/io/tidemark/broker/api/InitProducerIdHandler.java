package io.tidemark.broker.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.tidemark.broker.network.ApiHandler;
import io.tidemark.broker.network.RequestContext;
import io.tidemark.broker.network.Response;
import io.tidemark.broker.producer.ProducerIdManager;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId (v0-5) for idempotent producers: like Kafka without a transactional id, always a fresh
 * producer id (never reused, restarts included) with epoch 0; the request's producer id and epoch are
 * ignored. While no id is available (with a controller quorum, the broker's next block of ids has not
 * arrived yet) the answer is COORDINATOR_LOAD_IN_PROGRESS, which the Java client retries, as Kafka's
 * broker answers. Transactions are not supported: a transactional id is refused with INVALID_REQUEST (clients
 * never get here with one, since FindCoordinator is not advertised).
 */
public final class InitProducerIdHandler implements ApiHandler
{
    private final ProducerIdManager producerIds;

    /**
     * @param producerIds the id source.
     */
    public InitProducerIdHandler(final ProducerIdManager producerIds)
    {
        this.producerIds = producerIds;
    }

    @Override
    public CompletionStage<Response> handle(final RequestContext context, final AbstractRequest request)
    {
        final InitProducerIdRequestData data = ((InitProducerIdRequest)request).data();
        final InitProducerIdResponseData response = new InitProducerIdResponseData();
        if (data.transactionalId() != null)
        {
            response.setErrorCode(Errors.INVALID_REQUEST.code()).setProducerId(-1).setProducerEpoch((short)-1);
        }
        else
        {
            final long producerId = producerIds.nextProducerId();
            if (producerId == ProducerIdManager.NO_PRODUCER_ID)
            {
                // no block from the controller yet: retriable, the client asks again (Kafka does the same)
                response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()).setProducerId(-1).setProducerEpoch((short)-1);
            }
            else
            {
                response.setErrorCode(Errors.NONE.code()).setProducerId(producerId).setProducerEpoch((short)0);
            }
        }
        return CompletableFuture.completedFuture(Response.of(response));
    }
}
