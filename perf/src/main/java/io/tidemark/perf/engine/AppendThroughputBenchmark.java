package io.tidemark.perf.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.AppendResult;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogConfig;
import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Append throughput under flush policy {@code none}, against raw copies of the same bytes.
 *
 * <pre>
 *  tidemarkTryAppend      producer: validate CRC, copy into ring --> writer: copy into mapped segment,
 *                         stamp, index, publish, complete (async; back-pressure: park 1 us and retry)
 *  tidemarkAppendBlocking the same, the producer waits for its completion
 *  ceilingMmapCopy        putBytes of the same batch into a preallocated mapped file (wraps around),
 *                         each thread in its own region: the memory-copy ceiling
 *  ceilingValidateThenMmapCopy
 *                         the least any append must do that checks what it stores, as the engine must:
 *                         validate the batch (framing, CRC32C, records) with the engine's flyweight, then
 *                         the ceiling's copy; no ring, no index, no offsets: a bound on any design
 *  ceilingMmapCopySparseRolling
 *                         as ceilingMmapCopyRolling (below) without the zero-fill: fresh sparse files, pages
 *                         populated by the kernel on first write; unsafe on a full disk (SIGBUS)
 *  ceilingMmapCopyRolling as above, but each thread fills fresh files (zero-written, mapped) and
 *                         fdatasyncs each when full: what "none" must do per byte (preallocate, sync on roll)
 * </pre>
 *
 * One operation appends one batch of {@code recordsPerBatch} records of {@code valueBytes} each; the
 * batch bytes per operation are the same for every method, so ops/s ratios are bytes/s ratios.
 * Run with {@code -t 1} and {@code -t 4}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX})
@State(Scope.Benchmark)
public class AppendThroughputBenchmark
{
    /** Value size of each record. */
    @Param({"100", "1024"})
    public int valueBytes;

    /** Records per batch (one batch per append). */
    @Param({"1", "16"})
    public int recordsPerBatch;

    /** Where the files live: disk (/tmp) or shm (/dev/shm, tmpfs). */
    @Param({"disk"})
    public String fs;

    UnsafeBuffer batch;
    int batchBytes;

    /** Builds the batch once; every append reuses it (the log copies it). */
    @Setup(Level.Trial)
    public void setUp()
    {
        batch = BenchSupport.batch(valueBytes, recordsPerBatch);
        batchBytes = batch.capacity();
    }

    /** An open log with flush policy none. */
    @State(Scope.Benchmark)
    public static class LogState
    {
        Path dir;
        Log log;

        /** Opens the log. */
        @Setup(Level.Trial)
        public void open(final AppendThroughputBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "append");
            log = Log.options(dir).config(LogConfig.builder()
                .segmentBytes(BenchSupport.SEGMENT_BYTES)
                .retentionBytes(2L * BenchSupport.SEGMENT_BYTES)
                .flushPolicy(FlushPolicy.NONE)
                .build()).open();
        }

        /** Drops old segments between iterations, so the run fits the disk (or memory for shm). */
        @TearDown(Level.Iteration)
        public void retention()
        {
            log.applyRetention();
        }

        /** Closes and deletes the log. */
        @TearDown(Level.Trial)
        public void close()
        {
            log.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Per producer thread: the completion counter and a result holder for blocking appends. */
    @State(Scope.Thread)
    public static class Producer
    {
        final CountingListener listener = new CountingListener();
        final AppendResult result = new AppendResult();

        /** Fails the run if any append failed. */
        @TearDown(Level.Trial)
        public void check()
        {
            listener.check();
        }
    }

    /** One preallocated mapped file for the memory-copy ceiling. */
    @State(Scope.Benchmark)
    public static class CeilingState
    {
        Path dir;
        MappedByteBuffer mapped;
        UnsafeBuffer buffer;

        /** Creates, zero-fills and maps the file, then touches every page once. */
        @Setup(Level.Trial)
        public void open(final AppendThroughputBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "ceiling");
            mapped = BenchSupport.preallocateAndMap(dir.resolve("ceiling.dat"), BenchSupport.SEGMENT_BYTES);
            buffer = new UnsafeBuffer(mapped);
            for (int i = 0; i < BenchSupport.SEGMENT_BYTES; i += 4096)
            {
                buffer.putByte(i, (byte)0);
            }
        }

        /** Unmaps and deletes. */
        @TearDown(Level.Trial)
        public void close()
        {
            BenchSupport.unmap(mapped);
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Each ceiling thread copies into its own region of the file. */
    @State(Scope.Thread)
    public static class CeilingCursor
    {
        int base;
        int limit;
        int position;
        final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();

        /** Picks this thread's region. */
        @Setup(Level.Trial)
        public void setUp(final ThreadParams threads)
        {
            final int region = BenchSupport.SEGMENT_BYTES / threads.getThreadCount();
            base = threads.getThreadIndex() * region;
            limit = base + region;
            position = base;
        }
    }

    /** Each thread fills fresh preallocated files and syncs each one when full. */
    @State(Scope.Thread)
    public static class RollingCeiling
    {
        Path dir;
        int fileBytes;
        int files;
        FileChannel channel;
        MappedByteBuffer mapped;
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        int position;

        /** Creates the first file. */
        @Setup(Level.Trial)
        public void setUp(final AppendThroughputBenchmark b, final ThreadParams threads) throws IOException
        {
            dir = BenchSupport.freshDir(b.fs, "rolling");
            fileBytes = BenchSupport.SEGMENT_BYTES / threads.getThreadCount();
            roll();
        }

        void roll() throws IOException
        {
            if (channel != null)
            {
                channel.force(false);
                BenchSupport.unmap(mapped);
                channel.close();
                Files.delete(dir.resolve("seg-" + (files - 1)));
            }
            final Path file = dir.resolve("seg-" + files++);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (reserveBlocks())
            {
                BenchSupport.writeZeros(channel, 0, fileBytes);
            }
            else
            {
                channel.write(ByteBuffer.wrap(new byte[1]), fileBytes - 1L); // a hole: nothing reserved
            }
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileBytes);
            buffer.wrap(mapped);
            position = 0;
        }

        /** Closes and deletes. */
        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            BenchSupport.unmap(mapped);
            channel.close();
            BenchSupport.deleteRecursively(dir);
        }

        /**
         * @return true to write zeros over each new file before mapping it (reserves its blocks, as the
         *         engine must so that a full disk is an error and not a SIGBUS).
         */
        boolean reserveBlocks()
        {
            return true;
        }
    }

