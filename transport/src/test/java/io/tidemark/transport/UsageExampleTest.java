package io.tidemark.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The usage example of the package documentation, run: an RPC handler that answers from a worker thread with
 * a file region and releases a segment reference when the send completes, and a blocking client request.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class UsageExampleTest
{
    private static final int FETCH = 1;

    @TempDir
    Path dir;

    @Test
    void shouldServeAnAsynchronousFileRegionResponse() throws Exception
    {
        final Path segmentFile = dir.resolve("00000000000000000000.log");
        Files.write(segmentFile, RawClient.bytes("0123456789abcdef"));
        final AtomicInteger segmentRefs = new AtomicInteger(1);
        final ExecutorService workers = Executors.newFixedThreadPool(2);
        try (FileChannel segment = FileChannel.open(segmentFile, StandardOpenOption.READ))
        {
            final RpcServer rpc = RpcServer.builder()
                .register(FETCH, 0, 0, request ->
                {
                    final long position = request.body().getInt(RpcRequestHeaderEncoder.ENCODED_LENGTH);
                    request.frame().release();                       // parsed: return its bytes to the budget
                    segmentRefs.incrementAndGet();                   // the send holds a segment reference
                    workers.execute(() -> request.respond(Send.builder()
                        .addFileRegion(segment, position, 6)
                        .onComplete((send, error) -> segmentRefs.decrementAndGet())
                        .build()));
                })
                .build();
            try (TransportServer server = TransportServer.start(
                    TransportConfig.defaults(), new InetSocketAddress("127.0.0.1", 0), rpc);
                TransportClient client = TransportClient.start(TransportConfig.defaults()))
            {
                final ClientConnection connection =
                    client.connectBlocking(new InetSocketAddress("127.0.0.1", server.port()));

                final RpcResponse response = connection.requestBlocking(
                    FETCH, 0, Send.of(ByteBuffer.allocate(4).putInt(0, 10)));

                assertEquals(RpcError.NONE.code(), response.errorCode());
                final byte[] records = new byte[response.body().remaining()];
                response.body().get(records);
                assertEquals("abcdef", RawClient.string(records));
                awaitTrue("segment reference released", () -> segmentRefs.get() == 1);
            }
        }
        finally
        {
            workers.shutdown();
            assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
