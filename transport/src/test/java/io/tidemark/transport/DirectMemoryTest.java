package io.tidemark.transport;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK copies heap buffers through a temporary direct buffer as large as the bytes passed to one read or
 * write, and caches it on the calling thread. Large frames must therefore move in bounded chunks, or each
 * selector thread would pin a direct buffer the size of the largest frame it ever saw.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class DirectMemoryTest
{
    private static final int FRAME_BYTES = 32 * 1024 * 1024;

    @Test
    void shouldNotPinFrameSizedDirectBuffersWhenMovingLargeHeapFrames() throws Exception
    {
        final FrameHandler echo = (connection, frame) -> frame.respond(Send.builder()
            .add(ByteBuffer.wrap(new byte[]{ 1, 2, 3 }))
            .add(frame.body())
            .build());
        try (TransportServer server = TransportServer.start(
            TransportConfig.builder().maxFrameBytes(FRAME_BYTES).build(), Loopback.ephemeral(), echo);
            RawClient client = new RawClient(server.port()))
        {
            final long before = directBytesUsed();
            final byte[] body = new byte[FRAME_BYTES];
            body[FRAME_BYTES - 1] = 9;

            client.writeFrame(body);
            final byte[] response = client.readFrame();

            assertEquals(FRAME_BYTES + 3, response.length);
            assertEquals(9, response[FRAME_BYTES + 2]);
            final long grownBytes = directBytesUsed() - before;
            assertTrue(grownBytes < 4 * 1024 * 1024, "direct memory grew by " + grownBytes + " bytes");
        }
    }

    private static long directBytesUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
