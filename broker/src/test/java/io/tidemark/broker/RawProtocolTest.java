package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import io.tidemark.engine.TopicPartition;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the wire (RELIABILITY §6): after each case the broker still answers a good request on a new
 * connection, and the log holds nothing of the bad request.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class RawProtocolTest
{
    private static final int MAX_MESSAGE_BYTES = 4096;
    private static final TopicPartition TP = new TopicPartition("raw", 0);

    @TempDir
    Path dir;

    private Broker broker;

    @BeforeEach
    void start()
    {
        broker = Broker.start(TestBrokers.config(dir, Map.of("socket.request.max.bytes", "1048576",
            "queued.max.request.bytes", "4194304")));
        broker.controller().createTopic("raw", 1, (short)1, null, Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)), false).join();
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    private long logEnd()
    {
        return broker.logManager().log(TP).logEndOffset();
    }

    private void assertHealthy(final long expectedLogEnd) throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final ApiVersionsResponseData r = (ApiVersionsResponseData)c.call(ApiKeys.API_VERSIONS, (short)3,
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertEquals(Errors.NONE.code(), r.errorCode());
            assertTrue(r.apiKeys().size() > 5);
        }
        assertEquals(expectedLogEnd, logEnd(), "the log holds nothing of the bad request");
    }

    private void assertClosedAfter(final byte[] bytes) throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            c.sendRaw(bytes);
            assertTrue(c.closedByPeer(10_000), "the broker closes the connection");
        }
    }

    private static byte[] frame(final byte[] body)
    {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    @Test
    void shouldCloseOnZeroNegativeAndOversizedFrameLengths() throws IOException
    {
        assertClosedAfter(ByteBuffer.allocate(4).putInt(0).array());
        assertHealthy(0);
        assertClosedAfter(ByteBuffer.allocate(4).putInt(-7).array());
        assertHealthy(0);
        assertClosedAfter(ByteBuffer.allocate(4).putInt(1024 * 1024 + 1).array());
        assertHealthy(0);
        assertClosedAfter(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
        assertHealthy(0);
    }

    @Test
    void shouldSurviveATruncatedFrame() throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            c.sendRaw(ByteBuffer.allocate(14).putInt(100).putShort((short)3).putShort((short)12).putInt(1).putShort((short)0).array());
        }
        assertHealthy(0);
    }

    @Test
    void shouldCloseOnAnUnknownApiKey() throws IOException
    {
        assertClosedAfter(frame(ByteBuffer.allocate(10).putShort((short)999).putShort((short)0).putInt(1).putShort((short)-1).array()));
        assertHealthy(0);
    }

    @Test
    void shouldCloseOnUnsupportedVersionsAndApisNotOffered() throws IOException
    {
        // Metadata v14 does not exist; JoinGroup v10 neither; Produce v2 is advertised (librdkafka) but refused
        assertClosedAfter(frame(ByteBuffer.allocate(12).putShort(ApiKeys.METADATA.id).putShort((short)14).putInt(1)
            .putShort((short)-1).putShort((short)0).array()));
        assertHealthy(0);
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            c.send(ApiKeys.METADATA, (short)12, new MetadataRequestData().setTopics(null));
            assertNotNull(c.receive(ApiKeys.METADATA, (short)12).body(), "a supported version is answered");
            c.sendRaw(frame(ByteBuffer.allocate(12).putShort(ApiKeys.JOIN_GROUP.id).putShort((short)10).putInt(1)
                .putShort((short)-1).putShort((short)0).array()));
            assertTrue(c.closedByPeer(10_000));
        }
        // Produce v2 by hand (the 4.x codec cannot write it): acks, timeout, [topic [partition records]]
        final ByteBuffer records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())).buffer();
        final ByteBuffer v2 = ByteBuffer.allocate(10 + 2 + 4 + 4 + 2 + 3 + 4 + 4 + 4 + records.remaining());
        v2.putShort(ApiKeys.PRODUCE.id).putShort((short)2).putInt(9).putShort((short)-1);
        v2.putShort((short)1).putInt(30_000).putInt(1).putShort((short)3).put("raw".getBytes()).putInt(1).putInt(0)
            .putInt(records.remaining()).put(records);
        assertClosedAfter(frame(Arrays.copyOf(v2.array(), v2.position())));
        assertHealthy(0);
    }

    @Test
    void shouldAnswerTooNewApiVersionsWithItsOwnRangeAsV0() throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final int corr = c.send(ApiKeys.API_VERSIONS, (short)4, new ApiVersionsRequestData()
                .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertEquals(corr, c.receive(ApiKeys.API_VERSIONS, (short)4).correlationId());
        }
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            // version 9 does not exist: the body is not parsed; the answer is a v0 body with a v0 header
            c.sendRaw(frame(ByteBuffer.allocate(13).putShort(ApiKeys.API_VERSIONS.id).putShort((short)9).putInt(77)
                .putShort((short)1).put((byte)'x').put((byte)0).put((byte)0).array()));
            final RawKafkaClient.Reply reply = c.receive(ApiKeys.API_VERSIONS, (short)0);
            assertEquals(77, reply.correlationId());
            final ApiVersionsResponseData r = (ApiVersionsResponseData)reply.body();
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), r.errorCode());
            assertEquals(1, r.apiKeys().size());
            assertEquals(ApiKeys.API_VERSIONS.id, r.apiKeys().iterator().next().apiKey());
            assertEquals(4, r.apiKeys().iterator().next().maxVersion());
            // the client retries on the same connection with a version we have
            final ApiVersionsResponseData again = (ApiVersionsResponseData)c.call(ApiKeys.API_VERSIONS, (short)3,
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertEquals(Errors.NONE.code(), again.errorCode());
        }
    }

    @Test
    void shouldAdvertiseProduceFromZeroForLibrdkafka() throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final ApiVersionsResponseData r = (ApiVersionsResponseData)c.call(ApiKeys.API_VERSIONS, (short)0, new ApiVersionsRequestData());
            final ApiVersionsResponseData.ApiVersion produce = r.apiKeys().find(ApiKeys.PRODUCE.id);
            assertEquals(0, produce.minVersion());
            assertEquals(13, produce.maxVersion());
            assertNotNull(r.apiKeys().find(ApiKeys.FETCH.id));
            assertEquals(9, r.apiKeys().find(ApiKeys.JOIN_GROUP.id).maxVersion(), "the group coordinator's APIs are offered");
            assertEquals(null, r.apiKeys().find(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id), "the KIP-848 protocol is not");
        }
    }

    @Test
    void shouldCloseOnABadStringLengthInTheHeader() throws IOException
    {
        // header v1: key, version, correlation id, client id of declared length 500 but 3 bytes present
        assertClosedAfter(frame(ByteBuffer.allocate(13).putShort(ApiKeys.METADATA.id).putShort((short)1).putInt(5)
            .putShort((short)500).put(new byte[] { 'a', 'b', 'c' }).array()));
        assertHealthy(0);
        assertClosedAfter(frame(ByteBuffer.allocate(3).put(new byte[] { 0, 3, 0 }).array()));
        assertHealthy(0);
    }

    @Test
    void shouldCloseOnGarbage() throws IOException
    {
        final Random random = new Random(Seeds.seed("RawProtocolTest.garbage"));
        for (int i = 0; i < 20; i++)
        {
            final byte[] body = new byte[1 + random.nextInt(200)];
            random.nextBytes(body);
            body[0] = (byte)0x7f; // an API key that does not exist
            assertClosedAfter(frame(body));
        }
        assertHealthy(0);
        final ApiKeys[] apis = { ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.METADATA, ApiKeys.LIST_OFFSETS, ApiKeys.OFFSET_FOR_LEADER_EPOCH,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DESCRIBE_CONFIGS };
        for (int i = 0; i < 60; i++)
        {
            // a valid header of an offered API and version, then random bytes: parsed as garbage, answered or closed
            final ApiKeys api = apis[random.nextInt(apis.length)];
            final int lowest = Math.max(api == ApiKeys.METADATA ? 0 : 3, api.oldestVersion());
            final short version = (short)(Math.min(lowest, api.latestVersion(false)) +
                random.nextInt(Math.max(1, api.latestVersion(false) - lowest + 1)));
            final byte[] rest = new byte[random.nextInt(300)];
            random.nextBytes(rest);
            final ByteBuffer body = ByteBuffer.allocate(10 + rest.length).putShort(api.id).putShort(version).putInt(i)
                .putShort((short)-1).put(rest);
            try (RawKafkaClient c = new RawKafkaClient(broker.port()))
            {
                c.sendRaw(frame(body.array()));
                c.closedByPeer(2_000); // either answered (then the read sees bytes) or closed; both are fine
            }
        }
        assertHealthy(0);
    }

    @Test
    void shouldCloseOnAMalformedBody() throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(10).putShort(ApiKeys.PRODUCE.id).putShort((short)8).putInt(3).putShort((short)-1);
        final byte[] body = Arrays.copyOf(header.array(), 14); // transactional id, acks and then nothing
        assertClosedAfter(frame(body));
        assertHealthy(0);
    }

    private short produceError(final MemoryRecords records) throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final ProduceResponseData r = (ProduceResponseData)c.call(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce("raw", 0, records, (short)1));
            return r.responses().iterator().next().partitionResponses().get(0).errorCode();
        }
    }

    @Test
    void shouldRefuseABatchWithABadCrcAndAppendNothing() throws IOException
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("key".getBytes(), "value".getBytes()));
        final ByteBuffer b = records.buffer();
        b.put(b.limit() - 2, (byte)(b.get(b.limit() - 2) ^ 0x40));
        assertEquals(Errors.CORRUPT_MESSAGE.code(), produceError(records));
        assertHealthy(0);
    }

    @Test
    void shouldRefuseABatchWhoseCountDisagreesWithItsRecords() throws IOException
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes()), new SimpleRecord("b".getBytes()));
        final ByteBuffer b = records.buffer();
        b.putInt(57, 3); // record count
        b.putInt(23, 2); // last offset delta, so that count = delta + 1 but only 2 records follow
        b.putInt(17, (int)Crc32C.compute(b, 21, b.limit() - 21));
        assertEquals(Errors.INVALID_RECORD.code(), produceError(records));
        assertHealthy(0);
    }

    @Test
    void shouldRefuseTwoBatchesInOnePartitionAndABadMagic() throws IOException
    {
        final ByteBuffer one = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes())).buffer();
        final ByteBuffer two = ByteBuffer.allocate(one.remaining() * 2);
        two.put(one.duplicate()).put(one.duplicate()).flip();
        assertEquals(Errors.INVALID_RECORD.code(), produceError(MemoryRecords.readableRecords(two)));
        final ByteBuffer magic = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes())).buffer();
        magic.put(16, (byte)1);
        assertEquals(Errors.INVALID_RECORD.code(), produceError(MemoryRecords.readableRecords(magic)));
        assertHealthy(0);
    }

    @Test
    void shouldAcceptABatchAtTheSizeLimitAndRefuseOneByteMore() throws IOException
    {
        final MemoryRecords atLimit = batchOfSize(MAX_MESSAGE_BYTES);
        final MemoryRecords over = batchOfSize(MAX_MESSAGE_BYTES + 1);
        assertEquals(Errors.MESSAGE_TOO_LARGE.code(), produceError(over));
        assertHealthy(0);
        assertEquals(Errors.NONE.code(), produceError(atLimit));
        assertHealthy(1);
    }

    static MemoryRecords batchOfSize(final int size)
    {
        for (int valueLength = size - 80; valueLength <= size; valueLength++)
        {
            final MemoryRecords r = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(0L, null, new byte[valueLength]));
            if (r.sizeInBytes() == size)
            {
                return r;
            }
        }
        throw new IllegalStateException("no batch of exactly " + size + " bytes");
    }

    @Test
    void shouldCloseTheConnectionWhenAnAcksZeroProduceFails() throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            c.send(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce("raw", 0,
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("ok".getBytes())), (short)0));
            final int corr = c.send(ApiKeys.METADATA, (short)9, new MetadataRequestData().setTopics(null));
            assertEquals(corr, c.receive(ApiKeys.METADATA, (short)9).correlationId(), "acks=0 produce is not answered");
            c.send(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce("raw", 0, batchOfSize(MAX_MESSAGE_BYTES + 1), (short)0));
            assertTrue(c.closedByPeer(10_000), "a failed acks=0 produce closes the connection");
        }
        assertHealthy(1);
    }

    @Test
    void shouldAnswerUnknownTopicsWithoutClosing() throws IOException
    {
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            final ProduceResponseData r = (ProduceResponseData)c.call(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce("nope", 0,
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes())), (short)1));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.responses().iterator().next().partitionResponses().get(0).errorCode());
            final ProduceResponseData p = (ProduceResponseData)c.call(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce("raw", 7,
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes())), (short)1));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), p.responses().iterator().next().partitionResponses().get(0).errorCode());
            assertFalse(c.closedByPeer(200));
        }
        assertHealthy(0);
    }
}