    /**
     * As {@link RollingCeiling}, but each new file is a hole: no zero-fill, nothing reserved (a full disk
     * would SIGBUS). What is left is the kernel populating fresh page-cache pages on first write.
     */
    @State(Scope.Thread)
    public static class SparseRollingCeiling extends RollingCeiling
    {
        @Override
        boolean reserveBlocks()
        {
            return false;
        }
    }

    /**
     * The same copy into fresh sparse files (no block reservation), fdatasync when one is full: the cost of
     * fresh pages alone, a bound on any log that writes new bytes through a mapping.
     */
    @Benchmark
    public void ceilingMmapCopySparseRolling(final SparseRollingCeiling rolling)
    {
        ceilingMmapCopyRolling(rolling);
    }

    /**
     * Asynchronous append: returns once the batch is validated and in the writer's ring.
     */
    @Benchmark
    public void tidemarkTryAppend(final LogState state, final Producer producer)
    {
        while (state.log.tryAppend(batch, 0, batchBytes, 0, 0, producer.listener) == Log.BACK_PRESSURED)
        {
            BenchSupport.backOff();
        }
    }

    /**
     * Blocking append: returns once the writer has written and published the batch.
     *
     * @return the base offset, consumed by JMH.
     */
    @Benchmark
    public long tidemarkAppendBlocking(final LogState state, final Producer producer)
    {
        final AppendResult r = state.log.appendInto(batch, 0, batchBytes, producer.result);
        if (!r.succeeded())
        {
            throw new IllegalStateException(r.toString());
        }
        return r.baseOffset();
    }

    /**
     * The ceiling: copy the same bytes into a preallocated, pre-faulted mapped file.
     */
    @Benchmark
    public void ceilingMmapCopy(final CeilingState ceiling, final CeilingCursor cursor)
    {
        if (cursor.position + batchBytes > cursor.limit)
        {
            cursor.position = cursor.base;
        }
        ceiling.buffer.putBytes(cursor.position, batch, 0, batchBytes);
        cursor.position += batchBytes;
    }

    /**
     * The bound on any checking appender: validate the batch as the engine does (header, CRC32C over the
     * batch, every record's framing), then the ceiling's copy into the pre-faulted mapped file.
     */
    @Benchmark
    public void ceilingValidateThenMmapCopy(final CeilingState ceiling, final CeilingCursor cursor)
    {
        final RecordBatchFlyweight flyweight = cursor.flyweight;
        flyweight.wrap(batch, 0);
        final int code = flyweight.validate(batchBytes, Integer.MAX_VALUE, true);
        if (code != RecordBatchFlyweight.VALID)
        {
            throw new IllegalStateException("benchmark batch invalid: " + code);
        }
        ceilingMmapCopy(ceiling, cursor);
    }

    /**
     * The rolling ceiling: the same copy into fresh zero-written files, fdatasync when one is full.
     */
    @Benchmark
    public void ceilingMmapCopyRolling(final RollingCeiling rolling)
    {
        if (rolling.position + batchBytes > rolling.fileBytes)
        {
            try
            {
                rolling.roll();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        rolling.buffer.putBytes(rolling.position, batch, 0, batchBytes);
        rolling.position += batchBytes;
    }
}
