package io.tidemark.transport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SendTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteLengthPrefixThenPartsInOrderAcrossPartialWrites() throws Exception
    {
        final byte[] fileBytes = randomBytes(10_000, 1);
        final Path file = dir.resolve("segment.log");
        Files.write(file, fileBytes);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ))
        {
            final Send send = Send.builder()
                .add(RawClient.bytes("head"))
                .addFileRegion(fc, 100, 5_000)
                .add(ByteBuffer.wrap(RawClient.bytes("middle")))
                .addFileRegion(new InMemoryFileChannel(fileBytes, 333), 7_000, 2_000)
                .add(RawClient.bytes("tail"))
                .build();
            final TrickleChannel channel = new TrickleChannel(97);

            send.prepare();
            int calls = 0;
            while (!send.isComplete())
            {
                send.writeTo(channel);
                channel.open();
                assertTrue(++calls < 10_000);
            }

            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            final long bodyBytes = 4 + 5_000 + 6 + 2_000 + 4;
            expected.write(ByteBuffer.allocate(4).putInt((int)bodyBytes).array());
            expected.write(RawClient.bytes("head"));
            expected.write(fileBytes, 100, 5_000);
            expected.write(RawClient.bytes("middle"));
            expected.write(fileBytes, 7_000, 2_000);
            expected.write(RawClient.bytes("tail"));
            assertArrayEquals(expected.toByteArray(), channel.written.toByteArray());
            assertEquals(bodyBytes, send.bodyBytes());
            assertEquals(bodyBytes + 4, send.frameBytes());
            assertEquals(5, send.partCount());
        }
    }

    @Test
    void shouldCountRpcHeaderInLengthPrefix() throws Exception
    {
        final Send send = Send.of(ByteBuffer.wrap(new byte[10]));
        send.reserveHeader(RpcResponseHeaderEncoder.ENCODED_LENGTH);
        final TrickleChannel channel = new TrickleChannel(1 << 20);

        send.prepare();
        send.writeTo(channel);

        assertTrue(send.isComplete());
        assertEquals(4 + 6 + 10, channel.written.size());
        assertEquals(16, ByteBuffer.wrap(channel.written.toByteArray()).getInt(0));
    }

    @Test
    void shouldFailPrepareWhenRegionIsPastEndOfFile() throws Exception
    {
        final Path file = dir.resolve("short.log");
        Files.write(file, new byte[100]);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ))
        {
            final Send send = Send.builder().addFileRegion(fc, 50, 51).build();

            final EOFException ex = assertThrows(EOFException.class, send::prepare);

            assertTrue(ex.getMessage().contains("[50, 101)"), ex.getMessage());
            assertTrue(ex.getMessage().contains("size 100"), ex.getMessage());
        }
    }

    @Test
    void shouldFailMidWriteWhenFileShrinksUnderTheRegion() throws Exception
    {
        final Path file = dir.resolve("shrinking.log");
        Files.write(file, new byte[1000]);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final Send send = Send.builder().addFileRegion(fc, 0, 1000).build();
            final TrickleChannel channel = new TrickleChannel(300);
            send.prepare();
            send.writeTo(channel);
            channel.open();
            fc.truncate(500);

            assertThrows(EOFException.class, () ->
            {
                while (!send.isComplete())
                {
                    send.writeTo(channel);
                    channel.open();
                }
            });
            assertFalse(send.isComplete());
        }
    }

    @Test
    void shouldFailPrepareWhenABufferChangedAfterBuild()
    {
        final ByteBuffer body = ByteBuffer.allocate(10);
        final Send send = Send.of(body);
        body.position(3);

        final java.io.StreamCorruptedException ex = assertThrows(java.io.StreamCorruptedException.class, send::prepare);

        assertTrue(ex.getMessage().contains("7 bytes but 10 were declared"), ex.getMessage());
    }

    @Test
    void shouldBeUsableOnlyOnce()
    {
        final Send send = Send.of(ByteBuffer.allocate(1));
        send.claim();

        assertThrows(IllegalStateException.class, send::claim);
    }

    @Test
    void shouldRejectNegativeRegion()
    {
        assertThrows(IllegalArgumentException.class,
            () -> Send.builder().addFileRegion(new InMemoryFileChannel(new byte[1], 1), -1, 1));
        assertThrows(IllegalArgumentException.class,
            () -> Send.builder().addFileRegion(new InMemoryFileChannel(new byte[1], 1), 0, -1));
    }

    @Test
    void shouldRunCompletionOnceAndReturnItsFailure()
    {
        final int[] calls = new int[1];
        final Send send = Send.builder().add(new byte[1]).onComplete((s, error) ->
        {
            calls[0]++;
            throw new IllegalStateException("callback bug");
        }).build();

        final Throwable thrown = send.complete(null);

        assertEquals(1, calls[0]);
        assertEquals("callback bug", thrown.getMessage());
    }

    static byte[] randomBytes(final int n, final long seed)
    {
        final byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Accepts at most {@code budget} bytes between {@link #open()} calls, like a socket with a small buffer.
     */
    static final class TrickleChannel implements GatheringByteChannel
    {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final int budgetBytes;
        private int left;

        TrickleChannel(final int budgetBytes)
        {
            this.budgetBytes = budgetBytes;
            left = budgetBytes;
        }

        void open()
        {
            left = budgetBytes;
        }

        @Override
        public int write(final ByteBuffer src)
        {
            final int n = Math.min(left, src.remaining());
            for (int i = 0; i < n; i++)
            {
                written.write(src.get());
            }
            left -= n;
            return n;
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length)
        {
            long total = 0;
            for (int i = offset; i < offset + length; i++)
            {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long write(final ByteBuffer[] srcs)
        {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
