package io.tidemark.transport;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayList;
import java.util.Objects;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One outbound frame body: an ordered list of parts, each a {@link ByteBuffer} or a file region
 * ({@link FileChannel}, position, count). The transport writes the int32 length prefix (and, for the internal
 * RPC, the RPC header) in front of the parts:
 *
 * <pre>
 *  +----------------+--------------------+--------+-----------------------+--------+
 *  | length (int32) | RPC header (0/6/8) | part 0 | part 1 (file region)  |  ...   |
 *  +----------------+--------------------+--------+-----------------------+--------+
 *   \______ written by the transport ___/ \______ the parts, in order, as given ____/
 * </pre>
 *
 * Buffer parts go out with gathering writes; file regions with {@link FileChannel#transferTo} straight to the
 * socket (zero copy where the OS allows), resumed on partial transfers. Any {@code FileChannel} works, a custom
 * subclass included.
 *
 * <p>Ownership: a send is used once. From {@link Builder#build()} until its {@link SendCompletion} runs, the
 * transport owns the buffers' position (it advances it while writing) and reads the file regions; the caller
 * must not touch them. The completion runs exactly once: with a null error when the last byte was written to
 * the socket, or with the error when the send failed or its connection closed first. A file region that
 * extends past the end of its file fails the send and closes the connection.
 */
public final class Send
{
    /** Bytes of the frame length prefix. */
    public static final int LENGTH_FIELD_BYTES = 4;
    static final int MAX_HEADER_BYTES = LENGTH_FIELD_BYTES + 8;

    private static final VarHandle CLAIMED;

    static
    {
        try
        {
            CLAIMED = MethodHandles.lookup().findVarHandle(Send.class, "claimed", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ByteBuffer header;
    private final ByteBuffer[] buffers;
    private final FileChannel[] channels;
    private final long[] positions;
    private final long[] counts;
    private final long bodyBytes;
    private final SendCompletion completion;
    private int headerBytes = LENGTH_FIELD_BYTES;
    @SuppressWarnings("unused")
    private volatile int claimed;

    // write progress, touched only by the owning selector thread
    private int partIndex;
    private long regionDone;
    private boolean completed;

    private Send(final ArrayList<Object> parts, final long bodyBytes, final SendCompletion completion)
    {
        final int n = parts.size() + 1;
        header = ByteBuffer.allocate(MAX_HEADER_BYTES); // big-endian
        buffers = new ByteBuffer[n];
        buffers[0] = header;
        boolean anyRegion = false;
        for (int i = 1; i < n; i++)
        {
            final Object part = parts.get(i - 1);
            if (part instanceof ByteBuffer)
            {
                buffers[i] = (ByteBuffer)part;
            }
            else
            {
                anyRegion = true;
            }
        }
        channels = anyRegion ? new FileChannel[n] : null;
        positions = anyRegion ? new long[n] : null;
        counts = anyRegion ? new long[n] : null;
        for (int i = 1; anyRegion && i < n; i++)
        {
            final Object part = parts.get(i - 1);
            if (part instanceof FileRegion)
            {
                final FileRegion region = (FileRegion)part;
                channels[i] = region.channel;
                positions[i] = region.position;
                counts[i] = region.count;
            }
        }
        this.bodyBytes = bodyBytes;
        this.completion = completion;
        header.putInt(0, (int)bodyBytes);
    }

    private Send(final ByteBuffer body, final SendCompletion completion)
    {
        header = ByteBuffer.allocate(MAX_HEADER_BYTES);
        buffers = new ByteBuffer[]{ header, body };
        channels = null;
        positions = null;
        counts = null;
        bodyBytes = body.remaining();
        this.completion = completion;
        header.putInt(0, (int)bodyBytes);
    }

    /**
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @param body a single buffer part; its remaining bytes are the frame body.
     * @return a send of that buffer, without completion callback.
     */
    public static Send of(final ByteBuffer body)
    {
        return new Send(Objects.requireNonNull(body, "body"), null);
    }

    /**
     * @return bytes of the parts (the body as given, excluding the length prefix and RPC header).
     */
    public long bodyBytes()
    {
        return bodyBytes;
    }

    /**
     * @return bytes this send puts on the wire: length prefix, RPC header (if any) and parts.
     */
    public long frameBytes()
    {
        return headerBytes + bodyBytes;
    }

    /**
     * @return the number of parts.
     */
    public int partCount()
    {
        return buffers.length - 1;
    }

    /**
     * Claims the send for one use; a second claim is a programming error.
     */
    void claim()
    {
        if (!CLAIMED.compareAndSet(this, 0, 1))
        {
            throw new IllegalStateException("send already used: a Send goes out once");
        }
    }

    boolean tryClaim()
    {
        return CLAIMED.compareAndSet(this, 0, 1);
    }

    /**
     * Adds an RPC header of {@code extraBytes} after the length prefix and returns the buffer to encode it in at
     * offset {@link #LENGTH_FIELD_BYTES}. Called once, before the send is queued.
     */
    UnsafeBuffer reserveHeader(final int extraBytes)
    {
        headerBytes = LENGTH_FIELD_BYTES + extraBytes;
        header.putInt(0, (int)(bodyBytes + extraBytes));
        return new UnsafeBuffer(header); // RPC path only; short-lived, a candidate for scalar replacement
    }

    /**
     * Readies the send for writing and checks every file region against its file's current size, so a send
     * that cannot be completed fails before its first byte goes out.
     *
     * @throws IOException when a region lies past the end of its file or the size cannot be read, or when a
     *                     buffer part no longer holds the bytes it held at {@code build()}.
     */
    void prepare() throws IOException
    {
        header.limit(headerBytes).position(0);
        long total = 0;
        for (int i = 1; i < buffers.length; i++)
        {
            if (null != buffers[i])
            {
                total += buffers[i].remaining();
            }
            else
            {
                checkRegion(i);
                total += counts[i];
            }
        }
        if (total != bodyBytes)
        {
            // the length prefix was computed at build(): a buffer changed since would corrupt the stream
            throw new java.io.StreamCorruptedException("send parts hold " + total + " bytes but " + bodyBytes +
                " were declared at build(): a buffer was modified before the send completed");
        }
    }

    /**
     * Writes as much as the channel takes now.
     *
     * @return bytes written by this call (0 when the socket is full).
     * @throws IOException on a socket error, or when a file region ends before its count (file truncated).
     */
    long writeTo(final GatheringByteChannel channel) throws IOException
    {
        long written = 0;
        final int n = buffers.length;
        while (partIndex < n)
        {
            if (null != buffers[partIndex])
            {
                final ByteBuffer first = buffers[partIndex];
                if (!first.isDirect() && first.remaining() > TcpConnection.IO_CHUNK_BYTES)
                {
                    // a large heap buffer goes alone and capped (see TcpConnection.IO_CHUNK_BYTES)
                    final int limit = first.limit();
                    first.limit(first.position() + TcpConnection.IO_CHUNK_BYTES);
                    final int sent;
                    try
                    {
                        sent = channel.write(first);
                    }
                    finally
                    {
                        first.limit(limit);
                    }
                    written += sent;
                    if (sent < TcpConnection.IO_CHUNK_BYTES)
                    {
                        return written;
                    }
                    continue;
                }
                // gather following buffers while the heap bytes of one call stay within the chunk
                long heapBytes = first.isDirect() ? 0 : first.remaining();
                int end = partIndex + 1;
                while (end < n && null != buffers[end])
                {
                    final ByteBuffer next = buffers[end];
                    if (!next.isDirect())
                    {
                        if (heapBytes + next.remaining() > TcpConnection.IO_CHUNK_BYTES)
                        {
                            break;
                        }
                        heapBytes += next.remaining();
                    }
                    end++;
                }
                written += channel.write(buffers, partIndex, end - partIndex);
                while (partIndex < end && !buffers[partIndex].hasRemaining())
                {
                    partIndex++;
                }
                if (partIndex < end)
                {
                    return written;
                }
            }
            else
            {
                final long remaining = counts[partIndex] - regionDone;
                if (remaining == 0)
                {
                    partIndex++;
                    regionDone = 0;
                    continue;
                }
                final long transferred = channels[partIndex].transferTo(
                    positions[partIndex] + regionDone, remaining, channel);
                if (transferred > 0)
                {
                    regionDone += transferred;
                    written += transferred;
                }
                else
                {
                    checkRegion(partIndex);
                    return written;
                }
            }
        }
        completed = true;
        return written;
    }

    boolean isComplete()
    {
        return completed;
    }

    /**
     * Runs the completion callback, if any. Exceptions from it are returned, never thrown into the selector.
     */
    Throwable complete(final Throwable error)
    {
        if (null != completion)
        {
            try
            {
                completion.onComplete(this, error);
            }
            catch (final Throwable t)
            {
                if (null != error)
                {
                    t.addSuppressed(error);
                }
                return t;
            }
        }
        return null;
    }

    private void checkRegion(final int i) throws IOException
    {
        final long size = channels[i].size();
        final long end = positions[i] + counts[i];
        if (end > size)
        {
            throw new EOFException("file region [" + positions[i] + ", " + end + ") of part " + (i - 1) +
                " extends past the end of the file (size " + size + ")");
        }
    }

    private static final class FileRegion
    {
        final FileChannel channel;
        final long position;
        final long count;

        FileRegion(final FileChannel channel, final long position, final long count)
        {
            this.channel = channel;
            this.position = position;
            this.count = count;
        }
    }

    /**
     * Collects the parts of a {@link Send}, in order.
     */
    public static final class Builder
    {
        private final ArrayList<Object> parts = new ArrayList<>(4);
        private long bodyBytes;
        private SendCompletion completion;

        Builder()
        {
        }

        /**
         * @param buffer its bytes from position to limit are the next part; the send owns its position until
         *               completion.
         * @return this.
         */
        public Builder add(final ByteBuffer buffer)
        {
            Objects.requireNonNull(buffer, "buffer");
            parts.add(buffer);
            bodyBytes += buffer.remaining();
            return this;
        }

        /**
         * @param bytes the next part (wrapped, not copied).
         * @return this.
         */
        public Builder add(final byte[] bytes)
        {
            return add(ByteBuffer.wrap(bytes));
        }

        /**
         * @param channel  file to send from; any FileChannel, read with {@code transferTo}.
         * @param position first byte of the region in the file.
         * @param count    bytes of the region.
         * @return this.
         * @throws IllegalArgumentException when position or count is negative.
         */
        public Builder addFileRegion(final FileChannel channel, final long position, final long count)
        {
            Objects.requireNonNull(channel, "channel");
            if (position < 0 || count < 0)
            {
                throw new IllegalArgumentException("file region position=" + position + " count=" + count +
                    " must both be >= 0");
            }
            parts.add(new FileRegion(channel, position, count));
            bodyBytes += count;
            return this;
        }

        /**
         * @param completion called once when the send was written or failed; null for none.
         * @return this.
         */
        public Builder onComplete(final SendCompletion completion)
        {
            this.completion = completion;
            return this;
        }

        /**
         * @return the send.
         * @throws IllegalArgumentException when the parts add up to more than an int32 frame can hold.
         */
        public Send build()
        {
            if (bodyBytes > TransportConfig.MAX_FRAME_BYTES_LIMIT)
            {
                throw new IllegalArgumentException("send of " + bodyBytes + " bytes exceeds the frame limit " +
                    TransportConfig.MAX_FRAME_BYTES_LIMIT);
            }
            return new Send(parts, bodyBytes, completion);
        }
    }
}
