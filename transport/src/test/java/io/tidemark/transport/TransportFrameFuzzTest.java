package io.tidemark.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the transport's frame decoder and the internal RPC header decoding, over a real
 * loopback connection (RELIABILITY §6): the input is written as is (length prefixes included, so the fuzzer
 * frames it) to an {@link RpcServer} serving an echo API, then the client half-closes.
 *
 * <p>Contract: whatever the bytes, the server answers or closes the connection (never leaves it hanging once the
 * client has finished sending), and afterwards still answers a good request on a new connection.
 */
class TransportFrameFuzzTest
{
    private static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final int ECHO = 1;
    private static final int READ_TIMEOUT_MS = 10_000;
    private static TransportServer server;

    @BeforeAll
    static void start()
    {
        final RpcServer rpc = RpcServer.builder()
            .register(ECHO, 1, 2, request -> request.respond(Send.of(request.body())))
            .register(2, 0, 0, RpcRequest::noResponse)
            .build();
        server = TransportServer.start(TransportConfig.builder()
            .maxFrameBytes(MAX_FRAME_BYTES)
            .maxQueuedRequestBytes(4 * MAX_FRAME_BYTES)
            .build(), Loopback.ephemeral(), rpc);
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    @FuzzTest(maxDuration = "2m") // the slow profile fuzzes each target this long
    void shouldAnswerOrCloseOnAnyBytes(final byte[] input) throws IOException
    {
        // Jazzer's SSRF detector would report the connections to the server under test
        final SilentCloseable loopback = BugDetectors.allowNetworkConnections();
        try
        {
            sendAndCheck(input);
        }
        finally
        {
            loopback.close();
        }
    }

    private static void sendAndCheck(final byte[] input) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.getOutputStream().write(input);
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            final byte[] sink = new byte[4096];
            try
            {
                while (in.read(sink) >= 0)
                {
                    // answers, then the end of the stream once the server has seen ours
                }
            }
            catch (final SocketTimeoutException hung)
            {
                throw new AssertionError("the server neither answered nor closed within " + READ_TIMEOUT_MS + " ms", hung);
            }
            catch (final IOException reset)
            {
                // a close with unread input resets the connection: an answer too
            }
        }
        final byte[] request = ByteBuffer.allocate(8 + 4).putInt(7).putShort((short)ECHO).putShort((short)1).putInt(42).array();
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(request);
            final byte[] answer = client.readFrame();
            assertArrayEquals(ByteBuffer.allocate(4).putInt(7).array(), java.util.Arrays.copyOf(answer, 4), "the good request is answered");
        }
    }
}
