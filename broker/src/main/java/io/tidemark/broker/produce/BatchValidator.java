package io.tidemark.broker.produce;

import java.nio.ByteBuffer;

import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Validates one partition's records of a produce request before anything is appended, in Kafka's order
 * ({@code KafkaApis}, {@code UnifiedLog.analyzeAndValidateRecords}, {@code LogValidator}):
 *
 * <ol>
 *   <li>{@code ProduceRequest.validateRecords}: at least one batch, magic 2, exactly one batch, no zstd
 *       below Produce v7 (INVALID_RECORD / UNSUPPORTED_COMPRESSION_TYPE); no bytes after the batch;</li>
 *   <li>base offset 0 (INVALID_RECORD);</li>
 *   <li>size at most {@code max.message.bytes} (MESSAGE_TOO_LARGE);</li>
 *   <li>CRC32C (CORRUPT_MESSAGE);</li>
 *   <li>record count = last offset delta + 1 and the records' framing (INVALID_RECORD); no control or
 *       transactional batches; a producer id needs a sequence;</li>
 *   <li>compressed batches are decompressed (kafka-clients, streaming) to check their records the same way;
 *       they are stored as sent.</li>
 * </ol>
 *
 * Not thread safe: one per request handler thread.
 */
public final class BatchValidator
{
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
    private final BufferSupplier decompression = BufferSupplier.create();

    /**
     * @param version         the Produce version.
     * @param records         the partition's records (a view of the request).
     * @param maxMessageBytes the topic's {@code max.message.bytes}.
     * @return null if acceptable, else the failure.
     */
    public Failure validate(final short version, final MemoryRecords records, final int maxMessageBytes)
    {
        final MutableRecordBatch batch;
        try
        {
            ProduceRequest.validateRecords(version, records);
            batch = records.batches().iterator().next();
        }
        catch (final CorruptRecordException ex)
        {
            return new Failure(Errors.CORRUPT_MESSAGE, ex.getMessage());
        }
        catch (final ApiException ex)
        {
            return new Failure(Errors.forException(ex), ex.getMessage());
        }
        if (batch.sizeInBytes() != records.sizeInBytes())
        {
            return new Failure(Errors.INVALID_RECORD, (records.sizeInBytes() - batch.sizeInBytes()) + " bytes after the record batch");
        }
        if (batch.baseOffset() != 0)
        {
            return new Failure(Errors.INVALID_RECORD, "a producer batch must have base offset 0, got " + batch.baseOffset());
        }
        if (batch.sizeInBytes() > maxMessageBytes)
        {
            return new Failure(Errors.MESSAGE_TOO_LARGE,
                "record batch of " + batch.sizeInBytes() + " bytes exceeds max.message.bytes " + maxMessageBytes);
        }
        final ByteBuffer buffer = records.buffer();
        view.wrap(buffer, buffer.position(), batch.sizeInBytes());
        flyweight.wrap(view, 0);
        final int code = flyweight.validate(batch.sizeInBytes(), Integer.MAX_VALUE, true);
        switch (code)
        {
            case RecordBatchFlyweight.VALID:
                break;
            case RecordBatchFlyweight.BAD_CRC:
                return new Failure(Errors.CORRUPT_MESSAGE, "record batch CRC32C mismatch (stored " + Integer.toUnsignedString(flyweight.crc()) +
                    ", computed " + Integer.toUnsignedString(flyweight.computeCrc()) + ")");
            case RecordBatchFlyweight.BAD_RECORDS:
                return new Failure(Errors.INVALID_RECORD, "record count " + flyweight.recordCount() + " and last offset delta " +
                    flyweight.lastOffsetDelta() + " disagree, or the records are malformed");
            default:
                return new Failure(Errors.CORRUPT_MESSAGE, "malformed record batch: " + RecordBatchFlyweight.validationName(code));
        }
        if (batch.isControlBatch())
        {
            return new Failure(Errors.INVALID_RECORD, "clients may not send control batches");
        }
        if (batch.isTransactional())
        {
            return new Failure(Errors.INVALID_RECORD, "transactional batches are not supported");
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0)
        {
            return new Failure(Errors.INVALID_RECORD, "a batch with producer id " + batch.producerId() + " needs a sequence number");
        }
        return batch.isCompressed() ? validateCompressed((DefaultRecordBatch)batch) : null;
    }

    private Failure validateCompressed(final DefaultRecordBatch batch)
    {
        final int count = batch.countOrNull();
        int seen = 0;
        try (CloseableIterator<Record> it = batch.skipKeyValueIterator(decompression))
        {
            while (it.hasNext())
            {
                final Record r = it.next();
                if (r.offset() != batch.baseOffset() + seen)
                {
                    return new Failure(Errors.INVALID_RECORD, "record " + seen + " has offset delta " + (r.offset() - batch.baseOffset()));
                }
                seen++;
            }
        }
        catch (final CorruptRecordException ex)
        {
            return new Failure(Errors.CORRUPT_MESSAGE, ex.getMessage());
        }
        catch (final InvalidRecordException ex)
        {
            return new Failure(Errors.INVALID_RECORD, ex.getMessage());
        }
        catch (final KafkaException | IllegalArgumentException | IllegalStateException ex)
        {
            return new Failure(Errors.CORRUPT_MESSAGE, "cannot decompress the " + batch.compressionType() + " batch: " + ex.getMessage());
        }
        if (seen != count)
        {
            return new Failure(Errors.INVALID_RECORD, "batch declares " + count + " records but holds " + seen);
        }
        return null;
    }
}
