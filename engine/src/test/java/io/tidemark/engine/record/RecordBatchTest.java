package io.tidemark.engine.record;

import static io.tidemark.engine.record.RecordBatchDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class RecordBatchTest
{
    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRoundTripRecordsWithNullsHeadersAndTimestamps()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).producer(42L, (short)3, 7);
        assertTrue(builder.append(1_000L, utf8("k1"), utf8("v1")));
        assertTrue(builder.append(999L, null, utf8("v2"), new Header("h", utf8("x")), new Header("n", null)));
        assertTrue(builder.append(1_500L, utf8("k3"), null));
        final int length = builder.build();

        final RecordBatchFlyweight batch = new RecordBatchFlyweight().wrap(buffer, 0);
        assertEquals(RecordBatchFlyweight.VALID, batch.validate(length, Integer.MAX_VALUE, true));
        assertEquals(length, batch.sizeInBytes());
        assertEquals(3, batch.recordCount());
        assertEquals(2, batch.lastOffsetDelta());
        assertEquals(1_000L, batch.baseTimestamp());
        assertEquals(1_500L, batch.maxTimestamp());
        assertEquals(42L, batch.producerId());
        assertEquals(3, batch.producerEpoch());
        assertEquals(7, batch.baseSequence());
        assertEquals(9, batch.lastSequence());
        assertEquals(MAGIC_V2, batch.magic());

        batch.baseOffset(100);
        batch.partitionLeaderEpoch(5);
        assertEquals(RecordBatchFlyweight.VALID, batch.validate(length, Integer.MAX_VALUE, true),
            "base offset and epoch are outside the CRC");
        final RecordFlyweight r = new RecordFlyweight();
        assertTrue(batch.firstRecord(r));
        assertEquals(100, r.offset());
        assertEquals(1_000L, r.timestamp());
        assertArrayEquals(utf8("k1"), r.keyBytes());
        assertArrayEquals(utf8("v1"), r.valueBytes());
        assertEquals(0, r.headerCount());
        assertTrue(r.next());
        assertEquals(101, r.offset());
        assertEquals(999L, r.timestamp());
        assertNull(r.keyBytes());
        assertEquals(-1, r.keyLength());
        assertEquals(2, r.headerCount());
        assertTrue(r.nextHeader());
        assertEquals("h", r.headerKey());
        assertArrayEquals(utf8("x"), r.headerValue());
        assertTrue(r.nextHeader());
        assertEquals("n", r.headerKey());
        assertNull(r.headerValue());
        assertFalse(r.nextHeader());
        assertTrue(r.next());
        assertEquals(102, r.offset());
        assertNull(r.valueBytes());
        assertFalse(r.next());
        assertFalse(r.malformed());
    }

    @Test
    void shouldComputeTheSameCrcAsTheJdkOverHeapAndDirectMemory()
    {
        final Random random = new Random(1);
        final byte[] bytes = new byte[10_000];
        random.nextBytes(bytes);
        final CRC32C jdk = new CRC32C();
        jdk.update(bytes, 17, 9_000);
        final int expected = (int)jdk.getValue();

        final Crc32cs crc = new Crc32cs();
        assertEquals(expected, crc.compute(new UnsafeBuffer(bytes), 17, 9_000));
        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes).flip();
        assertEquals(expected, crc.compute(new UnsafeBuffer(direct), 17, 9_000));
        assertEquals(expected, crc.compute(new UnsafeBuffer(direct, 10, 9_500), 7, 9_000));
        assertEquals(expected, crc.compute(new UnsafeBuffer(direct.slice(10, 9_500)), 7, 9_000));
        assertEquals(expected, crc.compute(new UnsafeBuffer(org.agrona.BufferUtil.address(direct), bytes.length), 17, 9_000));
        final UnsafeBuffer offsetHeap = new UnsafeBuffer(bytes, 10, 9_500);
        assertEquals(expected, crc.compute(offsetHeap, 7, 9_000));
    }

    @Test
    void shouldWriteTheCrcTheJdkComputesOverAttributesToEnd()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.append(5L, utf8("key"), utf8("value"));
        final int length = builder.build();
        final CRC32C jdk = new CRC32C();
        jdk.update(buffer.byteArray(), ATTRIBUTES_OFFSET, length - ATTRIBUTES_OFFSET);
        assertEquals((int)jdk.getValue(), buffer.getInt(CRC_OFFSET, ByteOrder.BIG_ENDIAN));
    }

    @Test
    void shouldRoundTripVarintsAtTheExtremes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        final Varints.VarintReader reader = new Varints.VarintReader();
        for (final int v : new int[] { 0, 1, -1, 63, -64, 64, 300, -300, Integer.MAX_VALUE, Integer.MIN_VALUE })
        {
            final int n = Varints.putVarint(buffer, 0, v);
            assertEquals(Varints.sizeOfVarint(v), n);
            reader.wrap(buffer, 0, n);
            assertEquals(v, reader.readVarint());
            assertFalse(reader.failed());
        }
        for (final long v : new long[] { 0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, -(1L << 40) })
        {
            final int n = Varints.putVarlong(buffer, 0, v);
            assertEquals(Varints.sizeOfVarlong(v), n);
            reader.wrap(buffer, 0, n);
            assertEquals(v, reader.readVarlong());
            assertFalse(reader.failed());
        }
        reader.wrap(buffer, 0, 0);
        reader.readVarint();
        assertTrue(reader.failed(), "reading past the limit fails instead of throwing");
    }

    @Test
    void shouldRejectEveryBitFlipInsideTheCrcAndEveryTruncation()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.append(5L, utf8("key"), utf8("value"));
        builder.append(6L, utf8("key2"), utf8("value2"));
        final int length = builder.build();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        for (int bit = PARTITION_LEADER_EPOCH_OFFSET * 8 + 32; bit < length * 8; bit++)
        {
            final int index = bit / 8;
            final byte original = buffer.getByte(index);
            buffer.putByte(index, (byte)(original ^ (1 << (bit % 8))));
            final int code = batch.wrap(buffer, 0).validate(length, Integer.MAX_VALUE, true);
            assertNotEquals(RecordBatchFlyweight.VALID, code, "bit " + bit + " flipped yet valid");
            buffer.putByte(index, original);
        }
        for (int cut = 0; cut < length; cut++)
        {
            assertEquals(RecordBatchFlyweight.TRUNCATED, batch.wrap(buffer, 0).validate(cut, Integer.MAX_VALUE, true),
                "cut at " + cut);
        }
        assertEquals(RecordBatchFlyweight.BAD_LENGTH, batch.wrap(buffer, 0).validate(length, length - 1, true));
    }

    @Test
    void shouldRejectARecordCountThatDisagreesWithTheRecords()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.append(5L, null, utf8("a"));
        builder.append(5L, null, utf8("b"));
        final int length = builder.build();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight().wrap(buffer, 0);
        buffer.putInt(RECORDS_COUNT_OFFSET, 3, ByteOrder.BIG_ENDIAN);
        batch.updateCrc();
        assertEquals(RecordBatchFlyweight.BAD_RECORDS, batch.validate(length, Integer.MAX_VALUE, true));
        buffer.putInt(RECORDS_COUNT_OFFSET, 2, ByteOrder.BIG_ENDIAN);
        buffer.putInt(LAST_OFFSET_DELTA_OFFSET, 5, ByteOrder.BIG_ENDIAN);
        batch.updateCrc();
        assertEquals(RecordBatchFlyweight.BAD_RECORDS, batch.validate(length, Integer.MAX_VALUE, true),
            "a producer batch must have dense offsets");
    }

    @Test
    void shouldRefuseARecordThatDoesNotFit()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        assertTrue(builder.append(1L, null, new byte[10]));
        assertFalse(builder.append(1L, null, new byte[40]));
        assertEquals(1, builder.count());
        final int length = builder.build();
        assertEquals(RecordBatchFlyweight.VALID, new RecordBatchFlyweight().wrap(buffer, 0).validate(length, 1000, true));
    }

    @Test
    void shouldStampLogAppendTimeAndKeepTheBatchValid()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.append(5L, null, utf8("a"));
        final int length = builder.build();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight().wrap(buffer, 0);
        batch.stampLogAppendTime(123_456L);
        assertTrue(batch.isLogAppendTime());
        assertEquals(RecordBatchFlyweight.VALID, batch.validate(length, 1000, true));
        final RecordFlyweight r = new RecordFlyweight();
        assertTrue(batch.firstRecord(r));
        assertEquals(123_456L, r.timestamp());
    }
}
