package io.tidemark.transport;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.zip.CRC32;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static io.tidemark.transport.Loopback.assertServesGoodClient;
import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class FileRegionSendTest
{
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private TransportServer server;
    private final List<Throwable> completions = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void serve(final Function<InboundFrame, Send> responder)
    {
        final FrameHandler handler = (connection, frame) -> frame.respond(responder.apply(frame));
        server = TransportServer.start(
            TransportConfig.builder().socketSendBufferBytes(256 * 1024).build(), Loopback.ephemeral(), handler);
    }

    @Test
    void shouldSendSixtyFourMibFileAsRegionsByteForByte() throws Exception
    {
        final Path file = dir.resolve("00000000000000000000.log");
        final long fileCrc = writeRandomFile(file, 64 * MIB, 64);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ))
        {
            serve(frame -> Send.builder()
                .addFileRegion(fc, 0, 16L * MIB)
                .addFileRegion(fc, 16L * MIB, 16L * MIB)
                .addFileRegion(fc, 32L * MIB, 32L * MIB)
                .onComplete((s, e) -> completions.add(e == null ? new Done() : e))
                .build());

            try (RawClient client = new RawClient(server.port()))
            {
                client.writeFrame(RawClient.bytes("fetch"));
                final DataInputStream in = client.in;
                assertEquals(64 * MIB, in.readInt());
                assertEquals(fileCrc, crcOf(in, 64L * MIB));
            }
            awaitTrue("completion ran", () -> completions.size() == 1);
            assertInstanceOf(Done.class, completions.get(0));
            assertEquals(1, server.counters().get(Counter.FRAMES_SENT));
        }
    }

    @Test
    void shouldInterleaveBufferAndFileParts() throws Exception
    {
        final Path file = dir.resolve("mixed.log");
        final byte[] fileBytes = SendTest.randomBytes(3 * MIB, 7);
        java.nio.file.Files.write(file, fileBytes);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ))
        {
            final InMemoryFileChannel memory = new InMemoryFileChannel(fileBytes, 4096);
            serve(frame -> Send.builder()
                .add(RawClient.bytes("<batch header>"))
                .addFileRegion(fc, 1000, 2 * MIB)
                .add(ByteBuffer.wrap(RawClient.bytes("<between>")))
                .addFileRegion(memory, 5, MIB)
                .addFileRegion(fc, 0, 0)
                .add(RawClient.bytes("<end>"))
                .build());

            try (RawClient client = new RawClient(server.port()))
            {
                client.writeFrame(RawClient.bytes("fetch"));
                final byte[] frame = client.readFrame();

                final ByteBuffer expected = ByteBuffer.allocate(frame.length);
                expected.put(RawClient.bytes("<batch header>"))
                    .put(fileBytes, 1000, 2 * MIB)
                    .put(RawClient.bytes("<between>"))
                    .put(fileBytes, 5, MIB)
                    .put(RawClient.bytes("<end>"));
                assertEquals(expected.position(), frame.length);
                assertArrayEquals(expected.array(), frame);
            }
            assertTrue(memory.transferCalls >= MIB / 4096, "custom FileChannel.transferTo used");
        }
    }

    @Test
    void shouldFailSendAndCloseConnectionWhenRegionIsPastEndOfFile() throws Exception
    {
        final Path file = dir.resolve("short.log");
        java.nio.file.Files.write(file, new byte[1000]);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ))
        {
            serve(frame ->
            {
                if (!RawClient.string(frame.body().array()).equals("bad"))
                {
                    return Send.of(frame.body());
                }
                return Send.builder()
                    .add(RawClient.bytes("header"))
                    .addFileRegion(fc, 900, 200)
                    .onComplete((s, e) -> failure.set(e))
                    .build();
            });

            try (RawClient client = new RawClient(server.port()))
            {
                client.writeFrame(RawClient.bytes("bad"));
                assertTrue(client.awaitClosedByPeer());
            }
            awaitTrue("failure reported", () -> failure.get() != null);
            assertInstanceOf(EOFException.class, failure.get());
            assertTrue(failure.get().getMessage().contains("size 1000"), failure.get().getMessage());
            assertEquals(1, server.counters().get(Counter.SEND_FAILURES));
            assertEquals(0, server.counters().get(Counter.BYTES_SENT), "nothing of the failed send went out");
            assertServesGoodClient(server);
        }
    }

    @Test
    void shouldFailQueuedSendsWhenPeerDisconnects() throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>(new Done());
        final RecordingHandler handler = RecordingHandler.silent();
        server = TransportServer.start(TransportConfig.defaults(), Loopback.ephemeral(), handler);
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("x"));
            awaitTrue("delivered", () -> handler.frames.size() == 1);
        }
        awaitTrue("closed", () -> handler.closedWith(CloseReason.PEER_CLOSED));

        final boolean queued = handler.frames.get(0).respond(Send.builder().add(new byte[10])
            .onComplete((s, e) -> failure.set(e)).build());

        assertEquals(false, queued);
        awaitTrue("completion got an error", () -> !(failure.get() instanceof Done));
        assertInstanceOf(TransportException.class, failure.get());
        assertEquals(TransportException.Code.CONNECTION_CLOSED, ((TransportException)failure.get()).code());
        assertTrue(failure.get().getMessage().contains("PEER_CLOSED"), failure.get().getMessage());
    }

    @Test
    void shouldRunCompletionWithNullOnlyAfterTheLastByteWasWritten() throws Exception
    {
        final AtomicReference<Throwable> result = new AtomicReference<>(new Done());
        serve(frame -> Send.builder().add(new byte[100]).onComplete((s, e) -> result.set(e)).build());
        try (RawClient client = new RawClient(server.port()))
        {
            client.writeFrame(RawClient.bytes("go"));
            assertEquals(100, client.readFrame().length);
        }
        awaitTrue("completed", () -> !(result.get() instanceof Done));
        assertNull(result.get());
    }

    static long writeRandomFile(final Path file, final int bytes, final long seed) throws IOException
    {
        final CRC32 crc = new CRC32();
        final Random random = new Random(seed);
        final byte[] chunk = new byte[MIB];
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            for (int written = 0; written < bytes; written += chunk.length)
            {
                random.nextBytes(chunk);
                crc.update(chunk);
                final ByteBuffer b = ByteBuffer.wrap(chunk);
                while (b.hasRemaining())
                {
                    fc.write(b);
                }
            }
        }
        return crc.getValue();
    }

    static long crcOf(final DataInputStream in, final long bytes) throws IOException
    {
        final CRC32 crc = new CRC32();
        final byte[] chunk = new byte[256 * 1024];
        long left = bytes;
        while (left > 0)
        {
            final int n = in.read(chunk, 0, (int)Math.min(chunk.length, left));
            if (n < 0)
            {
                throw new EOFException(left + " bytes missing");
            }
            crc.update(chunk, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** Marks "completed without error" or "not completed yet" where null means something else. */
    static final class Done extends Throwable
    {
        private static final long serialVersionUID = 1L;

        Done()
        {
            super(null, null, false, false);
        }
    }
}
