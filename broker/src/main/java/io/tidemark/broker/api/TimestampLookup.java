package io.tidemark.broker.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import io.tidemark.broker.compress.CompressedRecordReader;
import io.tidemark.broker.compress.DecompressionException;
import io.tidemark.engine.FileSlice;
import io.tidemark.engine.Log;
import io.tidemark.engine.OffsetOutOfRangeException;
import io.tidemark.engine.TimestampOffset;
import io.tidemark.engine.record.RecordBatchDescriptor;
import io.tidemark.transport.LogText;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Time lookups for ListOffsets. The engine answers at batch granularity for compressed batches (it does
 * not decompress); this refines such an answer to the exact record by decompressing the one batch through
 * {@link CompressedRecordReader} (bounded by {@code message.max.decompressed.bytes}, whatever the stored
 * batch declares). A batch that cannot be read that way keeps the batch-granular answer, and says so in
 * the log.
 *
 * <p>Runs on request handler threads; each has its own reader.
 */
final class TimestampLookup
{
    private static final System.Logger LOG = System.getLogger(TimestampLookup.class.getName());
    private static final ThreadLocal<CompressedRecordReader> READERS = ThreadLocal.withInitial(CompressedRecordReader::new);

    private TimestampLookup()
    {
    }

    /**
     * @param log       the log.
     * @param timestamp the target time.
     * @param maxOffset exclusive bound (the high watermark): a record at or above it is not an answer.
     * @param maxDecompressedBytes the most bytes a compressed batch is decompressed to.
     * @return the first record at or after the time, below the bound, or null.
     */
    static TimestampOffset forTimestamp(final Log log, final long timestamp, final long maxOffset, final int maxDecompressedBytes)
    {
        final TimestampOffset found = refine(log, log.offsetForTimestamp(timestamp), timestamp, maxDecompressedBytes);
        return found == null || found.offset() >= maxOffset ? null : found;
    }

    /**
     * @param log       the log.
     * @param maxOffset exclusive bound (the high watermark).
     * @param maxDecompressedBytes the most bytes a compressed batch is decompressed to.
     * @return the record with the largest timestamp (the first one carrying it), or null.
     */
    static TimestampOffset maxTimestamp(final Log log, final long maxOffset, final int maxDecompressedBytes)
    {
        final TimestampOffset max = log.maxTimestamp();
        if (max == null)
        {
            return null;
        }
        final TimestampOffset found = refine(log, max, max.timestamp(), maxDecompressedBytes);
        return found == null || found.offset() >= maxOffset ? null : found;
    }

    private static TimestampOffset refine(final Log log, final TimestampOffset found, final long target, final int maxDecompressedBytes)
    {
        if (found == null || found.exact())
        {
            return found;
        }
        final ByteBuffer bytes;
        try (FileSlice slice = log.slice(found.offset(), Long.MAX_VALUE, 1))
        {
            if (slice == null)
            {
                return found;
            }
            bytes = ByteBuffer.allocate(slice.length());
            long position = slice.position();
            while (bytes.hasRemaining())
            {
                final int n = slice.channel().read(bytes, position);
                if (n < 0)
                {
                    throw new IOException("end of segment file at " + position);
                }
                position += n;
            }
            bytes.flip();
        }
        catch (final OffsetOutOfRangeException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("reading the batch at offset " + found.offset() + " of " + log.topicPartition(), ex);
        }
        int batchStart = bytes.position();
        for (final RecordBatch batch : MemoryRecords.readableRecords(bytes).batches())
        {
            final int start = batchStart;
            batchStart += batch.sizeInBytes();
            final int codec = bytes.get(start + RecordBatchDescriptor.ATTRIBUTES_OFFSET + 1) & RecordBatchDescriptor.COMPRESSION_MASK;
            if (codec != 0)
            {
                final TimestampOffset exact = refineCompressed(log, bytes, start, codec, batch, found, target, maxDecompressedBytes);
                if (exact != null)
                {
                    return exact;
                }
                continue;
            }
            try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING))
            {
                while (records.hasNext())
                {
                    final Record r = records.next();
                    if (r.offset() >= found.offset() && r.timestamp() >= target)
                    {
                        return new TimestampOffset(r.timestamp(), r.offset(), true);
                    }
                }
            }
        }
        return found;
    }

    private static TimestampOffset refineCompressed(final Log log, final ByteBuffer bytes, final int start, final int codec, final RecordBatch batch,
        final TimestampOffset found, final long target, final int maxDecompressedBytes)
    {
        final ByteBuffer section = bytes.duplicate();
        section.limit(start + batch.sizeInBytes()).position(start + RecordBatchDescriptor.RECORDS_OFFSET);
        final CompressedRecordReader reader = READERS.get();
        try
        {
            reader.open(codec, section, batch.countOrNull(), maxDecompressedBytes);
            final boolean logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
            while (reader.next())
            {
                final long offset = batch.baseOffset() + reader.offsetDelta();
                final long timestamp = logAppendTime ? batch.maxTimestamp() : bytes.getLong(start + RecordBatchDescriptor.BASE_TIMESTAMP_OFFSET) + reader.timestampDelta();
                if (offset >= found.offset() && timestamp >= target)
                {
                    return new TimestampOffset(timestamp, offset, true);
                }
            }
            return null;
        }
        catch (final DecompressionException | IllegalArgumentException ex)
        {
            LOG.log(System.Logger.Level.WARNING, log.topicPartition() + ": the batch at offset " + batch.baseOffset() +
                " cannot be read to refine a time lookup (" + LogText.escape(ex.getMessage()) + "); answering its base offset");
            return found;
        }
        finally
        {
            reader.close();
        }
    }
}
