package io.tidemark.perf.engine;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.AppendResult;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogConfig;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
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

/**
 * Chronicle Queue, the embedded peer, on the same append workload as {@link AppendThroughputBenchmark}:
 * the same record-batch bytes appended as one excerpt each, against Tidemark in the same fork (same
 * JVM flags: Chronicle's Java 17 list plus ours). Run with {@code -t 1} and {@code -t 4}.
 *
 * <pre>
 *  chronicleAppend         appender.writeBytes(batch bytes): one excerpt per batch, each thread its own
 *                          appender (Chronicle serialises appenders with its write lock)
 *  tidemarkTryAppend       as in AppendThroughputBenchmark (async, back-pressure aware)
 *  tidemarkAppendBlocking  as in AppendThroughputBenchmark
 * </pre>
 *
 * Neither syncs per append: Chronicle never syncs by itself; Tidemark under {@code none} syncs on
 * segment roll (every 256 MiB).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX,
    JvmFlags.CQ_EXPORT_REF, JvmFlags.CQ_EXPORT_NIO_CH, JvmFlags.CQ_EXPORT_MISC, JvmFlags.CQ_EXPORT_JAVAC_FILE,
    JvmFlags.CQ_OPEN_JAVAC, JvmFlags.CQ_OPEN_LANG, JvmFlags.CQ_OPEN_REFLECT, JvmFlags.CQ_OPEN_IO,
    JvmFlags.CQ_OPEN_UTIL, JvmFlags.CQ_NO_ANALYTICS})
@State(Scope.Benchmark)
public class ChronicleQueueBenchmark
{
    /** Value size of each record. */
    @Param({"100", "1024"})
    public int valueBytes;

    /** Records per batch (one batch = one Chronicle excerpt). */
    @Param({"1"})
    public int recordsPerBatch;

    /** Where the files live. */
    @Param({"disk"})
    public String fs;

    UnsafeBuffer batch;
    int batchBytes;

    /** Builds the batch once. */
    @Setup(Level.Trial)
    public void setUp()
    {
        batch = BenchSupport.batch(valueBytes, recordsPerBatch);
        batchBytes = batch.capacity();
    }

    /** A Chronicle queue. */
    @State(Scope.Benchmark)
    public static class QueueState
    {
        Path dir;
        ChronicleQueue queue;

        /** Builds the queue. */
        @Setup(Level.Trial)
        public void open(final ChronicleQueueBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "chronicle");
            queue = SingleChronicleQueueBuilder.binary(dir.toFile()).build();
        }

        /** Closes and deletes. */
        @TearDown(Level.Trial)
        public void close()
        {
            queue.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Per thread: Chronicle appenders are single-threaded. */
    @State(Scope.Thread)
    public static class Appender
    {
        ExcerptAppender appender;
        Bytes<?> bytes;

        /** Creates this thread's appender and a copy of the batch bytes in Chronicle's own buffer. */
        @Setup(Level.Trial)
        public void open(final QueueState state, final ChronicleQueueBenchmark b)
        {
            appender = state.queue.createAppender();
            bytes = Bytes.allocateElasticDirect(b.batchBytes);
            for (int i = 0; i < b.batchBytes; i++)
            {
                bytes.writeByte(b.batch.getByte(i));
            }
        }

        /** Closes the appender. */
        @TearDown(Level.Trial)
        public void close()
        {
            appender.close();
            bytes.releaseLast();
        }
    }

    /** A Tidemark log as in the append benchmark. */
    @State(Scope.Benchmark)
    public static class LogState
    {
        Path dir;
        Log log;

        /** Opens it. */
        @Setup(Level.Trial)
        public void open(final ChronicleQueueBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "append");
            log = Log.options(dir).config(LogConfig.builder()
                .segmentBytes(BenchSupport.SEGMENT_BYTES)
                .retentionBytes(2L * BenchSupport.SEGMENT_BYTES)
                .flushPolicy(FlushPolicy.NONE)
                .build()).open();
        }

        /** Drops old segments. */
        @TearDown(Level.Iteration)
        public void retention()
        {
            log.applyRetention();
        }

        /** Closes and deletes. */
        @TearDown(Level.Trial)
        public void close()
        {
            log.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Per Tidemark producer thread. */
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

    /** One excerpt holding the batch bytes. */
    @Benchmark
    public void chronicleAppend(final Appender appender)
    {
        appender.appender.writeBytes(appender.bytes);
    }

    /** Tidemark, async. */
    @Benchmark
    public void tidemarkTryAppend(final LogState state, final Producer producer)
    {
        while (state.log.tryAppend(batch, 0, batchBytes, 0, 0, producer.listener) == Log.BACK_PRESSURED)
        {
            BenchSupport.backOff();
        }
    }

    /**
     * Tidemark, blocking.
     *
     * @return the base offset.
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
}
