package io.tidemark.perf.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.tidemark.transport.ClientConnection;
import io.tidemark.transport.RpcResponse;
import io.tidemark.transport.RpcServer;
import io.tidemark.transport.Send;
import io.tidemark.transport.TransportClient;
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
 * Loopback request/response latency, one request outstanding, {@code payloadBytes} each way.
 *
 * <pre>
 *   rawPingPong          blocking socket ──► echo thread (blocking socket)            ceiling
 *   rawClientToServer    blocking socket ──► TransportServer (FrameHandler echo)      server-side cost
 *   clientToRpcServer    TransportClient ──► TransportServer + RpcServer (echo)       full stack
 *                         (caller thread ─► client selector ─► socket ─► server selector ─► back)
 * </pre>
 *
 * Each result is compared with {@code rawPingPong} of the same run. Run with JMH, e.g.
 * {@code -bm sample -tu us}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RoundTripBenchmark
{
    private static final int ECHO_API = 1;

    @Param("64")
    public int payloadBytes;

    private TransportServer frameServer;
    private TransportServer rpcServer;
    private TransportClient client;
    private ClientConnection connection;
    private ServerSocket rawListener;
    private Thread rawEcho;
    private RawPeer rawToRaw;
    private RawPeer rawToServer;
    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        payload = new byte[payloadBytes];
        final TransportConfig config = TransportConfig.defaults();
        final InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);

        frameServer = TransportServer.start(config, loopback, (c, frame) -> frame.respond(Send.of(frame.body())));
        rpcServer = TransportServer.start(config, loopback, RpcServer.builder()
            .register(ECHO_API, 0, 0, request -> request.respond(Send.of(request.body())))
            .build());
        client = TransportClient.start(config);
        connection = client.connectBlocking(new InetSocketAddress("127.0.0.1", rpcServer.port()));

        rawListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        rawEcho = new Thread(this::echoLoop, "raw-echo");
        rawEcho.setDaemon(true);
        rawEcho.start();
        rawToRaw = new RawPeer(rawListener.getLocalPort());
        rawToServer = new RawPeer(frameServer.port());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        rawToRaw.close();
        rawToServer.close();
        rawListener.close();
        rawEcho.join(5_000);
        client.close();
        rpcServer.close();
        frameServer.close();
    }

    @Benchmark
    public int rawPingPong() throws IOException
    {
        return rawToRaw.roundTrip(payload);
    }

    @Benchmark
    public int rawClientToServer() throws IOException
    {
        return rawToServer.roundTrip(payload);
    }

    @Benchmark
    public int clientToRpcServer()
    {
        final RpcResponse response = connection.requestBlocking(ECHO_API, 0, Send.of(ByteBuffer.wrap(payload)));
        return response.body().remaining();
    }

    private void echoLoop()
    {
        try (Socket socket = rawListener.accept())
        {
            socket.setTcpNoDelay(true);
            final DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
            byte[] body = new byte[0];
            while (true)
            {
                final int length = in.readInt();
                if (body.length != length)
                {
                    body = new byte[length];
                }
                in.readFully(body);
                out.writeInt(length);
                out.write(body);
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // peer closed: benchmark over
        }
    }

    /**
     * A blocking framed client; buffered so a frame goes out in one write, as the transport's gathering write does.
     */
    static final class RawPeer implements AutoCloseable
    {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private byte[] response = new byte[0];

        RawPeer(final int port) throws IOException
        {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
        }

        int roundTrip(final byte[] payload) throws IOException
        {
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
            final int length = in.readInt();
            if (response.length != length)
            {
                response = new byte[length];
            }
            in.readFully(response);
            return length;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
