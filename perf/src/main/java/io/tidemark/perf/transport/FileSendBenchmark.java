package io.tidemark.perf.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tidemark.transport.Send;
import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.TransportServer;
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
 * Streaming a {@code fileMib} MiB file (page-cache hot) to a loopback reader, one frame per operation.
 *
 * <pre>
 *   rawTransferTo     1-byte request ─► sender thread: length + FileChannel.transferTo loop (blocking socket)
 *   transportRegions  1-byte request ─► TransportServer handler: Send of {@code regionMib} MiB file regions
 *                     (non-blocking socket, transferTo resumed on OP_WRITE)
 *   reader (both):    blocking SocketChannel into a 1 MiB direct buffer, bytes discarded
 * </pre>
 *
 * {@code sendBufferKib} sets SO_SNDBUF of the transport socket (0 = OS default) and of the raw sender alike.
 * Throughput in MiB/s = ops/s x fileMib; the transport figure is compared with {@code rawTransferTo} of the
 * same run (raw sendfile, the ceiling).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FileSendBenchmark
{
    private static final int MIB = 1024 * 1024;

    @Param("64")
    public int fileMib;

    @Param("16")
    public int regionMib;

    /** SO_SNDBUF of the transport's sockets in KiB; 0 leaves the OS default (autotuned). */
    @Param({ "0", "4096" })
    public int sendBufferKib;

    private Path dir;
    private FileChannel file;
    private long fileBytes;
    private TransportServer server;
    private ServerSocketChannel rawListener;
    private Thread rawSender;
    private SocketChannel toServer;
    private SocketChannel toRaw;
    private final ByteBuffer request = ByteBuffer.allocateDirect(5);
    private final ByteBuffer sink = ByteBuffer.allocateDirect(MIB);

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("tidemark-filesend");
        final Path path = dir.resolve("00000000000000000000.log");
        fileBytes = (long)fileMib * MIB;
        final byte[] chunk = new byte[MIB];
        ThreadLocalRandom.current().nextBytes(chunk);
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            for (int i = 0; i < fileMib; i++)
            {
                out.write(ByteBuffer.wrap(chunk));
            }
        }
        file = FileChannel.open(path, StandardOpenOption.READ);

        final TransportConfig config = TransportConfig.builder().socketSendBufferBytes(sendBufferKib * 1024).build();
        server = TransportServer.start(config, new InetSocketAddress("127.0.0.1", 0),
            (connection, frame) ->
            {
                final Send.Builder send = Send.builder();
                final long regionBytes = (long)regionMib * MIB;
                for (long position = 0; position < fileBytes; position += regionBytes)
                {
                    send.addFileRegion(file, position, Math.min(regionBytes, fileBytes - position));
                }
                frame.respond(send.build());
            });
        toServer = connect(server.port());

        rawListener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        rawSender = new Thread(this::rawSendLoop, "raw-sendfile");
        rawSender.setDaemon(true);
        rawSender.start();
        toRaw = connect(((InetSocketAddress)rawListener.getLocalAddress()).getPort());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        toServer.close();
        toRaw.close();
        rawListener.close();
        rawSender.join(5_000);
        server.close();
        file.close();
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long rawTransferTo() throws IOException
    {
        return fetch(toRaw);
    }

    @Benchmark
    public long transportRegions() throws IOException
    {
        return fetch(toServer);
    }

    private long fetch(final SocketChannel channel) throws IOException
    {
        request.clear();
        request.putInt(0, 1).put(4, (byte)1);
        while (request.hasRemaining())
        {
            channel.write(request);
        }
        sink.clear().limit(4);
        while (sink.hasRemaining())
        {
            if (channel.read(sink) < 0)
            {
                throw new IOException("closed");
            }
        }
        final long length = sink.getInt(0);
        long left = length;
        while (left > 0)
        {
            sink.clear();
            if (left < sink.capacity())
            {
                sink.limit((int)left);
            }
            final int n = channel.read(sink);
            if (n < 0)
            {
                throw new IOException("closed with " + left + " bytes left");
            }
            left -= n;
        }
        return length;
    }

    private void rawSendLoop()
    {
        try (SocketChannel socket = rawListener.accept())
        {
            socket.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            if (sendBufferKib > 0)
            {
                socket.setOption(java.net.StandardSocketOptions.SO_SNDBUF, sendBufferKib * 1024);
            }
            final ByteBuffer in = ByteBuffer.allocateDirect(5);
            final ByteBuffer header = ByteBuffer.allocateDirect(4);
            while (true)
            {
                in.clear();
                while (in.hasRemaining())
                {
                    if (socket.read(in) < 0)
                    {
                        return;
                    }
                }
                header.clear();
                header.putInt(0, (int)fileBytes);
                while (header.hasRemaining())
                {
                    socket.write(header);
                }
                long position = 0;
                while (position < fileBytes)
                {
                    position += file.transferTo(position, fileBytes - position, socket);
                }
            }
        }
        catch (final IOException ex)
        {
            // peer closed: benchmark over
        }
    }

    private static SocketChannel connect(final int port) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }
}
