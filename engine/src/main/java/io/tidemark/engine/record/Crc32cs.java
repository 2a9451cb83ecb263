package io.tidemark.engine.record;

import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

/**
 * CRC32C over any Agrona buffer without allocating: off-heap memory (mapped segments, direct buffers)
 * goes through Agrona's address-based intrinsic, heap arrays through a caller-owned {@link CRC32C}.
 */
public final class Crc32cs
{
    private Crc32cs()
    {
    }

    /**
     * @param buffer  the bytes.
     * @param index   first byte.
     * @param length  number of bytes.
     * @param scratch a CRC32C the caller owns (used for heap buffers only; reset here).
     * @return the CRC32C of the range, as an unsigned 32-bit value in an int.
     */
    public static int compute(final DirectBuffer buffer, final int index, final int length, final CRC32C scratch)
    {
        buffer.boundsCheck(index, length);
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            scratch.reset();
            scratch.update(array, buffer.wrapAdjustment() + index, length);
            return (int)scratch.getValue();
        }
        return Crc32c.INSTANCE.compute(buffer.addressOffset(), index, length);
    }
}
