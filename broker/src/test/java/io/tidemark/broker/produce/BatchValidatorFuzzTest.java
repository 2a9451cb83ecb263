package io.tidemark.broker.produce;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Coverage-guided fuzzing of the produce path's batch validation ({@link BatchValidator}), every codec's
 * decompressor included: the seed corpus holds batches compressed with gzip, snappy, lz4 and zstd, and the
 * fuzzer mutates their headers, lengths and compressed bytes (RELIABILITY §6, issue 12 findings 3 and 4).
 *
 * <p>The input: the Produce version byte (3 to 13), then the partition's records.
 *
 * <p>Contract: validation never throws; it accepts the batch (null) or refuses it with a Kafka error other
 * than UNKNOWN_SERVER_ERROR and a message; a decompressor allocating far beyond the 1 MiB max.message.bytes
 * fails the run with an OutOfMemoryError in the broker tests' heap (decompression stops at 16 MiB).
 */
class BatchValidatorFuzzTest
{
    private static final int MAX_MESSAGE_BYTES = 1024 * 1024;
    /** {@code message.max.decompressed.bytes}' default: a bomb stops here, well inside the test heap. */
    private static final int MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;
    private final BatchValidator validator = new BatchValidator(MAX_DECOMPRESSED_BYTES);

    @FuzzTest(maxDuration = "2m") // the slow profile fuzzes each target this long
    void shouldAcceptOrRefuseAnyProducedBatch(final byte[] input)
    {
        if (input.length == 0)
        {
            return;
        }
        final short version = (short)(3 + (input[0] & 0xff) % 11);
        final MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Arrays.copyOfRange(input, 1, input.length)));
        final BatchValidator.Failure failure = validator.validate(version, records, MAX_MESSAGE_BYTES);
        if (failure != null)
        {
            assertNotEquals(Errors.UNKNOWN_SERVER_ERROR, failure.error(), failure.message());
            assertNotNull(failure.message(), "a refusal says why");
        }
    }
}
