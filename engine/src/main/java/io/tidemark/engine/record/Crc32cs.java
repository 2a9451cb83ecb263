package io.tidemark.engine.record;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * CRC32C over any Agrona buffer with the JDK's intrinsic and without allocating in steady state:
 * heap arrays go straight to {@link CRC32C#update(byte[], int, int)}; buffers over a {@link ByteBuffer}
 * (mapped segments, direct buffers) go through a duplicate cached per source buffer. Needs no
 * {@code --add-opens}. One instance per thread.
 */
public final class Crc32cs
{
    private final CRC32C crc = new CRC32C();
    private ByteBuffer source;
    private ByteBuffer view;
    private byte[] copy;

    /**
     * @param buffer the bytes.
     * @param index  first byte.
     * @param length number of bytes.
     * @return the CRC32C of the range, as an unsigned 32-bit value in an int.
     */
    public int compute(final DirectBuffer buffer, final int index, final int length)
    {
        buffer.boundsCheck(index, length);
        crc.reset();
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            crc.update(array, buffer.wrapAdjustment() + index, length);
            return (int)crc.getValue();
        }
        final ByteBuffer bb = buffer.byteBuffer();
        if (bb != null)
        {
            if (bb != source)
            {
                source = bb;
                view = bb.duplicate();
            }
            final int start = buffer.wrapAdjustment() + index;
            view.limit(start + length).position(start);
            crc.update(view);
            return (int)crc.getValue();
        }
        // a buffer wrapping a raw address: copy through a scratch array
        if (copy == null || copy.length < length)
        {
            copy = new byte[Math.max(length, 4096)];
        }
        buffer.getBytes(index, copy, 0, length);
        crc.update(copy, 0, length);
        return (int)crc.getValue();
    }
}
