package io.tidemark.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import io.tidemark.replication.controller.ControllerException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * What a client is told of a failure (issue 12, finding 4): a refusal's own words, never an unexpected
 * exception's class name or text.
 */
class ErrorMappingTest
{
    @Test
    void shouldHideAnUnexpectedExceptionsTextWhenItReachesAClient()
    {
        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(new CompletionException(new IllegalStateException("index 7 out of bounds")));
        assertEquals(Errors.UNKNOWN_SERVER_ERROR, e.error());
        assertEquals(ErrorMapping.UNEXPECTED, e.message());
    }

    @Test
    void shouldHideTheTextOfAControllerFailureWithNoReasonWhenItReachesAClient()
    {
        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(new ControllerException(ControllerException.Reason.UNKNOWN,
            "cannot persist metadata to /data/metadata: java.io.IOException: No space left on device"));
        assertEquals(Errors.UNKNOWN_SERVER_ERROR, e.error());
        assertEquals(ErrorMapping.UNEXPECTED, e.message());
    }

    @Test
    void shouldAnswerKafkasWordsWhenAnApiExceptionOnlyWrapsACause()
    {
        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(new KafkaStorageException(new IOException("Input/output error")));
        assertEquals(Errors.KAFKA_STORAGE_ERROR, e.error());
        assertEquals(Errors.KAFKA_STORAGE_ERROR.message(), e.message());
    }

    @Test
    void shouldKeepARefusalsOwnWordsWhenItHasAReason()
    {
        final ErrorMapping.ErrorAndMessage e = ErrorMapping.of(new ControllerException(ControllerException.Reason.INVALID_CONFIG,
            "retention.ms must be at least -1, got -5"));
        assertEquals(Errors.INVALID_CONFIG, e.error());
        assertEquals("retention.ms must be at least -1, got -5", e.message());
    }
}
