package io.tidemark.broker.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Decompression bombs (issue 12, finding 3): whatever a compressed batch declares, validating it allocates
 * at most a small multiple of {@code message.max.decompressed.bytes}, and the answer is Kafka's code for
 * what is wrong. Allocation is measured on this thread (the validator runs on the caller's thread).
 */
class BatchValidatorTest
{
    private static final int LIMIT = 1 << 20;
    private static final long ALLOWED_BYTES = 4L * LIMIT;
    private static final short PRODUCE_V9 = 9;

    private final BatchValidator validator = new BatchValidator(LIMIT);

    /** Every way a producer may compress a batch. */
    enum Codec
    {
        GZIP(r -> TestBatches.compressed(CompressionType.GZIP, r)),
        SNAPPY_XERIAL(r -> TestBatches.compressed(CompressionType.SNAPPY, r)),
        SNAPPY_RAW(TestBatches::rawSnappy),
        LZ4(r -> TestBatches.compressed(CompressionType.LZ4, r)),
        ZSTD(r -> TestBatches.compressed(CompressionType.ZSTD, r));

        final Function<SimpleRecord[], MemoryRecords> build;

        Codec(final Function<SimpleRecord[], MemoryRecords> build)
        {
            this.build = build;
        }

        MemoryRecords of(final SimpleRecord... records)
        {
            return build.apply(records);
        }
    }

    private static long allocatedBy(final Runnable action)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private BatchValidator.Failure validate(final MemoryRecords records)
    {
        return validator.validate(PRODUCE_V9, records, Integer.MAX_VALUE);
    }

    private void warmUp(final Codec codec)
    {
        final SimpleRecord withHeaders = new SimpleRecord(5L, "key".getBytes(), "value".getBytes(),
            new RecordHeader[] {new RecordHeader("h", "v".getBytes()), new RecordHeader("n", null)});
        assertNull(validate(codec.of(withHeaders, new SimpleRecord(6L, (byte[])null, (byte[])null), new SimpleRecord(7L, "k".getBytes(), new byte[300]))),
            "a good " + codec + " batch is accepted");
    }

    private BatchValidator.Failure assertBounded(final Supplier<MemoryRecords> bomb, final String what)
    {
        final MemoryRecords records = bomb.get();
        final BatchValidator.Failure[] failure = new BatchValidator.Failure[1];
        final long allocated = allocatedBy(() -> failure[0] = validate(records));
        assertNotNull(failure[0], what + " is refused");
        assertTrue(allocated < ALLOWED_BYTES, what + " allocated " + allocated + " bytes; the limit is " + LIMIT);
        return failure[0];
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRefuseARecordThatDecompressesPastTheLimitWithoutAllocatingItWhenCompressedWith(final Codec codec)
    {
        warmUp(codec);
        final BatchValidator.Failure f = assertBounded(() -> codec.of(new SimpleRecord(1L, null, new byte[32 << 20])),
            "a " + codec + " batch of one 32 MiB record of zeros");
        assertEquals(Errors.MESSAGE_TOO_LARGE, f.error(), f.message());
        assertTrue(f.message().contains("message.max.decompressed.bytes"), f.message());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldRefuseManySmallRecordsPastTheLimitWithoutAllocatingPerRecordWhenCompressedWith(final Codec codec)
    {
        warmUp(codec);
        final SimpleRecord[] records = new SimpleRecord[200_000];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = new SimpleRecord(1L, null, new byte[8]);
        }
        final MemoryRecords many = codec.of(records);
        final BatchValidator.Failure f = assertBounded(() -> many, "a " + codec + " batch of 200,000 records (3 MB decompressed)");
        assertEquals(Errors.MESSAGE_TOO_LARGE, f.error(), f.message());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void shouldAcceptARecordJustWithinTheLimitWhenCompressedWith(final Codec codec)
    {
        warmUp(codec);
        assertNull(validate(codec.of(new SimpleRecord(1L, null, new byte[LIMIT - 64]))));
    }

    @Test
    void shouldReadConcatenatedXerialStreamsAsSnappyInputStreamDoes() throws java.io.IOException
    {
        final byte[] section = TestBatches.section(new SimpleRecord(1L, "a".getBytes(), new byte[500]), new SimpleRecord(2L, "b".getBytes(), "c".getBytes()));
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final byte[] half : new byte[][] {java.util.Arrays.copyOf(section, 100), java.util.Arrays.copyOfRange(section, 100, section.length)})
        {
            try (org.xerial.snappy.SnappyOutputStream snappy = new org.xerial.snappy.SnappyOutputStream(new java.io.FilterOutputStream(out)
            {
                @Override
                public void close()
                {
                    // keep the shared stream open
                }
            }))
            {
                snappy.write(half);
            }
        }
        assertNull(validate(TestBatches.batch(CompressionType.SNAPPY.id, 2, out.toByteArray())));
    }

    @Test
    void shouldRefuseARawSnappyBlockThatLiesAboutItsLengthBeforeAllocatingIt()
    {
        warmUp(Codec.SNAPPY_RAW);
        final BatchValidator.Failure f = assertBounded(() -> TestBatches.lyingRawSnappy(64 << 20), "a 150-byte raw snappy block declaring 64 MiB");
        assertEquals(Errors.CORRUPT_MESSAGE, f.error(), f.message());
        assertEquals("the snappy-compressed records are not valid snappy", f.message());
    }

    @Test
    void shouldRefuseAnXerialSnappyChunkThatLiesAboutItsLengthBeforeAllocatingIt()
    {
        warmUp(Codec.SNAPPY_XERIAL);
        final BatchValidator.Failure f = assertBounded(() -> TestBatches.lyingXerialSnappy(64 << 20), "an xerial snappy chunk declaring 64 MiB");
        assertEquals(Errors.CORRUPT_MESSAGE, f.error(), f.message());
    }

    @Test
    void shouldRefuseTheIssuesTwoGigabyteSnappyBombWithoutAllocatingIt()
    {
        warmUp(Codec.SNAPPY_RAW);
        final BatchValidator.Failure f = assertBounded(() -> TestBatches.lyingRawSnappy(0x7FFFFF00), "the issue's 150-byte snappy bomb");
        assertEquals(Errors.CORRUPT_MESSAGE, f.error(), f.message());
    }

    @Test
    void shouldRefuseAValidSnappyBlockLargerThanTheLimitBeforeDecompressingIt()
    {
        warmUp(Codec.SNAPPY_RAW);
        final BatchValidator.Failure f = assertBounded(() -> TestBatches.rawSnappy(new SimpleRecord(1L, null, new byte[8 << 20])),
            "a valid raw snappy block of 8 MiB");
        assertEquals(Errors.MESSAGE_TOO_LARGE, f.error(), f.message());
    }
}
