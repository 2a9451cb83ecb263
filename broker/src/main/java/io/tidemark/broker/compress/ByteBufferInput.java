package io.tidemark.broker.compress;

import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * An input stream over a buffer's remaining bytes (the buffer itself is not moved).
 *
 * <p>Not thread safe: used by the one thread reading a batch.
 */
final class ByteBufferInput extends InputStream
{
    private final ByteBuffer buffer;

    ByteBufferInput(final ByteBuffer buffer)
    {
        this.buffer = buffer.duplicate();
    }

    @Override
    public int read()
    {
        return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
    }

    @Override
    public int read(final byte[] b, final int off, final int len)
    {
        if (len == 0)
        {
            return 0;
        }
        if (!buffer.hasRemaining())
        {
            return -1;
        }
        final int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    @Override
    public int available()
    {
        return buffer.remaining();
    }
}
