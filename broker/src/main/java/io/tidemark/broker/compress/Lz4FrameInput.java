package io.tidemark.broker.compress;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.kafka.common.protocol.Errors;

/**
 * The LZ4 frame format as Kafka reads it for magic 2 ({@code Lz4BlockInputStream}), little-endian:
 *
 * <pre>
 *  int32 magic 0x184D2204
 *  FLG   version 01 (bits 7-6), block independence (5: required), block checksum (4), content size (3),
 *        content checksum (2), reserved (1), dictionary id (0: refused)
 *  BD    block maximum size (bits 6-4): 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB; other bits 0
 *  [int64 content size]
 *  HC    (xxhash32 of FLG .. content size, seed 0) &gt;&gt; 8 &amp; 0xFF
 *  blocks: int32 size (high bit: stored uncompressed), the data, [int32 block checksum]
 *  int32 0 (end mark), [int32 content checksum]
 * </pre>
 *
 * A block is decompressed into one reused buffer of the frame's block maximum (at most 4 MiB), straight
 * from the request's buffer; a block size beyond the maximum or the batch is refused before anything is
 * read. Block checksums are verified when present and linked blocks refused, as Kafka does; the content
 * checksum is not read (Kafka stops at the end mark).
 *
 * <p>Not thread safe: owned by one {@link CompressedRecordReader}.
 */
final class Lz4FrameInput extends InputStream
{
    private static final int MAGIC = 0x184D2204;
    private static final int FLG_VERSION = 1;
    private static final int FLG_BLOCK_INDEPENDENCE = 1 << 5;
    private static final int FLG_BLOCK_CHECKSUM = 1 << 4;
    private static final int FLG_CONTENT_SIZE = 1 << 3;
    private static final int FLG_RESERVED = 0b11;
    private static final int BD_RESERVED = 0x8F;
    private static final int UNCOMPRESSED_BLOCK = 0x80000000;

    private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
    private final XXHash32 xxhash = XXHashFactory.fastestInstance().hash32();

    private ByteBuffer data;
    private int cursor;
    private int end;
    private int blockMax;
    private boolean blockChecksum;
    private boolean done;

    private byte[] block = new byte[0];
    private ByteBuffer blockView = ByteBuffer.wrap(block);
    private int outPos;
    private int outLim;

    void open(final ByteBuffer batchData)
    {
        data = batchData.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        cursor = data.position();
        end = data.limit();
        done = false;
        outPos = 0;
        outLim = 0;
        need(7, "the frame header");
        if (data.getInt(cursor) != MAGIC)
        {
            throw corrupt("the lz4-compressed records do not start with the lz4 frame magic", null);
        }
        final int descriptor = cursor + 4;
        final int flg = data.get(descriptor) & 0xFF;
        final int bd = data.get(descriptor + 1) & 0xFF;
        if (flg >>> 6 != FLG_VERSION || (flg & FLG_RESERVED) != 0)
        {
            throw corrupt("the lz4 frame's flags byte " + flg + " is not version 1 without a dictionary", null);
        }
        if ((flg & FLG_BLOCK_INDEPENDENCE) == 0)
        {
            throw corrupt("the lz4 frame links its blocks; only independent blocks are supported, as in Kafka", null);
        }
        final int sizeId = (bd >>> 4) & 0x7;
        if ((bd & BD_RESERVED) != 0 || sizeId < 4)
        {
            throw corrupt("the lz4 frame's block descriptor byte " + bd + " names no valid block size", null);
        }
        blockMax = 1 << (2 * sizeId + 8);
        blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
        final int descriptorLength = (flg & FLG_CONTENT_SIZE) != 0 ? 10 : 2;
        need(4 + descriptorLength + 1, "the frame header");
        final int hc = data.get(descriptor + descriptorLength) & 0xFF;
        if (((xxhash.hash(data, descriptor, descriptorLength, 0) >> 8) & 0xFF) != hc)
        {
            throw corrupt("the lz4 frame's header checksum does not match", null);
        }
        cursor = descriptor + descriptorLength + 1;
        if (block.length < blockMax)
        {
            block = new byte[blockMax];
            blockView = ByteBuffer.wrap(block);
        }
    }

    private void need(final int bytes, final String what)
    {
        if (end - cursor < bytes)
        {
            throw corrupt("the lz4-compressed records end inside " + what, null);
        }
    }

    private static DecompressionException corrupt(final String message, final Throwable cause)
    {
        return new DecompressionException(Errors.CORRUPT_MESSAGE, message, cause);
    }

    @Override
    public int read()
    {
        if (!fill())
        {
            return -1;
        }
        return block[outPos++] & 0xFF;
    }

    @Override
    public int read(final byte[] b, final int off, final int len)
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
        System.arraycopy(block, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private boolean fill()
    {
        while (outPos == outLim)
        {
            if (done)
            {
                return false;
            }
            need(4, "a block size");
            final int word = data.getInt(cursor);
            cursor += 4;
            if (word == 0)
            {
                done = true;
                return false;
            }
            final int size = word & ~UNCOMPRESSED_BLOCK;
            if (size > blockMax || size > end - cursor)
            {
                throw corrupt("an lz4 block declares " + size + " bytes (the frame's blocks hold at most " + blockMax + ", " +
                    (end - cursor) + " remain in the batch)", null);
            }
            if (blockChecksum)
            {
                need(size + 4, "a block checksum");
                if (xxhash.hash(data, cursor, size, 0) != data.getInt(cursor + size))
                {
                    throw corrupt("an lz4 block's checksum does not match its data", null);
                }
            }
            outPos = 0;
            if ((word & UNCOMPRESSED_BLOCK) != 0)
            {
                data.get(cursor, block, 0, size);
                outLim = size;
            }
            else
            {
                try
                {
                    outLim = decompressor.decompress(data, cursor, size, blockView, 0, blockMax);
                }
                catch (final LZ4Exception ex)
                {
                    throw corrupt("the lz4-compressed records are not valid lz4", ex);
                }
            }
            cursor += size + (blockChecksum ? 4 : 0);
        }
        return true;
    }

    /**
     * Forgets the batch; drops a block buffer larger than {@link CompressedRecordReader#KEEP_BYTES}.
     */
    @Override
    public void close()
    {
        data = null;
        if (block.length > CompressedRecordReader.KEEP_BYTES)
        {
            block = new byte[0];
            blockView = ByteBuffer.wrap(block);
        }
    }
}
