package io.tidemark.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.record.RecordFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test helpers: build batches of string values and read a log back as a list of values.
 */
final class Batches
{
    private Batches()
    {
    }

    /**
     * @return an uncompressed batch holding {@code values} (keys null), timestamps {@code ts, ts+1, ...}.
     */
    static UnsafeBuffer batch(final long timestamp, final String... values)
    {
        int capacity = 61;
        for (final String v : values)
        {
            capacity += 32 + v.length() * 3;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[capacity]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        long ts = timestamp;
        for (final String v : values)
        {
            if (!builder.append(ts++, null, v.getBytes(StandardCharsets.UTF_8)))
            {
                throw new IllegalStateException("does not fit");
            }
        }
        final int length = builder.build();
        return new UnsafeBuffer(buffer, 0, length);
    }

    static AppendResult append(final Log log, final long timestamp, final String... values)
    {
        final UnsafeBuffer b = batch(timestamp, values);
        return log.append(b, 0, b.capacity());
    }

    /**
     * One value read back.
     */
    record Entry(long offset, long timestamp, String value)
    {
    }

    static List<Entry> readAll(final Log log)
    {
        return readFrom(log, log.logStartOffset());
    }

    static List<Entry> readFrom(final Log log, final long offset)
    {
        final List<Entry> out = new ArrayList<>();
        try (LogCursor cursor = log.cursor().seek(offset))
        {
            while (cursor.nextRecord())
            {
                final RecordFlyweight r = cursor.record();
                out.add(new Entry(r.offset(), r.timestamp(), new String(r.valueBytes(), StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    static List<String> values(final Log log)
    {
        final List<String> out = new ArrayList<>();
        for (final Entry e : readAll(log))
        {
            out.add(e.value());
        }
        return out;
    }
}
