package io.tidemark.perf.engine;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.AppendResult;
import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogConfig;
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
 * The engine's ring (producers validate and copy into a many-to-one ring; one writer thread writes)
 * against {@link LockedAppender} (every producer does the whole append under one lock). Same batches,
 * same flush policy ({@code none}: sync only on roll), same segment size and filesystem.
 * Run with {@code -t 1}, {@code -t 2} and {@code -t 4}.
 *
 * <pre>
 *  ringTryAppend       async: returns once the batch is in the ring (completion counted by a listener)
 *  ringAppendBlocking  returns once the writer has written and published the batch
 *  lockAppend          returns once this thread has written and published the batch
 *  claimAppend         prototype of the proposed engine change ({@link ClaimAppender}): claim space in
 *                      the mapped tail with one atomic add and copy straight into it, in parallel;
 *                      returns once the batch is written (published by the next publisher pass)
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX})
@State(Scope.Benchmark)
public class RingVsLockBenchmark
{
    /** Value size of each record. */
    @Param({"1024"})
    public int valueBytes;

    /** Records per batch. */
    @Param({"1"})
    public int recordsPerBatch;

    /** Where the files live; shm keeps the device out of a CPU-bound comparison. */
    @Param({"shm"})
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

    /** The engine's log. */
    @State(Scope.Benchmark)
    public static class RingState
    {
        Path dir;
        Log log;

        /** Opens it. */
        @Setup(Level.Trial)
        public void open(final RingVsLockBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "ring");
            log = Log.options(dir).config(LogConfig.builder()
                .segmentBytes(BenchSupport.SEGMENT_BYTES)
                .retentionBytes(2L * BenchSupport.SEGMENT_BYTES)
                .flushPolicy(FlushPolicy.NONE)
                .build()).open();
        }

        /** Keeps at most a few segments. */
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

    /** The lock-per-log appender. */
    @State(Scope.Benchmark)
    public static class LockState
    {
        Path dir;
        LockedAppender appender;

        /** Opens it. */
        @Setup(Level.Trial)
        public void open(final RingVsLockBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "lock");
            appender = new LockedAppender(dir, BenchSupport.SEGMENT_BYTES);
        }

        /** Closes and deletes. */
        @TearDown(Level.Trial)
        public void close()
        {
            appender.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** The claim-on-the-mapped-tail prototype. */
    @State(Scope.Benchmark)
    public static class ClaimState
    {
        Path dir;
        ClaimAppender appender;

        /** Opens it. */
        @Setup(Level.Trial)
        public void open(final RingVsLockBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "claim");
            appender = new ClaimAppender(dir, BenchSupport.SEGMENT_BYTES);
        }

        /** Checks the written batches, closes and deletes. */
        @TearDown(Level.Trial)
        public void close()
        {
            appender.verify();
            appender.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Per producer thread. */
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

    /** Ring, asynchronous. */
    @Benchmark
    public void ringTryAppend(final RingState state, final Producer producer)
    {
        while (state.log.tryAppend(batch, 0, batchBytes, 0, 0, producer.listener) == Log.BACK_PRESSURED)
        {
            BenchSupport.backOff();
        }
    }

    /**
     * Ring, blocking.
     *
     * @return the base offset.
     */
    @Benchmark
    public long ringAppendBlocking(final RingState state, final Producer producer)
    {
        final AppendResult r = state.log.appendInto(batch, 0, batchBytes, producer.result);
        if (!r.succeeded())
        {
            throw new IllegalStateException(r.toString());
        }
        return r.baseOffset();
    }

    /**
     * Claim on the mapped tail (prototype).
     *
     * @return the base offset.
     */
    @Benchmark
    public long claimAppend(final ClaimState state)
    {
        final long base = state.appender.append(batch, 0, batchBytes, 0);
        if (base < 0)
        {
            throw new IllegalStateException("invalid batch");
        }
        return base;
    }

    /**
     * Lock per log.
     *
     * @return the base offset.
     */
    @Benchmark
    public long lockAppend(final LockState state)
    {
        final long base = state.appender.append(batch, 0, batchBytes, 0);
        if (base < 0)
        {
            throw new IllegalStateException("invalid batch");
        }
        return base;
    }
}
