package io.tidemark.transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Property of the frame decoder: however a stream of valid frames is split into TCP writes (single bytes,
 * splits inside the length field, many frames per write), exactly those frames are delivered, byte for byte,
 * in order.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class FrameSplitPropertyTest
{
    @Test
    void shouldDeliverExactlyTheFramesWrittenUnderAnySplitting() throws Exception
    {
        final long seed = Seeds.seed("FrameSplitPropertyTest");
        final Random random = new Random(seed);
        final RecordingHandler handler = RecordingHandler.silent();
        final TransportConfig config = TransportConfig.builder()
            .maxFrameBytes(600 * 1024)
            .maxInFlightRequestsPerConnection(1000)
            .build();
        try (TransportServer server = TransportServer.start(config, Loopback.ephemeral(), handler))
        {
            for (int round = 0; round < 5; round++)
            {
                final List<byte[]> frames = new ArrayList<>();
                final ByteArrayOutputStream wire = new ByteArrayOutputStream();
                final int count = 1 + random.nextInt(60);
                for (int i = 0; i < count; i++)
                {
                    final int size = random.nextInt(10) == 0 ? 1 + random.nextInt(600 * 1024) : 1 + random.nextInt(300);
                    final byte[] body = new byte[size];
                    random.nextBytes(body);
                    frames.add(body);
                    wire.write(ByteBuffer.allocate(4).putInt(size).array());
                    wire.write(body);
                }
                final byte[] bytes = wire.toByteArray();
                final int before = handler.frames.size();
                try (RawClient client = new RawClient(server.port()))
                {
                    int offset = 0;
                    while (offset < bytes.length)
                    {
                        final int split = switch (random.nextInt(4))
                        {
                            case 0 -> 1;
                            case 1 -> 1 + random.nextInt(7);
                            case 2 -> 1 + random.nextInt(4096);
                            default -> 1 + random.nextInt(256 * 1024);
                        };
                        final int n = Math.min(split, bytes.length - offset);
                        client.out.write(bytes, offset, n);
                        client.out.flush();
                        offset += n;
                    }
                    awaitTrue("round delivered, seed=" + seed, () -> handler.frames.size() == before + count);
                }
                for (int i = 0; i < count; i++)
                {
                    final InboundFrame frame = handler.frames.get(before + i);
                    assertEquals(i, frame.sequence(), "seed=" + seed);
                    final byte[] body = new byte[frame.length()];
                    frame.body().get(body);
                    assertArrayEquals(frames.get(i), body, "frame " + i + " of round " + round + ", seed=" + seed);
                    frame.noResponse();
                }
            }
        }
    }
}
