package io.tidemark.broker.produce;

import java.nio.ByteBuffer;

import io.tidemark.broker.compress.CompressedRecordReader;
import io.tidemark.broker.compress.DecompressionException;
import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.transport.LogText;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Validates one partition's records of a produce request before anything is appended, in Kafka's order
 * ({@code ProduceRequest.validateRecords}, {@code UnifiedLog.analyzeAndValidateRecords},
 * {@code LogValidator}), so the first error answered is the real one:
 *
 * <ol>
 *   <li>a whole v2 batch header: length, magic 2 (INVALID_RECORD; a length below the v2 minimum is
 *       CORRUPT_MESSAGE), exactly one batch and no bytes after it, no zstd below Produce v7
 *       (UNSUPPORTED_COMPRESSION_TYPE);</li>
 *   <li>base offset 0 (INVALID_RECORD);</li>
 *   <li>size at most {@code max.message.bytes} (MESSAGE_TOO_LARGE);</li>
 *   <li>CRC32C (CORRUPT_MESSAGE): a flipped bit anywhere after the CRC is reported as such, never as
 *       the field it altered;</li>
 *   <li>a known compression codec (UNSUPPORTED_COMPRESSION_TYPE);</li>
 *   <li>record count = last offset delta + 1, at least 1 (INVALID_RECORD); no control or transactional
 *       batches; a producer id needs a sequence;</li>
 *   <li>the records' framing and offset deltas (INVALID_RECORD); compressed batches are decompressed as
 *       a stream with every declared length checked first and at most {@code message.max.decompressed.bytes}
 *       produced ({@link CompressedRecordReader}: CORRUPT_MESSAGE for data that is not valid for its codec,
 *       MESSAGE_TOO_LARGE past the limit). Batches are stored as sent.</li>
 * </ol>
 *
 * Messages say what is wrong in the protocol's words; a codec library's own failure goes to the
 * broker's log (DEBUG), never to the client.
 *
 * <p>Not thread safe: one per request handler thread.
 */
public final class BatchValidator
{
    private static final System.Logger LOG = System.getLogger(BatchValidator.class.getName());
    private static final int ZSTD = 4;
    private static final int MAX_CODEC = 4;

    /**
     * A refusal.
     *
     * @param error   the Kafka error.
     * @param message what is wrong.
     */
    public record Failure(Errors error, String message)
    {
    }

    private final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final CompressedRecordReader reader = new CompressedRecordReader();
    private final int maxDecompressedBytes;

