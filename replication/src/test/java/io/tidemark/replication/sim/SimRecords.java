package io.tidemark.replication.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.engine.Log;
import io.tidemark.engine.LogCursor;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.record.RecordFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Record helpers for the simulation.
 */
final class SimRecords
{
    private SimRecords()
    {
    }

    static UnsafeBuffer batch(final long timestamp, final String value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128 + value.length() * 3]);
        final RecordBatchBuilder b = new RecordBatchBuilder(buffer);
        b.append(timestamp, null, value.getBytes(StandardCharsets.UTF_8));
        return new UnsafeBuffer(buffer, 0, b.build());
    }

    /**
     * @return the values of {@code log} in offset order from its start up to {@code end}.
     */
    static List<String> values(final Log log, final long end)
    {
        final List<String> out = new ArrayList<>();
        try (LogCursor cursor = log.cursor().seek(log.logStartOffset()).maxOffset(end))
        {
            while (cursor.nextRecord())
            {
                final RecordFlyweight r = cursor.record();
                out.add(new String(r.valueBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /**
     * @return the value at {@code offset}, or null if the log does not hold it.
     */
    static String valueAt(final Log log, final long offset)
    {
        if (offset < log.logStartOffset() || offset >= log.logEndOffset())
        {
            return null;
        }
        try (LogCursor cursor = log.cursor().seek(offset))
        {
            while (cursor.nextRecord())
            {
                final RecordFlyweight r = cursor.record();
                if (r.offset() == offset)
                {
                    return new String(r.valueBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }
}
