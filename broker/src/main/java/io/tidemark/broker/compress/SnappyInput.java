package io.tidemark.broker.compress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.apache.kafka.common.protocol.Errors;
import org.xerial.snappy.Snappy;

/**
 * Snappy as Kafka reads it ({@code SnappyInputStream}): the xerial framing, or, without its magic, the
 * whole payload as one raw snappy block (what librdkafka sends).
 *
 * <pre>
 *  xerial framing                                   raw
 *  +------------------------------------------+     +-----------------------------------+
 *  | magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00  |     | varint32 uncompressed length      |
 *  | int32 version, int32 compatible version  |     | snappy elements ...               |
 *  | chunks: int32 length, raw snappy block   |     +-----------------------------------+
 *  | (magic again: a concatenated stream)     |
 *  | chunks ...                               |
 *  +------------------------------------------+
 * </pre>
 *
 * A raw block declares its uncompressed length up front; it is believed only after the whole block
 * has been checked to produce exactly that many bytes ({@code Snappy.isValidCompressedBuffer}, which
 * writes nothing), and only if it fits the limit: a 150-byte block declaring 2 GiB is refused before any
 * output buffer exists. Output buffers are reused between batches and dropped when larger than
 * {@link CompressedRecordReader#KEEP_BYTES}.
 *
 * <p>Not thread safe: owned by one {@link CompressedRecordReader}.
 */
final class SnappyInput extends InputStream
{
    private static final byte[] MAGIC = {(byte)0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int FRAMED_HEADER_BYTES = MAGIC.length + 8;

    private byte[] copy = new byte[0];
    private byte[] input;
    private int cursor;
    private int end;
    private boolean framed;
    private boolean rawDone;

    private byte[] output = new byte[0];
    private int outPos;
    private int outLim;
    private long produced;
    private long limitBytes;

    void open(final ByteBuffer data, final long limitBytes) throws IOException
    {
        final int length = data.remaining();
        if (data.hasArray())
        {
            input = data.array();
            cursor = data.arrayOffset() + data.position();
        }
        else
        {
            if (copy.length < length)
            {
                copy = new byte[length];
            }
            data.duplicate().get(copy, 0, length);
            input = copy;
            cursor = 0;
        }
        end = cursor + length;
        this.limitBytes = limitBytes;
        produced = 0;
        outPos = 0;
        outLim = 0;
        rawDone = false;
        framed = length >= MAGIC.length && hasMagic();
        if (framed)
        {
            if (length < FRAMED_HEADER_BYTES)
            {
                throw new DecompressionException(Errors.CORRUPT_MESSAGE, "the snappy-compressed records end inside the xerial header", null);
            }
            cursor += FRAMED_HEADER_BYTES;
        }
    }

    private boolean hasMagic()
    {
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (input[cursor + i] != MAGIC[i])
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException
    {
        if (!fill())
        {
            return -1;
        }
        return output[outPos++] & 0xFF;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException
    {
        if (len == 0)
        {
            return 0;
        }
        if (!fill())
        {
            return -1;
        }
        final int n = Math.min(len, outLim - outPos);
        System.arraycopy(output, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private boolean fill() throws IOException
    {
        while (outPos == outLim)
        {
            if (!framed)
            {
                if (rawDone)
                {
                    return false;
                }
                rawDone = true;
                block(cursor, end - cursor);
                cursor = end;
                continue;
            }
            if (cursor == end)
            {
                return false;
            }
            if (end - cursor >= FRAMED_HEADER_BYTES && hasMagic())
            {
                cursor += FRAMED_HEADER_BYTES; // concatenated xerial streams, as SnappyInputStream reads them
                continue;
            }
            if (end - cursor < 4)
            {
                throw new DecompressionException(Errors.CORRUPT_MESSAGE, "the snappy-compressed records end inside a chunk length", null);
            }
            final int chunk = ((input[cursor] & 0xFF) << 24) | ((input[cursor + 1] & 0xFF) << 16) | ((input[cursor + 2] & 0xFF) << 8) |
                (input[cursor + 3] & 0xFF);
            cursor += 4;
            if (chunk < 0 || chunk > end - cursor)
            {
                throw new DecompressionException(Errors.CORRUPT_MESSAGE, "a snappy chunk declares " + chunk + " bytes but " + (end - cursor) +
                    " remain in the batch", null);
            }
            block(cursor, chunk);
            cursor += chunk;
        }
        return true;
    }

    private void block(final int offset, final int length) throws IOException
    {
        outPos = 0;
        outLim = 0;
        if (length == 0)
        {
            return;
        }
        if (!Snappy.isValidCompressedBuffer(input, offset, length))
        {
            throw new DecompressionException(Errors.CORRUPT_MESSAGE, "the snappy-compressed records are not valid snappy", null);
        }
        final int declared = Snappy.uncompressedLength(input, offset, length);
        if (declared < 0 || produced + declared > limitBytes)
        {
            throw CompressedRecordReader.tooLarge("snappy", limitBytes);
        }
        if (output.length < declared)
        {
            output = new byte[declared];
        }
        final int n = Snappy.uncompress(input, offset, length, output, 0);
        if (n != declared)
        {
            throw new DecompressionException(Errors.CORRUPT_MESSAGE, "the snappy-compressed records are not valid snappy", null);
        }
        produced += n;
        outLim = n;
    }

    /**
     * Forgets the batch; drops buffers larger than {@link CompressedRecordReader#KEEP_BYTES}.
     */
    @Override
    public void close()
    {
        input = null;
        if (output.length > CompressedRecordReader.KEEP_BYTES)
        {
            output = new byte[0];
        }
        if (copy.length > CompressedRecordReader.KEEP_BYTES)
        {
            copy = new byte[0];
        }
    }
}
