package io.tidemark.broker.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

import io.tidemark.engine.FileSlice;
import io.tidemark.engine.Log;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.transport.FrameHandler;
import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.TransportServer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-copy Fetch responses: for every Fetch version, a response whose records are file regions of a real
 * segment goes through the transport byte-for-byte identical to kafka-clients' own serialization of the same
 * response with the records in memory, and parses back.
 */
@ExtendWith(NoLeakedThreads.class)
class ResponseEncoderTest
{
    @TempDir
    Path dir;

    private static FetchResponseData response(final short version, final org.apache.kafka.common.record.BaseRecords records)
    {
        final FetchResponseData data = new FetchResponseData().setErrorCode(Errors.NONE.code());
        if (version >= 7)
        {
            data.setSessionId(0);
        }
        final FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse();
        if (version >= 13)
        {
            topic.setTopicId(Uuid.fromString("L0NNE8ONRC6hJ9mJbBvHTw"));
        }
        else
        {
            topic.setTopic("zero-copy");
        }
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(12).setLastStableOffset(12)
            .setLogStartOffset(0).setRecords(records).setAbortedTransactions(null));
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(1).setHighWatermark(0).setRecords(MemoryRecords.EMPTY));
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(2).setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code())
            .setRecords(MemoryRecords.EMPTY));
        data.responses().add(topic);
        return data;
    }

    @Test
    void shouldSendFileRegionsIdenticalToKafkasSerializationForEveryFetchVersion() throws Exception
    {
        final byte[] regionBytes;
        try (Log log = Log.open(dir))
        {
            final ByteBuffer plain = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "plain".getBytes()),
                new SimpleRecord("v2".getBytes())).buffer();
            final ByteBuffer gzip = MemoryRecords.withRecords(Compression.gzip().build(), new SimpleRecord("compressed-1".getBytes()),
                new SimpleRecord("compressed-2".getBytes()), new SimpleRecord("compressed-3".getBytes())).buffer();
            for (final ByteBuffer b : List.of(plain, gzip, plain.duplicate()))
            {
                log.append(new UnsafeBuffer(b), 0, b.remaining()).orThrow();
            }
            try (FileSlice slice = log.slice(2, log.logEndOffset(), 1 << 20))
            {
                assertEquals(2, slice.firstOffset(), "a region from the middle of the file");
                regionBytes = new byte[slice.length()];
                slice.channel().read(ByteBuffer.wrap(regionBytes), slice.position());
                final Map<Short, io.tidemark.transport.Send> sends = new ConcurrentHashMap<>();
                final FrameHandler handler = (connection, frame) ->
                {
                    final short version = frame.body().getShort(0);
                    frame.respond(sends.remove(version));
                };
                try (TransportServer server = TransportServer.start(TransportConfig.defaults(), new InetSocketAddress("127.0.0.1", 0), handler);
                    Socket socket = new Socket())
                {
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
                    final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(false); v++)
                    {
                        sends.put(v, ResponseEncoder.encode(ApiKeys.FETCH, v, 1000 + v, response(v, new FileRegionRecords(slice)), List.of()));
                        out.writeInt(2);
                        out.writeShort(v);
                        out.flush();
                        final byte[] actual = new byte[in.readInt()];
                        in.readFully(actual);
                        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new ResponseHeaderData().setCorrelationId(1000 + v),
                            ApiKeys.FETCH.responseHeaderVersion(v)).buffer();
                        final ByteBuffer body = MessageUtil.toByteBufferAccessor(response(v, MemoryRecords.readableRecords(
                            ByteBuffer.wrap(regionBytes))), v).buffer();
                        final ByteBuffer expected = ByteBuffer.allocate(header.remaining() + body.remaining()).put(header).put(body);
                        assertArrayEquals(expected.array(), actual, "Fetch v" + v);
                        final ByteBuffer parsed = ByteBuffer.wrap(actual);
                        new ResponseHeaderData(new ByteBufferAccessor(parsed), ApiKeys.FETCH.responseHeaderVersion(v));
                        final FetchResponseData back = FetchResponse.parse(new ByteBufferAccessor(parsed), v).data();
                        assertEquals(0, parsed.remaining(), "no trailing bytes");
                        final MemoryRecords records = (MemoryRecords)back.responses().get(0).partitions().get(0).records();
                        int count = 0;
                        for (final RecordBatch batch : records.batches())
                        {
                            batch.ensureValid();
                            for (final org.apache.kafka.common.record.Record r : batch)
                            {
                                assertTrue(r.offset() >= 2);
                                count++;
                            }
                        }
                        assertEquals(5, count, "the gzip batch and the last plain one");
                    }
                }
            }
        }
    }
}
