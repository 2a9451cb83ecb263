package io.tidemark.perf.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tidemark.engine.AppendResult;
import io.tidemark.engine.Durability;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Group commit: flush policy {@code batch} (every append is synced before it is acknowledged), four
 * producer threads appending one batch each and waiting, against the raw loop the same threads would
 * run without the engine: write the batch into a preallocated file and {@code force(false)}
 * (fdatasync).
 *
 * <pre>
 *  tidemarkAppendSynced   4 x [append, wait]  --> ring --> writer: write all pending, ONE fdatasync,
 *                                                          complete them all (durability SYNCED)
 *  ceilingWriteFdatasync  4 x [pwrite batch at next position, fdatasync]
 * </pre>
 *
 * Throughput (ops/ms) and the latency distribution (SampleTime: p50, p99, ...) both come out of one
 * run with {@code -bm thrpt,sample}.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(4)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX})
@State(Scope.Benchmark)
public class GroupCommitBenchmark
{
    private static final int FILE_BYTES = 256 * 1024 * 1024;

    /** Value size of the one record in each batch. */
    @Param({"1024"})
    public int valueBytes;

    /** Where the files live; only a real device makes sense here. */
    @Param({"disk"})
    public String fs;

    UnsafeBuffer batch;
    int batchBytes;

    /** Builds the batch once. */
    @Setup(Level.Trial)
    public void setUp()
    {
        batch = BenchSupport.batch(valueBytes, 1);
        batchBytes = batch.capacity();
    }

    /** A log under flush policy batch. */
    @State(Scope.Benchmark)
    public static class LogState
    {
        Path dir;
        Log log;

        /** Opens the log. */
        @Setup(Level.Trial)
        public void open(final GroupCommitBenchmark b)
        {
            dir = BenchSupport.freshDir(b.fs, "group");
            log = Log.options(dir).config(LogConfig.builder()
                .segmentBytes(FILE_BYTES)
                .flushPolicy(FlushPolicy.BATCH)
                .build()).open();
        }

        /** Closes and deletes the log. */
        @TearDown(Level.Trial)
        public void close()
        {
            log.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Per thread: where a blocking append puts its outcome. */
    @State(Scope.Thread)
    public static class Producer
    {
        final AppendResult result = new AppendResult();
    }

    /** A preallocated, synced file shared by the raw loop's threads. */
    @State(Scope.Benchmark)
    public static class RawFile
    {
        Path dir;
        FileChannel channel;
        final AtomicLong next = new AtomicLong();

        /** Creates the file: zeros written and synced, so fdatasync never has metadata to write. */
        @Setup(Level.Trial)
        public void open(final GroupCommitBenchmark b) throws IOException
        {
            dir = BenchSupport.freshDir(b.fs, "fdatasync");
            channel = FileChannel.open(dir.resolve("raw.dat"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            BenchSupport.writeZeros(channel, 0, FILE_BYTES);
            channel.force(true);
        }

        /** Closes and deletes. */
        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            channel.close();
            BenchSupport.deleteRecursively(dir);
        }
    }

    /** Per raw thread: a view of the batch bytes. */
    @State(Scope.Thread)
    public static class RawWriter
    {
        ByteBuffer view;

        /** Takes a private view of the shared batch. */
        @Setup(Level.Trial)
        public void setUp(final GroupCommitBenchmark b)
        {
            view = b.batch.byteBuffer().duplicate();
        }
    }

    /**
     * Appends and waits for the synced acknowledgement.
     *
     * @return the base offset.
     */
    @Benchmark
    public long tidemarkAppendSynced(final LogState state, final Producer producer)
    {
        final AppendResult r = state.log.appendInto(batch, 0, batchBytes, producer.result);
        if (!r.succeeded() || r.durability() != Durability.SYNCED)
        {
            throw new IllegalStateException("not synced: " + r);
        }
        return r.baseOffset();
    }

    /**
     * The raw loop: positional write of the same bytes, then fdatasync.
     *
     * @return the position written.
     */
    @Benchmark
    public long ceilingWriteFdatasync(final RawFile file, final RawWriter writer) throws IOException
    {
        final long position = file.next.getAndAdd(batchBytes) % (FILE_BYTES - batchBytes);
        final ByteBuffer view = writer.view;
        view.clear();
        long p = position;
        while (view.hasRemaining())
        {
            p += file.channel.write(view, p);
        }
        file.channel.force(false);
        return position;
    }
}
