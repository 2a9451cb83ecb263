package io.tidemark.broker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tidemark.transport.Connection;
import io.tidemark.transport.InboundFrame;
import io.tidemark.transport.Send;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Coverage-guided fuzzing of the broker's Kafka request parsing: a frame body goes through
 * {@link RequestProcessor} exactly as the transport delivers it (header parse, version check, kafka-clients'
 * request parsing, and for every parsed request the error response and its encoding), for every API the broker
 * serves (RELIABILITY §6).
 *
 * <p>Contract: {@code process} never throws; every frame is completed exactly once (a response, no response,
 * or the connection closed); nothing stays in flight.
 */
class KafkaRequestFuzzTest
{
    /** The APIs and versions the broker advertises (BrokerApis). */
    private static final Map<ApiKeys, int[]> SERVED = Map.ofEntries(
        Map.entry(ApiKeys.PRODUCE, new int[] {3, 13}), Map.entry(ApiKeys.FETCH, new int[] {4, 18}),
        Map.entry(ApiKeys.LIST_OFFSETS, new int[] {1, 10}), Map.entry(ApiKeys.METADATA, new int[] {0, 13}),
        Map.entry(ApiKeys.OFFSET_COMMIT, new int[] {2, 9}), Map.entry(ApiKeys.OFFSET_FETCH, new int[] {1, 9}),
        Map.entry(ApiKeys.FIND_COORDINATOR, new int[] {0, 6}), Map.entry(ApiKeys.JOIN_GROUP, new int[] {0, 9}),
        Map.entry(ApiKeys.HEARTBEAT, new int[] {0, 4}), Map.entry(ApiKeys.LEAVE_GROUP, new int[] {0, 5}),
        Map.entry(ApiKeys.SYNC_GROUP, new int[] {0, 5}), Map.entry(ApiKeys.DESCRIBE_GROUPS, new int[] {0, 6}),
        Map.entry(ApiKeys.LIST_GROUPS, new int[] {0, 5}), Map.entry(ApiKeys.CREATE_TOPICS, new int[] {2, 7}),
        Map.entry(ApiKeys.DELETE_TOPICS, new int[] {1, 6}), Map.entry(ApiKeys.INIT_PRODUCER_ID, new int[] {0, 5}),
        Map.entry(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new int[] {2, 4}), Map.entry(ApiKeys.DESCRIBE_CONFIGS, new int[] {1, 4}),
        Map.entry(ApiKeys.CREATE_PARTITIONS, new int[] {0, 3}), Map.entry(ApiKeys.DELETE_GROUPS, new int[] {0, 2}),
        Map.entry(ApiKeys.ELECT_LEADERS, new int[] {0, 2}), Map.entry(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new int[] {0, 1}),
        Map.entry(ApiKeys.OFFSET_DELETE, new int[] {0, 0}), Map.entry(ApiKeys.DESCRIBE_CLUSTER, new int[] {0, 2}));

    private final RequestProcessor processor = processor();

    private static RequestProcessor processor()
    {
        final Map<ApiKeys, ApiVersionTable.Range> ranges = new EnumMap<>(ApiKeys.class);
        final Map<ApiKeys, ApiHandler> handlers = new EnumMap<>(ApiKeys.class);
        ranges.put(ApiKeys.API_VERSIONS, ApiVersionTable.range(ApiKeys.API_VERSIONS, 0, 4));
        // every parsed request is answered with its error response: kafka-clients' getErrorResponse and our encoder
        final ApiHandler refuse = (context, request) -> CompletableFuture.failedFuture(new InvalidRequestException("fuzz"));
        SERVED.forEach((api, versions) ->
        {
            ranges.put(api, ApiVersionTable.range(api, versions[0], versions[1]));
            handlers.put(api, refuse);
        });
        return new RequestProcessor(new ApiVersionTable(ranges), handlers);
    }

    @FuzzTest(maxDuration = "2m") // the slow profile fuzzes each target this long
    void shouldAnswerOrCloseOnAnyRequest(final byte[] body)
    {
        final FakeConnection connection = new FakeConnection();
        final FakeFrame frame = new FakeFrame(connection, body);
        processor.process(new ConnectionSession(connection, "PLAINTEXT", processor, Runnable::run), frame);
        assertEquals(1, frame.completions, "completed exactly once");
        assertEquals(0, processor.inFlight(), "nothing left in flight");
    }

    private static final class FakeConnection implements Connection
    {
        private boolean open = true;
        private Object attachment;

        @Override
        public long id()
        {
            return 1;
        }

        @Override
        public InetSocketAddress remoteAddress()
        {
            return new InetSocketAddress("127.0.0.1", 9);
        }

        @Override
        public boolean isOpen()
        {
            return open;
        }

        @Override
        public void close()
        {
            open = false;
        }

        @Override
        public void pauseReads()
        {
        }

        @Override
        public void resumeReads()
        {
        }

        @Override
        public void attach(final Object attachment)
        {
            this.attachment = attachment;
        }

        @Override
        public Object attachment()
        {
            return attachment;
        }
    }

    private static final class FakeFrame implements InboundFrame
    {
        private final Connection connection;
        private final byte[] body;
        private int completions;

        FakeFrame(final Connection connection, final byte[] body)
        {
            this.connection = connection;
            this.body = body;
        }

        @Override
        public Connection connection()
        {
            return connection;
        }

        @Override
        public ByteBuffer body()
        {
            return ByteBuffer.wrap(body);
        }

        @Override
        public int length()
        {
            return body.length;
        }

        @Override
        public long sequence()
        {
            return 0;
        }

        @Override
        public long receivedNs()
        {
            return 0;
        }

        @Override
        public boolean respond(final Send response)
        {
            complete();
            return true;
        }

        @Override
        public boolean noResponse()
        {
            complete();
            return true;
        }

        private void complete()
        {
            if (completions++ > 0)
            {
                throw new IllegalStateException("completed twice");
            }
        }

        @Override
        public void release()
        {
        }
    }
}
