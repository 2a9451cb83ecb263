package io.tidemark.perf.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FileSlice;
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
 * Zero-copy reads: a {@link FileSlice} from {@link Log#slice} sent with {@code transferTo} to a
 * loopback TCP socket, against raw {@code transferTo} (sendfile) of exactly the same file regions.
 *
 * <pre>
 *  setup:  log of 64 MiB (1 KiB records, 16 per batch), synced and in the page cache;
 *          the regions Log.slice returns walking the log in maxBytes steps are recorded
 *  tidemarkSliceTransferTo  slice(next offset, LEO, maxBytes) -> transferTo loop -> close slice
 *  ceilingRawTransferTo     transferTo of the recorded region i of the same segment file (own channel)
 *  drain thread             reads the socket into a 1 MiB direct buffer, discards
 * </pre>
 *
 * Both walk the same regions in the same order, so bytes per operation are equal and the ops/s ratio
 * is the bytes/s ratio.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX})
@State(Scope.Thread)
public class TransferToBenchmark
{
    private static final int LOG_BYTES = 64 * 1024 * 1024;

    /** The slice size bound (a fetch's max bytes). */
    @Param({"1048576"})
    public int maxBytes;

    /** Where the log lives. */
    @Param({"disk"})
    public String fs;

    Path dir;
    Log log;
    FileChannel rawChannel;
    long[] startOffsets;
    long[] positions;
    int[] lengths;
    int regions;
    int next;

    ServerSocketChannel server;
    SocketChannel client;
    SocketChannel accepted;
    Thread drain;
    volatile boolean draining = true;

    /** Fills and syncs the log, records the regions, connects the socket pair and starts the drain. */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = BenchSupport.freshDir(fs, "transfer");
        log = Log.options(dir).config(LogConfig.builder()
            .segmentBytes(BenchSupport.SEGMENT_BYTES)
            .flushPolicy(FlushPolicy.NONE)
            .build()).open();
        final UnsafeBuffer batch = BenchSupport.batch(1024, 16);
        final CountingListener fill = new CountingListener();
        for (long written = 0; written < LOG_BYTES; written += batch.capacity())
        {
            while (log.tryAppend(batch, 0, batch.capacity(), 0, 0, fill) == Log.BACK_PRESSURED)
            {
                BenchSupport.backOff();
            }
        }
        log.flush();
        fill.check();
        if (log.segmentCount() != 1)
        {
            throw new IllegalStateException("expected one segment, got " + log.segmentCount());
        }
        recordRegions();
        rawChannel = FileChannel.open(dir.resolve(String.format("%020d.log", 0L)), StandardOpenOption.READ);
        connect();
    }

    private void recordRegions()
    {
        final int capacity = LOG_BYTES / (maxBytes / 2) + 2;
        startOffsets = new long[capacity];
        positions = new long[capacity];
        lengths = new int[capacity];
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset())
        {
            try (FileSlice slice = log.slice(offset, Long.MAX_VALUE, maxBytes))
            {
                startOffsets[regions] = offset;
                positions[regions] = slice.position();
                lengths[regions] = slice.length();
                regions++;
                offset = slice.nextOffset();
            }
        }
    }

    private void connect() throws IOException
    {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(server.getLocalAddress());
        accepted = server.accept();
        drain = new Thread(this::drain, "transfer-drain");
        drain.setDaemon(true);
        drain.start();
    }

    private void drain()
    {
        final ByteBuffer sink = ByteBuffer.allocateDirect(1024 * 1024);
        try
        {
            while (draining)
            {
                sink.clear();
                if (accepted.read(sink) < 0)
                {
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            // closed at teardown
        }
    }

    /** Stops the drain, closes everything, deletes the log. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException
    {
        draining = false;
        client.close();
        drain.join(5_000);
        accepted.close();
        server.close();
        rawChannel.close();
        log.close();
        BenchSupport.deleteRecursively(dir);
    }

    /**
     * Slice through the engine, then transferTo.
     *
     * @return bytes sent.
     */
    @Benchmark
    public long tidemarkSliceTransferTo() throws IOException
    {
        final int i = next;
        next = i + 1 == regions ? 0 : i + 1;
        try (FileSlice slice = log.slice(startOffsets[i], Long.MAX_VALUE, maxBytes))
        {
            return send(slice.channel(), slice.position(), slice.length());
        }
    }

    /**
     * Raw transferTo of the same region.
     *
     * @return bytes sent.
     */
    @Benchmark
    public long ceilingRawTransferTo() throws IOException
    {
        final int i = next;
        next = i + 1 == regions ? 0 : i + 1;
        return send(rawChannel, positions[i], lengths[i]);
    }

    private long send(final FileChannel channel, final long position, final int length) throws IOException
    {
        long sent = 0;
        while (sent < length)
        {
            sent += channel.transferTo(position + sent, length - sent, client);
        }
        return sent;
    }
}
