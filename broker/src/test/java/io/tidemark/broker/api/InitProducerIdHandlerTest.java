package io.tidemark.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidemark.broker.producer.ProducerIdManager;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.junit.jupiter.api.Test;

class InitProducerIdHandlerTest
{
    private static InitProducerIdResponseData handle(final ProducerIdManager ids)
    {
        final InitProducerIdRequest request = new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
            .setTransactionTimeoutMs(Integer.MAX_VALUE).setProducerId(-1).setProducerEpoch((short)-1)).build((short)4);
        return (InitProducerIdResponseData)new InitProducerIdHandler(ids).handle(null, request).toCompletableFuture().join().body();
    }

    @Test
    void shouldAnswerAFreshIdWithEpochZero()
    {
        final InitProducerIdResponseData r = handle(() -> 4711);
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(4711, r.producerId());
        assertEquals(0, r.producerEpoch());
    }

    @Test
    void shouldAnswerARetriableErrorWhileNoIdIsAvailable()
    {
        final InitProducerIdResponseData r = handle(() -> ProducerIdManager.NO_PRODUCER_ID);
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), r.errorCode());
        assertEquals(true, Errors.COORDINATOR_LOAD_IN_PROGRESS.exception() instanceof org.apache.kafka.common.errors.RetriableException,
            "the Java producer retries it");
        assertEquals(-1, r.producerId());
        assertEquals(-1, r.producerEpoch());
    }
}
