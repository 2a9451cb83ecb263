package io.tidemark.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only FileChannel over a byte array, standing in for the custom channels tests use (not a
 * sun.nio.ch.FileChannelImpl). Its transferTo writes at most {@code chunkBytes} per call, to exercise partial
 * transfers.
 */
final class InMemoryFileChannel extends FileChannel
{
    private final byte[] data;
    private final int chunkBytes;
    private long position;
    int transferCalls;

    InMemoryFileChannel(final byte[] data, final int chunkBytes)
    {
        this.data = data;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        final int n = read(dst, position);
        if (n > 0)
        {
            position += n;
        }
        return n;
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length)
    {
        long total = 0;
        for (int i = offset; i < offset + length; i++)
        {
            final int n = read(dsts[i]);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        throw new IOException("read-only");
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
    {
        throw new IOException("read-only");
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public FileChannel position(final long newPosition)
    {
        position = newPosition;
        return this;
    }

    @Override
    public long size()
    {
        return data.length;
    }

    @Override
    public FileChannel truncate(final long size) throws IOException
    {
        throw new IOException("read-only");
    }

    @Override
    public void force(final boolean metaData)
    {
    }

    @Override
    public long transferTo(final long position, final long count, final WritableByteChannel target) throws IOException
    {
        transferCalls++;
        if (position >= data.length)
        {
            return 0;
        }
        final int n = (int)Math.min(Math.min(count, chunkBytes), data.length - position);
        return target.write(ByteBuffer.wrap(data, (int)position, n));
    }

    @Override
    public long transferFrom(final ReadableByteChannel src, final long position, final long count) throws IOException
    {
        throw new IOException("read-only");
    }

    @Override
    public int read(final ByteBuffer dst, final long position)
    {
        if (position >= data.length)
        {
            return -1;
        }
        final int n = (int)Math.min(dst.remaining(), data.length - position);
        dst.put(data, (int)position, n);
        return n;
    }

    @Override
    public int write(final ByteBuffer src, final long position) throws IOException
    {
        throw new IOException("read-only");
    }

    @Override
    public MappedByteBuffer map(final MapMode mode, final long position, final long size)
    {
        throw new UnsupportedOperationException("map");
    }

    @Override
    public FileLock lock(final long position, final long size, final boolean shared)
    {
        throw new UnsupportedOperationException("lock");
    }

    @Override
    public FileLock tryLock(final long position, final long size, final boolean shared)
    {
        throw new UnsupportedOperationException("tryLock");
    }

    @Override
    protected void implCloseChannel()
    {
    }
}
