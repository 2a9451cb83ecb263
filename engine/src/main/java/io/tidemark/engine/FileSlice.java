package io.tidemark.engine;

import java.nio.channels.FileChannel;

/**
 * A run of whole record batches in one segment file, for zero-copy sends
 * ({@link FileChannel#transferTo}). The slice holds a reference on its segment so the file stays
 * open and in place until {@link #close()} (call it when the send completed or failed).
 */
public final class FileSlice implements AutoCloseable
{
    private final Segment segment;
    private final long position;
    private final int length;
    private final long firstOffset;
    private final long nextOffset;
    private boolean released;

    FileSlice(final Segment segment, final long position, final int length, final long firstOffset, final long nextOffset)
    {
        this.segment = segment;
        this.position = position;
        this.length = length;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
    }

    /**
     * @return the channel to transfer from; do not close it.
     */
    public FileChannel channel()
    {
        return segment.channel();
    }

    /**
     * @return the file position of the first batch.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return bytes in the slice: whole batches only.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return base offset of the first batch (may be below the offset asked for).
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * @return the offset after the last batch in the slice.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * Releases the segment reference. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (!released)
        {
            released = true;
            segment.release();
        }
    }

    @Override
    public String toString()
    {
        return "FileSlice{" + segment.logPath().getFileName() + " [" + position + ", +" + length + "), offsets [" +
            firstOffset + ", " + nextOffset + ")}";
    }
}
