package io.tidemark.engine.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Coverage-guided fuzzing of record batch validation ({@link RecordBatchFlyweight#validate}), the check
 * every producer, replica and recovery append relies on (RELIABILITY §6).
 *
 * <p>The input: a flags byte (bit 0: rewrite the CRC so the fuzzer gets past it to the record framing;
 * bit 1: strict producer offsets), then the batch bytes.
 *
 * <p>Contract: validation never throws and returns one of its codes; a batch it calls valid has a
 * matching CRC, lies within the bytes given, and (uncompressed) holds exactly {@code recordCount()}
 * records whose offsets, keys, values and headers all lie inside the batch.
 */
class RecordBatchFuzzTest
{
    private static final int MAX_BATCH_BYTES = 64 * 1024;

    @FuzzTest(maxDuration = "2m") // the slow profile fuzzes each target this long
    void shouldValidateOrRejectAnyBatch(final byte[] input)
    {
        if (input.length == 0)
        {
            return;
        }
        final boolean repairCrc = (input[0] & 1) != 0;
        final boolean strict = (input[0] & 2) != 0;
        final byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final RecordBatchFlyweight batch = new RecordBatchFlyweight().wrap(buffer, 0);
        if (repairCrc && batch.validateHeader(bytes.length, MAX_BATCH_BYTES) == RecordBatchFlyweight.VALID)
        {
            batch.updateCrc();
        }
        final int code = batch.validate(bytes.length, MAX_BATCH_BYTES, strict);
        assertTrue(code >= RecordBatchFlyweight.VALID && code <= RecordBatchFlyweight.BAD_RECORDS, "code " + code);
        if (code != RecordBatchFlyweight.VALID)
        {
            return;
        }
        final int end = batch.sizeInBytes();
        assertTrue(end <= bytes.length && end <= MAX_BATCH_BYTES, "a valid batch lies within the input");
        assertEquals(batch.crc(), batch.computeCrc(), "a valid batch has its CRC");
        if (batch.compression() != 0)
        {
            return;
        }
        final RecordFlyweight record = new RecordFlyweight();
        int seen = 0;
        if (batch.firstRecord(record))
        {
            do
            {
                assertTrue(record.offsetDelta() >= 0 && record.offsetDelta() <= batch.lastOffsetDelta(), "offset delta in range");
                assertWithin(record.keyOffset(), Math.max(0, record.keyLength()), end, "key");
                assertWithin(record.valueOffset(), Math.max(0, record.valueLength()), end, "value");
                for (int h = 0; h < record.headerCount(); h++)
                {
                    assertTrue(record.nextHeader(), "header " + h + " of " + record.headerCount() + " reads");
                    assertWithin(record.headerKeyOffset(), record.headerKeyLength(), end, "header key");
                    assertWithin(record.headerValueOffset(), Math.max(0, record.headerValueLength()), end, "header value");
                    record.headerKey();
                    record.headerValue();
                }
                record.keyBytes();
                record.valueBytes();
                seen++;
            }
            while (record.next());
            assertTrue(!record.malformed(), "a valid batch has no malformed record");
        }
        assertEquals(batch.recordCount(), seen, "a valid batch holds recordCount() records");
    }

    private static void assertWithin(final int offset, final int length, final int end, final String what)
    {
        assertTrue(offset >= RecordBatchDescriptor.RECORDS_OFFSET && length >= 0 && (long)offset + length <= end,
            what + " at " + offset + " length " + length + " lies inside the batch of " + end + " bytes");
    }
}