    /**
     * @param maxDecompressedBytes {@code message.max.decompressed.bytes}: the most bytes a compressed
     *                             batch's records may decompress to.
     */
    public BatchValidator(final int maxDecompressedBytes)
    {
        if (maxDecompressedBytes < 1)
        {
            throw new IllegalArgumentException("maxDecompressedBytes must be positive, got " + maxDecompressedBytes);
        }
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    /**
     * @param version         the Produce version.
     * @param records         the partition's records (a view of the request).
     * @param maxMessageBytes the topic's {@code max.message.bytes}.
     * @return null if acceptable, else the failure.
     */
    public Failure validate(final short version, final MemoryRecords records, final int maxMessageBytes)
    {
        final ByteBuffer buffer = records.buffer();
        final int size = records.sizeInBytes();
        if (size == 0)
        {
            return new Failure(Errors.INVALID_RECORD, "Produce v" + version + " needs one record batch per partition; this one has no bytes");
        }
        view.wrap(buffer, buffer.position(), size);
        flyweight.wrap(view, 0);
        final Failure header = header(version, size);
        if (header != null)
        {
            return header;
        }
        if (flyweight.baseOffset() != 0)
        {
            return new Failure(Errors.INVALID_RECORD, "a producer batch must have base offset 0, got " + flyweight.baseOffset());
        }
        final int batchSize = flyweight.sizeInBytes();
        if (batchSize > maxMessageBytes)
        {
            return new Failure(Errors.MESSAGE_TOO_LARGE, "record batch of " + batchSize + " bytes exceeds max.message.bytes " + maxMessageBytes);
        }
        final int code = flyweight.validate(size, Integer.MAX_VALUE, true);
        if (code == RecordBatchFlyweight.BAD_CRC)
        {
            return new Failure(Errors.CORRUPT_MESSAGE, "record batch CRC32C mismatch (stored " + Integer.toUnsignedString(flyweight.crc()) +
                ", computed " + Integer.toUnsignedString(flyweight.computeCrc()) + ")");
        }
        final Failure fields = fields();
        if (fields != null)
        {
            return fields;
        }
        if (code == RecordBatchFlyweight.BAD_RECORDS)
        {
            return new Failure(Errors.INVALID_RECORD, "the records do not match the batch header: " + flyweight.recordCount() +
                " records with offset deltas 0 to " + flyweight.lastOffsetDelta() + " must fill the " + (batchSize - RecordBatchDescriptor.HEADER_LENGTH) +
                " bytes after the 61-byte header exactly, each framed as a v2 record");
        }
        if (code != RecordBatchFlyweight.VALID)
        {
            return new Failure(Errors.CORRUPT_MESSAGE, "malformed record batch: " + RecordBatchFlyweight.validationName(code));
        }
        return flyweight.compression() != 0 ? compressed(buffer.position(), batchSize, buffer) : null;
    }

    private Failure header(final short version, final int size)
    {
        final int code = flyweight.validateHeader(size, Integer.MAX_VALUE);
        if (code == RecordBatchFlyweight.TRUNCATED)
        {
            if (size < RecordBatchDescriptor.HEADER_LENGTH)
            {
                return new Failure(Errors.INVALID_RECORD, "the partition's records are " + size + " bytes, shorter than the " +
                    RecordBatchDescriptor.HEADER_LENGTH + "-byte header of a v2 record batch");
            }
            return new Failure(Errors.INVALID_RECORD, "the record batch's batchLength " + flyweight.batchLength() + " declares " +
                ((long)flyweight.batchLength() + RecordBatchDescriptor.LOG_OVERHEAD) + " bytes but the partition's records are " + size + " bytes");
        }
        if (code == RecordBatchFlyweight.BAD_LENGTH)
        {
            return new Failure(Errors.CORRUPT_MESSAGE, "the record batch's batchLength " + flyweight.batchLength() + " is below the v2 minimum of " +
                RecordBatchDescriptor.MIN_BATCH_LENGTH_FIELD);
        }
        if (code == RecordBatchFlyweight.BAD_MAGIC)
        {
            return new Failure(Errors.INVALID_RECORD, "record batch magic " + flyweight.magic() + ": Produce v" + version +
                " takes record batches with magic 2 only");
        }
        if (flyweight.sizeInBytes() != size)
        {
            return new Failure(Errors.INVALID_RECORD, (size - flyweight.sizeInBytes()) + " bytes after the record batch: Produce v" + version +
                " takes exactly one record batch per partition");
        }
        if (version < 7 && flyweight.compression() == ZSTD)
        {
            return new Failure(Errors.UNSUPPORTED_COMPRESSION_TYPE, "zstd-compressed batches need Produce v7 or later; this request is v" + version);
        }
        return null;
    }

    private Failure fields()
    {
        if (flyweight.compression() > MAX_CODEC)
        {
            return new Failure(Errors.UNSUPPORTED_COMPRESSION_TYPE, "unknown compression codec " + flyweight.compression() +
                " in the batch attributes (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)");
        }
        final int count = flyweight.recordCount();
        if (count < 1)
        {
            return new Failure(Errors.INVALID_RECORD, "the batch's record count is " + count + "; a producer batch holds at least one record");
        }
        if (flyweight.lastOffsetDelta() != count - 1)
        {
            return new Failure(Errors.INVALID_RECORD, "the batch's last offset delta " + flyweight.lastOffsetDelta() + " and record count " + count +
                " disagree: a producer batch numbers its records 0 to count - 1");
        }
        if (flyweight.isControl())
        {
            return new Failure(Errors.INVALID_RECORD, "clients may not send control batches");
        }
        if (flyweight.isTransactional())
        {
            return new Failure(Errors.INVALID_RECORD, "transactional batches are not supported");
        }
        if (flyweight.producerId() >= 0 && flyweight.baseSequence() < 0)
        {
            return new Failure(Errors.INVALID_RECORD, "a batch with producer id " + flyweight.producerId() + " needs a sequence number, got " +
                flyweight.baseSequence());
        }
        return null;
    }

    private Failure compressed(final int batchStart, final int batchSize, final ByteBuffer buffer)
    {
        final ByteBuffer section = buffer.duplicate();
        section.limit(batchStart + batchSize).position(batchStart + RecordBatchDescriptor.RECORDS_OFFSET);
        try
        {
            reader.open(flyweight.compression(), section, flyweight.recordCount(), maxDecompressedBytes);
            while (reader.next())
            {
                final int expected = reader.recordsRead() - 1;
                if (reader.offsetDelta() != expected)
                {
                    return new Failure(Errors.INVALID_RECORD, "record " + expected + " of the " + reader.codec() + "-compressed batch has offset delta " +
                        reader.offsetDelta() + "; a producer batch numbers its records 0 to count - 1");
                }
            }
            return null;
        }
        catch (final DecompressionException ex)
        {
            if (ex.getCause() != null)
            {
                LOG.log(System.Logger.Level.DEBUG, () -> "refused a " + reader.codec() + "-compressed batch: " + LogText.escape(ex.getMessage()) +
                    " (" + LogText.escape(String.valueOf(ex.getCause())) + ")");
            }
            return new Failure(ex.error(), ex.getMessage());
        }
        finally
        {
            reader.close();
        }
    }
}
