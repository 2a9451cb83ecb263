package io.tidemark.broker.produce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.Crc32C;
import org.xerial.snappy.Snappy;

/**
 * Hand-built v2 record batches for hostile-input tests: any attributes, count and records section, with
 * a correct CRC32C so that the field under test, not the checksum, is what the broker sees.
 */
public final class TestBatches
{
    /** Offset of the attributes in a v2 batch. */
    public static final int ATTRIBUTES = 21;
    /** Offset of the records section. */
    public static final int RECORDS = 61;

    private TestBatches()
    {
    }

    /**
     * @param attributes  the attributes (the low 3 bits are the codec).
     * @param count       the record count (last offset delta = count - 1).
     * @param section     the records section, as is.
     * @return a batch with base offset 0, no producer id and a correct CRC.
     */
    public static MemoryRecords batch(final int attributes, final int count, final byte[] section)
    {
        final ByteBuffer b = ByteBuffer.allocate(RECORDS + section.length);
        b.putLong(0L).putInt(RECORDS - 12 + section.length).putInt(-1).put((byte)2).putInt(0).putShort((short)attributes)
            .putInt(count - 1).putLong(1_000L).putLong(1_000L).putLong(-1L).putShort((short)-1).putInt(-1).putInt(count).put(section);
        b.flip();
        return crc(MemoryRecords.readableRecords(b));
    }

    /**
     * @param records a batch whose covered bytes were changed.
     * @return the same batch with its CRC recomputed.
     */
    public static MemoryRecords crc(final MemoryRecords records)
    {
        final ByteBuffer b = records.buffer();
        b.putInt(b.position() + 17, (int)Crc32C.compute(b, b.position() + ATTRIBUTES, b.remaining() - ATTRIBUTES));
        return records;
    }

    /**
     * @param records the records.
     * @return their uncompressed records section, as a producer would compress it.
     */
    public static byte[] section(final SimpleRecord... records)
    {
        final ByteBuffer b = MemoryRecords.withRecords(Compression.NONE, records).buffer();
        return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position() + RECORDS, b.arrayOffset() + b.limit());
    }

    /**
     * @param type    the codec.
     * @param records the records.
     * @return a batch compressed by kafka-clients, as a Java producer sends it.
     */
    public static MemoryRecords compressed(final CompressionType type, final SimpleRecord... records)
    {
        return MemoryRecords.withRecords(Compression.of(type).build(), records);
    }

    /**
     * @param records the records.
     * @return a batch whose section is one raw snappy block (no xerial framing), as librdkafka sends it.
     */
    public static MemoryRecords rawSnappy(final SimpleRecord... records)
    {
        try
        {
            return batch(CompressionType.SNAPPY.id, records.length, Snappy.compress(section(records)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param declared the uncompressed length the block declares.
     * @return a raw snappy batch of about 150 bytes declaring {@code declared} bytes (a decompression bomb
     *         that lies).
     */
    public static MemoryRecords lyingRawSnappy(final int declared)
    {
        final ByteBuffer s = ByteBuffer.allocate(90);
        int v = declared;
        while ((v & ~0x7F) != 0)
        {
            s.put((byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        s.put((byte)v);
        s.put((byte)(59 << 2)); // a 60-byte literal
        while (s.hasRemaining())
        {
            s.put((byte)'x');
        }
        return batch(CompressionType.SNAPPY.id, 1, s.array());
    }

    /**
     * @param declared the uncompressed length the block declares.
     * @return an xerial-framed snappy batch whose one chunk lies the same way.
     */
    public static MemoryRecords lyingXerialSnappy(final int declared)
    {
        final ByteBuffer lying = lyingRawSnappy(declared).buffer();
        final byte[] block = Arrays.copyOfRange(lying.array(), RECORDS, lying.limit());
        final ByteBuffer s = ByteBuffer.allocate(16 + 4 + block.length);
        s.put(new byte[] {(byte)0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}).putInt(1).putInt(1).putInt(block.length).put(block);
        return batch(CompressionType.SNAPPY.id, 1, s.array());
    }
}
