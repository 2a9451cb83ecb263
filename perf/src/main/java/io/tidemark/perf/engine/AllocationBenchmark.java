package io.tidemark.perf.engine;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FileSlice;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.LogCursor;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocation on the hot paths; run with {@code -prof gc} and read {@code gc.alloc.rate.norm} (B/op).
 *
 * <pre>
 *  tryAppend             one 100 B record per batch, async (the zero-allocation append path)
 *  cursorSeekAndRead     seek a reused cursor to a random offset (segment lookup, sparse-index binary
 *                        search, scan to the batch) and read 16 records through the flyweights
 *  newCursorSeekAndRead  the same with a new cursor each time (what a caller that does not reuse pays)
 *  sliceLookup           Log.slice at a random offset (index lookup, batch-boundary scan) and close it
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX})
@State(Scope.Thread)
public class AllocationBenchmark
{
    private static final int RECORDS_PER_BATCH = 16;
    private static final int BATCHES = 20_000;
    private static final int OFFSETS = 4096;

    Path appendDir;
    Log appendLog;
    UnsafeBuffer appendBatch;
    final CountingListener listener = new CountingListener();

    Path readDir;
    Log readLog;
    LogCursor cursor;
    final long[] offsets = new long[OFFSETS];
    int next;

    /** Opens an empty log for appends and a filled one (320k records, 16 per batch) for reads. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final LogConfig config = LogConfig.builder()
            .segmentBytes(BenchSupport.SEGMENT_BYTES)
            .retentionBytes(2L * BenchSupport.SEGMENT_BYTES)
            .flushPolicy(FlushPolicy.NONE)
            .build();
        appendDir = BenchSupport.freshDir("shm", "alloc-append");
        appendLog = Log.options(appendDir).config(config).open();
        appendBatch = BenchSupport.batch(100, 1);

        readDir = BenchSupport.freshDir("shm", "alloc-read");
        readLog = Log.options(readDir).config(config).open();
        final UnsafeBuffer batch = BenchSupport.batch(100, RECORDS_PER_BATCH);
        final CountingListener fill = new CountingListener();
        for (int i = 0; i < BATCHES; i++)
        {
            while (readLog.tryAppend(batch, 0, batch.capacity(), 0, 0, fill) == Log.BACK_PRESSURED)
            {
                BenchSupport.backOff();
            }
        }
        readLog.flush();
        fill.check();
        final long end = readLog.logEndOffset();
        if (end != (long)BATCHES * RECORDS_PER_BATCH)
        {
            throw new IllegalStateException("log end offset " + end);
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < OFFSETS; i++)
        {
            offsets[i] = random.nextLong(end - RECORDS_PER_BATCH);
        }
        cursor = readLog.cursor();
    }

    /** Drops old segments of the append log. */
    @TearDown(Level.Iteration)
    public void retention()
    {
        appendLog.applyRetention();
    }

    /** Closes and deletes both logs. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        listener.check();
        cursor.close();
        appendLog.close();
        readLog.close();
        BenchSupport.deleteRecursively(appendDir);
        BenchSupport.deleteRecursively(readDir);
    }

    private long nextOffset()
    {
        final long offset = offsets[next];
        next = (next + 1) & (OFFSETS - 1);
        return offset;
    }

    /** The async append path. */
    @Benchmark
    public void tryAppend()
    {
        while (appendLog.tryAppend(appendBatch, 0, appendBatch.capacity(), 0, 0, listener) == Log.BACK_PRESSURED)
        {
            BenchSupport.backOff();
        }
    }

    /**
     * Seek a reused cursor and read 16 records.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    public long cursorSeekAndRead()
    {
        return read(cursor.seek(nextOffset()));
    }

    /**
     * A new cursor per read.
     *
     * @return a checksum of what was read.
     */
    @Benchmark
    public long newCursorSeekAndRead()
    {
        try (LogCursor c = readLog.cursor())
        {
            return read(c.seek(nextOffset()));
        }
    }

    private static long read(final LogCursor c)
    {
        long sum = 0;
        for (int i = 0; i < RECORDS_PER_BATCH && c.nextRecord(); i++)
        {
            sum += c.record().offset() + c.record().valueLength();
        }
        return sum;
    }

    /**
     * Slice lookup and release.
     *
     * @return the slice's position plus length.
     */
    @Benchmark
    public long sliceLookup()
    {
        try (FileSlice slice = readLog.slice(nextOffset(), Long.MAX_VALUE, 64 * 1024))
        {
            return slice.position() + slice.length();
        }
    }
}
