package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.tidemark.broker.produce.TestBatches;
import io.tidemark.engine.TopicPartition;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile produce requests on the wire (issue 12, findings 3 and 4): decompression bombs of every codec
 * cost the broker at most a small multiple of {@code message.max.decompressed.bytes} and are answered with
 * Kafka's code; malformed batches of every kind are answered with a message that names the field in the
 * protocol's words and never carries JVM exception text. After each, the broker serves a good produce.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class HostileProduceTest
{
    private static final int LIMIT = 1 << 20;
    private static final TopicPartition TP = new TopicPartition("hostile", 0);
    private static final short PRODUCE_V9 = 9;
    private static final Pattern JVM_TEXT = Pattern.compile("Exception|Error:|\\b(java|javax|jdk|sun|com|org|net)\\.[a-z]+\\.");

    @TempDir
    Path dir;

    private Broker broker;

    @BeforeEach
    void start()
    {
        broker = Broker.start(TestBrokers.config(dir, Map.of("message.max.decompressed.bytes", String.valueOf(LIMIT))));
        broker.controller().createTopic(TP.topic(), 1, (short)1, null, Map.of("max.message.bytes", String.valueOf(4 << 20)), false).join();
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    private ProduceResponseData.PartitionProduceResponse produce(final MemoryRecords records) throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final ProduceResponseData r = (ProduceResponseData)c.call(ApiKeys.PRODUCE, PRODUCE_V9, RawKafkaClient.produce(TP.topic(), 0, records, (short)1));
            return r.responses().iterator().next().partitionResponses().get(0);
        }
    }

    private void assertServesAGoodProduce(final CompressionType type, final long logEndBefore) throws IOException
    {
        final ProduceResponseData.PartitionProduceResponse good = produce(TestBatches.compressed(type,
            new SimpleRecord("k".getBytes(), "v".getBytes()), new SimpleRecord(null, "w".getBytes())));
        assertEquals(Errors.NONE.code(), good.errorCode(), good.errorMessage());
        assertEquals(logEndBefore + 2, broker.logManager().log(TP).logEndOffset(), "the good batch, and nothing of the bad one, is in the log");
    }

    private static long allocatedByAllThreads()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds()))
        {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    private void assertBombAnswered(final MemoryRecords bomb, final Errors expected, final String what) throws IOException
    {
        final long before = allocatedByAllThreads();
        final ProduceResponseData.PartitionProduceResponse r = produce(bomb);
        final long allocated = allocatedByAllThreads() - before;
        assertEquals(expected.code(), r.errorCode(), what + ": " + r.errorMessage());
        assertTrue(allocated < 16L * LIMIT + 2L * bomb.sizeInBytes(), what + " cost the JVM " + allocated + " bytes; the limit is " + LIMIT);
    }

    @Test
    void shouldAnswerTheIssuesSnappyBombCorruptWithoutAllocatingItAndKeepServing() throws IOException
    {
        assertServesAGoodProduce(CompressionType.SNAPPY, 0);
        final MemoryRecords bomb = TestBatches.lyingRawSnappy(0x7FFFFF00);
        assertTrue(bomb.sizeInBytes() <= 152, "the bomb is " + bomb.sizeInBytes() + " bytes");
        assertBombAnswered(bomb, Errors.CORRUPT_MESSAGE, "a 150-byte snappy batch declaring 0x7FFFFF00 bytes");
        assertBombAnswered(TestBatches.lyingXerialSnappy(0x7FFFFF00), Errors.CORRUPT_MESSAGE, "an xerial chunk declaring 0x7FFFFF00 bytes");
        assertServesAGoodProduce(CompressionType.SNAPPY, 2);
    }

    @Test
    void shouldAnswerEightClientsSendingBombsAtOnceWithoutTheirCostAddingUp() throws Exception
    {
        final MemoryRecords bomb = TestBatches.lyingRawSnappy(0x7FFFFF00);
        final MemoryRecords inflating = TestBatches.compressed(CompressionType.GZIP, new SimpleRecord(1L, null, new byte[32 << 20]));
        final java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
        final long before = allocatedByAllThreads();
        try
        {
            final List<java.util.concurrent.Future<List<Short>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                answers.add(clients.submit(() ->
                {
                    final List<Short> codes = new ArrayList<>();
                    for (int round = 0; round < 5; round++)
                    {
                        codes.add(produce(bomb).errorCode());
                        codes.add(produce(inflating).errorCode());
                    }
                    return codes;
                }));
            }
            for (final java.util.concurrent.Future<List<Short>> a : answers)
            {
                final List<Short> codes = a.get(60, java.util.concurrent.TimeUnit.SECONDS);
                for (int i = 0; i < codes.size(); i++)
                {
                    assertEquals(i % 2 == 0 ? Errors.CORRUPT_MESSAGE.code() : Errors.MESSAGE_TOO_LARGE.code(), (short)codes.get(i));
                }
            }
        }
        finally
        {
            clients.shutdown();
            assertTrue(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        final long allocated = allocatedByAllThreads() - before;
        // 80 bombs: each may cost a few fixed buffers and at most the limit, never what it declares
        assertTrue(allocated < 80L * (2L * LIMIT + 2L * inflating.sizeInBytes()), "80 bombs cost the JVM " + allocated + " bytes");
        assertServesAGoodProduce(CompressionType.SNAPPY, 0);
    }

    @Test
    void shouldAnswerABombOfEveryCodecTooLargeWithoutInflatingItAndKeepServing() throws IOException
    {
        long logEnd = 0;
        final List<MemoryRecords> bombs = new ArrayList<>();
        for (final CompressionType type : List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD))
        {
            bombs.add(TestBatches.compressed(type, new SimpleRecord(1L, null, new byte[32 << 20])));
        }
        bombs.add(TestBatches.rawSnappy(new SimpleRecord(1L, null, new byte[32 << 20])));
        for (final CompressionType type : List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD))
        {
            assertServesAGoodProduce(type, logEnd);
            logEnd += 2;
        }
        for (final MemoryRecords bomb : bombs)
        {
            assertBombAnswered(bomb, Errors.MESSAGE_TOO_LARGE, "a " + bomb.sizeInBytes() + "-byte batch of 32 MiB of zeros");
        }
        for (final CompressionType type : List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD))
        {
            assertServesAGoodProduce(type, logEnd);
            logEnd += 2;
        }
    }

    /** One malformed batch, the code Kafka answers and a word the message must contain. */
    private record Case(String name, MemoryRecords records, Errors error, String field)
    {
    }

    private static byte[] compress(final CompressionType type, final byte[] plain)
    {
        final ByteBufferOutputStream out = new ByteBufferOutputStream(64);
        try (OutputStream os = Compression.of(type).build().wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2))
        {
            os.write(plain);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final ByteBuffer b = out.buffer().flip();
        return Arrays.copyOfRange(b.array(), b.arrayOffset(), b.arrayOffset() + b.limit());
    }

    /**
     * @param frame     a Kafka lz4 frame (no content size, one block, then the end mark).
     * @param flg       the flags byte to write instead.
     * @param checksum  a block checksum to append to the block, or null for none.
     * @return the frame with the header checksum recomputed.
     */
    private static byte[] lz4Frame(final byte[] frame, final int flg, final Integer checksum)
    {
        final ByteBuffer in = ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final int blockSize = in.getInt(7) & 0x7FFFFFFF;
        final ByteBuffer out = ByteBuffer.allocate(frame.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.put(frame, 0, 4).put((byte)flg).put(frame[5]);
        out.put((byte)((net.jpountz.xxhash.XXHashFactory.fastestInstance().hash32().hash(new byte[] {(byte)flg, frame[5]}, 0, 2, 0) >> 8) & 0xFF));
        out.put(frame, 7, 4 + blockSize);
        if (checksum != null)
        {
            out.putInt(checksum);
        }
        out.put(frame, 11 + blockSize, frame.length - 11 - blockSize);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static MemoryRecords plain(final SimpleRecord... records)
    {
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static MemoryRecords edited(final MemoryRecords records, final int offset, final byte[] bytes, final boolean crc)
    {
        records.buffer().put(offset, bytes);
        return crc ? TestBatches.crc(records) : records;
    }

    private static List<Case> malformed()
    {
        final SimpleRecord one = new SimpleRecord("key".getBytes(), "value".getBytes());
        final byte[] section = TestBatches.section(one);
        final List<Case> cases = new ArrayList<>();
        cases.add(new Case("codec 7", edited(plain(one), TestBatches.ATTRIBUTES, new byte[] {0, 7}, true),
            Errors.UNSUPPORTED_COMPRESSION_TYPE, "compression codec 7"));
        cases.add(new Case("gzip flag, not gzip", TestBatches.batch(1, 1, "not gzip at all".getBytes()), Errors.CORRUPT_MESSAGE, "gzip"));
        final byte[] gzip = compress(CompressionType.GZIP, section);
        cases.add(new Case("truncated gzip", TestBatches.batch(1, 1, Arrays.copyOf(gzip, gzip.length / 2)), Errors.CORRUPT_MESSAGE, "gzip"));
        cases.add(new Case("snappy flag, not snappy", TestBatches.batch(2, 1, "\u00ff\u00ff\u00ff\u00ff\u00ff not snappy".getBytes()),
            Errors.CORRUPT_MESSAGE, "snappy"));
        cases.add(new Case("xerial header cut short", TestBatches.batch(2, 1, new byte[] {(byte)0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0}),
            Errors.CORRUPT_MESSAGE, "xerial"));
        cases.add(new Case("lz4 flag, not lz4", TestBatches.batch(3, 1, "not an lz4 frame".getBytes()), Errors.CORRUPT_MESSAGE, "lz4"));
        final byte[] lz4 = compress(CompressionType.LZ4, section);
        final byte[] bigBlock = Arrays.copyOf(lz4, lz4.length);
        ByteBuffer.wrap(bigBlock).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(7, 0x7FFFFFF0);
        cases.add(new Case("lz4 block of 2 GiB", TestBatches.batch(3, 1, bigBlock), Errors.CORRUPT_MESSAGE, "lz4 block"));
        cases.add(new Case("lz4 linked blocks", TestBatches.batch(3, 1, lz4Frame(lz4, lz4[4] & ~0x20, null)), Errors.CORRUPT_MESSAGE, "independent blocks"));
        cases.add(new Case("lz4 block checksum wrong", TestBatches.batch(3, 1, lz4Frame(lz4, lz4[4] | 0x10, 12345)), Errors.CORRUPT_MESSAGE, "checksum"));
        cases.add(new Case("zstd flag, not zstd", TestBatches.batch(4, 1, "not a zstd frame".getBytes()), Errors.CORRUPT_MESSAGE, "zstd"));
        cases.add(new Case("record length 0 (gzip)", TestBatches.batch(1, 1, compress(CompressionType.GZIP, new byte[] {0})),
            Errors.INVALID_RECORD, "length"));
        cases.add(new Case("record length 2 GiB (gzip)", TestBatches.batch(1, 1, compress(CompressionType.GZIP, new byte[] {(byte)0xFE, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x0F})),
            Errors.MESSAGE_TOO_LARGE, "message.max.decompressed.bytes"));
        cases.add(new Case("negative header count (zstd)", TestBatches.batch(4, 1, compress(CompressionType.ZSTD, new byte[] {12, 0, 0, 0, 1, 1, 1})),
            Errors.INVALID_RECORD, "headers"));
        cases.add(new Case("negative header key length (lz4)", TestBatches.batch(3, 1, compress(CompressionType.LZ4, new byte[] {16, 0, 0, 0, 1, 1, 2, 1, 1})),
            Errors.INVALID_RECORD, "header key"));
        cases.add(new Case("key length -5 (snappy)", TestBatches.batch(2, 1, compress(CompressionType.SNAPPY, new byte[] {10, 0, 0, 0, 9, 1, 0})),
            Errors.INVALID_RECORD, "key length"));
        cases.add(new Case("fewer records than declared (lz4)", TestBatches.batch(3, 2, compress(CompressionType.LZ4, section)),
            Errors.INVALID_RECORD, "end inside"));
        cases.add(new Case("offset delta 5 (snappy)", TestBatches.batch(2, 1, compress(CompressionType.SNAPPY, new byte[] {12, 0, 0, 10, 1, 1, 0})),
            Errors.INVALID_RECORD, "offset delta"));
        final MemoryRecords badCrc = plain(one);
        badCrc.buffer().put(badCrc.sizeInBytes() - 2, (byte)0x55);
        cases.add(new Case("bad CRC", badCrc, Errors.CORRUPT_MESSAGE, "CRC32C"));
        cases.add(new Case("count and last offset delta disagree", edited(plain(one, one), 57, new byte[] {0, 0, 0, 3}, true),
            Errors.INVALID_RECORD, "last offset delta"));
        cases.add(new Case("count 0", edited(edited(plain(one), 57, new byte[] {0, 0, 0, 0}, false), 23, new byte[] {-1, -1, -1, -1}, true),
            Errors.INVALID_RECORD, "record count"));
        cases.add(new Case("records that do not fill the batch", TestBatches.batch(0, 1, Arrays.copyOf(section, section.length + 3)),
            Errors.INVALID_RECORD, "records"));
        cases.add(new Case("magic 1", edited(plain(one), 16, new byte[] {1}, false), Errors.INVALID_RECORD, "magic"));
        cases.add(new Case("batchLength past the data", edited(plain(one), 8, new byte[] {0, 0, 4, 0}, false), Errors.INVALID_RECORD, "batchLength"));
        cases.add(new Case("batchLength below the minimum", edited(plain(one), 8, new byte[] {0, 0, 0, 10}, false), Errors.CORRUPT_MESSAGE, "batchLength"));
        final ByteBuffer two = ByteBuffer.allocate(plain(one).sizeInBytes() * 2);
        two.put(plain(one).buffer()).put(plain(one).buffer()).flip();
        cases.add(new Case("two batches", MemoryRecords.readableRecords(two), Errors.INVALID_RECORD, "exactly one record batch"));
        cases.add(new Case("base offset 7", edited(plain(one), 0, new byte[] {0, 0, 0, 0, 0, 0, 0, 7}, false), Errors.INVALID_RECORD, "base offset"));
        cases.add(new Case("control batch", edited(plain(one), TestBatches.ATTRIBUTES, new byte[] {0, 0x20}, true), Errors.INVALID_RECORD, "control"));
        cases.add(new Case("producer id without a sequence", edited(plain(one), 43, new byte[] {0, 0, 0, 0, 0, 0, 0, 5}, true),
            Errors.INVALID_RECORD, "sequence"));
        cases.add(new Case("shorter than a header", MemoryRecords.readableRecords(ByteBuffer.allocate(30).putInt(8, 49)), Errors.INVALID_RECORD, "61-byte header"));
        return cases;
    }

    @Test
    void shouldNameTheFieldAndNeverLeakJvmTextForEveryKindOfMalformedBatch() throws IOException
    {
        final List<String> wrong = new ArrayList<>();
        for (final Case c : malformed())
        {
            final ProduceResponseData.PartitionProduceResponse r = produce(c.records());
            final String message = r.errorMessage();
            if (r.errorCode() != c.error().code() || message == null || JVM_TEXT.matcher(message).find() || !message.contains(c.field()))
            {
                wrong.add(c.name() + ": expected " + c.error() + " naming '" + c.field() + "', got " + Errors.forCode(r.errorCode()) + " \"" + message + "\"");
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        assertEquals(0, broker.logManager().log(TP).logEndOffset(), "nothing of the malformed batches is in the log");
        assertServesAGoodProduce(CompressionType.GZIP, 0);
    }

    @Test
    void shouldAnswerATimeLookupInsideAStoredBombAtBatchGranularityWithoutAllocatingIt() throws IOException
    {
        // a batch stored before this broker checked decompressed sizes (or taken from a leader as is): its second
        // record declares 256 MiB; the time lookup decompresses it to find the exact record
        final byte[] first = {12, 0, 1, 0, 1, 1, 0}; // timestamp delta -1: not yet at the target time
        final byte[] bomb = {(byte)0x80, (byte)0x80, (byte)0x80, (byte)0x80, 0x02, 0, 0, 2, 1}; // length 256 MiB, then a few bytes
        final byte[] section = new byte[first.length + bomb.length];
        System.arraycopy(first, 0, section, 0, first.length);
        System.arraycopy(bomb, 0, section, first.length, bomb.length);
        final ByteBuffer stored = TestBatches.batch(1, 2, compress(CompressionType.GZIP, section)).buffer();
        broker.logManager().log(TP).append(new org.agrona.concurrent.UnsafeBuffer(stored), 0, stored.remaining()).orThrow();
        assertServesAGoodProduce(CompressionType.NONE, 2); // moves the high watermark past the stored batch
        final long before = allocatedByAllThreads();
        final org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse p;
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final org.apache.kafka.common.message.ListOffsetsRequestData request = new org.apache.kafka.common.message.ListOffsetsRequestData()
                .setReplicaId(-1);
            request.topics().add(new org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic().setName(TP.topic())
                .setPartitions(List.of(new org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                    .setTimestamp(1_000L))));
            p = ((org.apache.kafka.common.message.ListOffsetsResponseData)c.call(ApiKeys.LIST_OFFSETS, (short)7, request)).topics().get(0)
                .partitions().get(0);
        }
        final long allocated = allocatedByAllThreads() - before;
        assertEquals(Errors.NONE.code(), p.errorCode());
        assertEquals(0, p.offset(), "the batch's base offset: the records past the limit are not read");
        assertTrue(allocated < 16L * LIMIT, "the time lookup cost the JVM " + allocated + " bytes; the limit is " + LIMIT);
    }

    @Test
    void shouldAcceptAnLz4FrameWithBlockChecksumsWhenTheyMatch() throws IOException
    {
        final byte[] lz4 = compress(CompressionType.LZ4, TestBatches.section(new SimpleRecord("k".getBytes(), "v".getBytes())));
        final int blockSize = ByteBuffer.wrap(lz4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(7) & 0x7FFFFFFF;
        final int checksum = net.jpountz.xxhash.XXHashFactory.fastestInstance().hash32().hash(lz4, 11, blockSize, 0);
        final ProduceResponseData.PartitionProduceResponse r = produce(TestBatches.batch(3, 1, lz4Frame(lz4, lz4[4] | 0x10, checksum)));
        assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
    }

    @Test
    void shouldRefuseAClientBatchForTheOffsetsTopicAsKafkaDoes() throws IOException
    {
        broker.controller().createTopic("__consumer_offsets", 1, (short)1, null, Map.of(), false).join();
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final ProduceResponseData r = (ProduceResponseData)c.call(ApiKeys.PRODUCE, PRODUCE_V9, RawKafkaClient.produce("__consumer_offsets", 0,
                TestBatches.compressed(CompressionType.GZIP, new SimpleRecord("k".getBytes(), "v".getBytes())), (short)1));
            final ProduceResponseData.PartitionProduceResponse p = r.responses().iterator().next().partitionResponses().get(0);
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), p.errorCode(), p.errorMessage());
        }
        assertEquals(0, broker.logManager().log(new TopicPartition("__consumer_offsets", 0)).logEndOffset(),
            "the group coordinator's loader never meets a client's (compressed) batch");
    }

    @Test
    void shouldAnswerTheUnknownCodecBeforeTheCountWhenBothAreWrong() throws IOException
    {
        final MemoryRecords records = edited(plain(new SimpleRecord("a".getBytes())), TestBatches.ATTRIBUTES, new byte[] {0, 7}, true);
        final ProduceResponseData.PartitionProduceResponse r = produce(records);
        assertEquals(Errors.UNSUPPORTED_COMPRESSION_TYPE.code(), r.errorCode(), r.errorMessage());
        assertNotNull(r.errorMessage());
        assertFalse(r.errorMessage().contains("disagree"), r.errorMessage());
    }
}
