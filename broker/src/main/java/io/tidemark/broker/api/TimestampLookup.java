package io.tidemark.broker.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import io.tidemark.engine.FileSlice;
import io.tidemark.engine.Log;
import io.tidemark.engine.OffsetOutOfRangeException;
import io.tidemark.engine.TimestampOffset;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Time lookups for ListOffsets. The engine answers at batch granularity for compressed batches (it does
 * not decompress); this refines such an answer to the exact record by decompressing the one batch with
 * kafka-clients.
 */
final class TimestampLookup
{
    private TimestampLookup()
    {
    }

    /**
     * @param log       the log.
     * @param timestamp the target time.
     * @param maxOffset exclusive bound (the high watermark): a record at or above it is not an answer.
     * @return the first record at or after the time, below the bound, or null.
     */
    static TimestampOffset forTimestamp(final Log log, final long timestamp, final long maxOffset)
    {
        final TimestampOffset found = refine(log, log.offsetForTimestamp(timestamp), timestamp);
        return found == null || found.offset() >= maxOffset ? null : found;
    }

    /**
     * @param log       the log.
     * @param maxOffset exclusive bound (the high watermark).
     * @return the record with the largest timestamp (the first one carrying it), or null.
     */
    static TimestampOffset maxTimestamp(final Log log, final long maxOffset)
    {
        final TimestampOffset max = log.maxTimestamp();
        if (max == null)
        {
            return null;
        }
        final TimestampOffset found = refine(log, max, max.timestamp());
        return found == null || found.offset() >= maxOffset ? null : found;
    }

    private static TimestampOffset refine(final Log log, final TimestampOffset found, final long target)
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
        for (final RecordBatch batch : MemoryRecords.readableRecords(bytes).batches())
        {
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
}
