package io.tidemark.perf.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.UdpChannel;
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
 * UDP round trips on loopback, to set beside the TCP figures of {@link RoundTripBenchmark} (run both in one
 * invocation so they share the machine state).
 *
 * <pre>
 *   rawUdpPingPong         blocking DatagramChannel ──► echo thread (blocking DatagramChannel)   UDP ceiling
 *   rawUdpToUdpChannel     blocking DatagramChannel ──► UdpChannel (handler echoes)            our UDP path
 * </pre>
 *
 * Loopback drops nothing at one datagram in flight, so no loss handling is needed here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class UdpVsTcpBenchmark
{
    @Param("64")
    public int payloadBytes;

    private UdpChannel echoChannel;
    private DatagramChannel rawEchoSocket;
    private Thread rawEcho;
    private DatagramChannel toRaw;
    private DatagramChannel toChannel;
    private ByteBuffer request;
    private final ByteBuffer response = ByteBuffer.allocateDirect(TransportConfig.MAX_DATAGRAM_BYTES_LIMIT);

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        request = ByteBuffer.allocateDirect(payloadBytes);
        final UdpChannel[] self = new UdpChannel[1];
        echoChannel = UdpChannel.open(TransportConfig.defaults(), new InetSocketAddress("127.0.0.1", 0),
            (sender, payload) -> self[0].send(payload, sender));
        self[0] = echoChannel;

        rawEchoSocket = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        rawEcho = new Thread(this::echoLoop, "raw-udp-echo");
        rawEcho.setDaemon(true);
        rawEcho.start();

        toRaw = connectedTo((InetSocketAddress)rawEchoSocket.getLocalAddress());
        toChannel = connectedTo(echoChannel.localAddress());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        toRaw.close();
        toChannel.close();
        rawEchoSocket.close();
        rawEcho.join(5_000);
        echoChannel.close();
    }

    @Benchmark
    public int rawUdpPingPong() throws IOException
    {
        return roundTrip(toRaw);
    }

    @Benchmark
    public int rawUdpToUdpChannel() throws IOException
    {
        return roundTrip(toChannel);
    }

    private int roundTrip(final DatagramChannel channel) throws IOException
    {
        request.clear();
        channel.write(request);
        response.clear();
        return channel.read(response);
    }

    private void echoLoop()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(TransportConfig.MAX_DATAGRAM_BYTES_LIMIT);
        try
        {
            while (true)
            {
                buffer.clear();
                final java.net.SocketAddress sender = rawEchoSocket.receive(buffer);
                buffer.flip();
                rawEchoSocket.send(buffer, sender);
            }
        }
        catch (final IOException ex)
        {
            // closed: benchmark over
        }
    }

    private static DatagramChannel connectedTo(final InetSocketAddress target) throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.connect(target);
        return channel;
    }
}
