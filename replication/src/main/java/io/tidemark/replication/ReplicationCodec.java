package io.tidemark.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.engine.TopicPartition;
import io.tidemark.transport.Send;

/**
 * Wire format of the replication RPCs on the internal transport (API keys 1 and 2; the controller
 * uses 50 and up). All integers big-endian; a string is an int16 byte length then UTF-8 bytes.
 *
 * <pre>
 *  REPLICA_FETCH (1) request v0:
 *    replicaId int32 | brokerEpoch int64 | maxWaitMs int32 | minBytes int32 | maxBytes int32 | count int32
 *    count x ( topic string | partition int32 | currentLeaderEpoch int32 | fetchOffset int64 | durableOffset int64 )
 *  REPLICA_FETCH response v0:
 *    count int32
 *    count x ( topic string | partition int32 | error int16 | highWatermark int64 | logStartOffset int64 |
 *              logEndOffset int64 | leaderEpoch int32 | recordsLength int32 | records bytes )
 *              records are whole record batches, sent zero-copy from the leader's segment file
 *
 *  EPOCH_END_OFFSETS (2) request v0:
 *    count int32 | count x ( topic string | partition int32 | currentLeaderEpoch int32 | leaderEpoch int32 )
 *  EPOCH_END_OFFSETS response v0:
 *    count int32 | count x ( topic string | partition int32 | error int16 | leaderEpoch int32 | endOffset int64 )
 * </pre>
 */
public final class ReplicationCodec
{
    /** API key of the replica fetch. */
    public static final int REPLICA_FETCH = 1;
    /** API key of the OffsetForLeaderEpoch query. */
    public static final int EPOCH_END_OFFSETS = 2;
    /** The only version of each. */
    public static final int VERSION = 0;

    private static final int MAX_TOPIC_BYTES = 249 * 4;
    private static final ReplicationError[] ERRORS = ReplicationError.values();

    private ReplicationCodec()
    {
    }

    private static int stringSize(final String s)
    {
        return 2 + s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putString(final ByteBuffer b, final String s)
    {
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short)bytes.length).put(bytes);
    }

    private static String getString(final ByteBuffer b)
    {
        final int n = b.getShort();
        if (n < 1 || n > MAX_TOPIC_BYTES || n > b.remaining())
        {
            throw new IllegalArgumentException("bad topic length " + n);
        }
        final byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int count(final ByteBuffer b, final int minBytesEach)
    {
        final int n = b.getInt();
        if (n < 0 || (long)n * minBytesEach > b.remaining())
        {
            throw new IllegalArgumentException("bad count " + n);
        }
        return n;
    }

    private static ReplicationError error(final short code)
    {
        if (code < 0 || code >= ERRORS.length)
        {
            throw new IllegalArgumentException("unknown error code " + code);
        }
        return ERRORS[code];
    }

    /**
     * @param request a fetch.
     * @return its encoding.
     */
    public static ByteBuffer encodeFetchRequest(final ReplicaFetchRequest request)
    {
        int size = 4 + 8 + 4 + 4 + 4 + 4;
        for (final ReplicaFetchRequest.PartitionFetch p : request.partitions())
        {
            size += stringSize(p.topicPartition().topic()) + 4 + 4 + 8 + 8;
        }
        final ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(request.replicaId()).putLong(request.brokerEpoch()).putInt(request.maxWaitMs()).putInt(request.minBytes())
            .putInt(request.maxBytes()).putInt(request.partitions().size());
        for (final ReplicaFetchRequest.PartitionFetch p : request.partitions())
        {
            putString(b, p.topicPartition().topic());
            b.putInt(p.topicPartition().partition()).putInt(p.currentLeaderEpoch()).putLong(p.fetchOffset()).putLong(p.durableOffset());
        }
        return b.flip();
    }

    /**
     * @param b an encoded fetch.
     * @return the fetch.
     * @throws IllegalArgumentException if malformed.
     */
    public static ReplicaFetchRequest decodeFetchRequest(final ByteBuffer b)
    {
        final int replicaId = b.getInt();
        final long brokerEpoch = b.getLong();
        final int maxWaitMs = b.getInt();
        final int minBytes = b.getInt();
        final int maxBytes = b.getInt();
        final int n = count(b, 2 + 4 + 4 + 8 + 8);
        final List<ReplicaFetchRequest.PartitionFetch> partitions = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final String topic = getString(b);
            partitions.add(new ReplicaFetchRequest.PartitionFetch(new TopicPartition(topic, b.getInt()), b.getInt(), b.getLong(),
                b.getLong()));
        }
        if (maxWaitMs < 0 || maxBytes < 0)
        {
            throw new IllegalArgumentException("negative wait or size");
        }
        return new ReplicaFetchRequest(replicaId, brokerEpoch, maxWaitMs, minBytes, maxBytes, partitions);
    }

    /**
     * Encodes a leader's response: the record bytes stay in the segment files (file regions); the send's
     * completion releases them.
     *
     * @param response the response (leader side, with slices).
     * @return the send.
     */
    public static Send encodeFetchResponse(final ReplicaFetchResponse response)
    {
        final Send.Builder send = Send.builder();
        ByteBuffer header = ByteBuffer.allocate(4);
        header.putInt(response.partitions().size());
        for (final ReplicaFetchResponse.PartitionData p : response.partitions())
        {
            final ByteBuffer part = ByteBuffer.allocate(stringSize(p.topicPartition().topic()) + 4 + 2 + 8 + 8 + 8 + 4 + 4);
            putString(part, p.topicPartition().topic());
            part.putInt(p.topicPartition().partition()).putShort((short)p.error().ordinal()).putLong(p.highWatermark())
                .putLong(p.logStartOffset()).putLong(p.logEndOffset()).putInt(p.leaderEpoch()).putInt(p.recordBytes());
            header = concat(header, part);
            if (p.slice() != null && p.slice().length() > 0)
            {
                send.add(header.flip());
                send.addFileRegion(p.slice().channel(), p.slice().position(), p.slice().length());
                header = ByteBuffer.allocate(0);
            }
        }
        if (header.position() > 0)
        {
            send.add(header.flip());
        }
        send.onComplete((s, error) -> response.release());
        return send.build();
    }

    private static ByteBuffer concat(final ByteBuffer a, final ByteBuffer b)
    {
        final ByteBuffer joined = ByteBuffer.allocate(a.position() + b.position());
        joined.put(a.flip()).put(b.flip());
        return joined;
    }

    /**
     * Decodes a response on the follower: records are views of {@code b}, not copies.
     *
     * @param b the response body.
     * @return the response.
     */
    public static ReplicaFetchResponse decodeFetchResponse(final ByteBuffer b)
    {
        final int n = count(b, 2 + 4 + 2 + 8 + 8 + 8 + 4 + 4);
        final List<ReplicaFetchResponse.PartitionData> partitions = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final String topic = getString(b);
            final int partition = b.getInt();
            final ReplicationError error = error(b.getShort());
            final long hw = b.getLong();
            final long start = b.getLong();
            final long leo = b.getLong();
            final int epoch = b.getInt();
            final int length = b.getInt();
            if (length < 0 || length > b.remaining())
            {
                throw new IllegalArgumentException("records length " + length + " exceeds the " + b.remaining() + " bytes left");
            }
            final ByteBuffer records = b.slice(b.position(), length);
            b.position(b.position() + length);
            partitions.add(new ReplicaFetchResponse.PartitionData(new TopicPartition(topic, partition), error, hw, start, leo, epoch,
                null, records));
        }
        return new ReplicaFetchResponse(partitions);
    }

    /**
     * @param queries epoch queries.
     * @return their encoding.
     */
    public static ByteBuffer encodeEpochQueries(final List<EpochEndOffsets.Query> queries)
    {
        int size = 4;
        for (final EpochEndOffsets.Query q : queries)
        {
            size += stringSize(q.topicPartition().topic()) + 12;
        }
        final ByteBuffer b = ByteBuffer.allocate(size).putInt(queries.size());
        for (final EpochEndOffsets.Query q : queries)
        {
            putString(b, q.topicPartition().topic());
            b.putInt(q.topicPartition().partition()).putInt(q.currentLeaderEpoch()).putInt(q.leaderEpoch());
        }
        return b.flip();
    }

    /**
     * @param b encoded queries.
     * @return the queries.
     */
    public static List<EpochEndOffsets.Query> decodeEpochQueries(final ByteBuffer b)
    {
        final int n = count(b, 2 + 12);
        final List<EpochEndOffsets.Query> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final String topic = getString(b);
            result.add(new EpochEndOffsets.Query(new TopicPartition(topic, b.getInt()), b.getInt(), b.getInt()));
        }
        return result;
    }

    /**
     * @param answers epoch answers.
     * @return their encoding.
     */
    public static ByteBuffer encodeEpochAnswers(final List<EpochEndOffsets.Answer> answers)
    {
        int size = 4;
        for (final EpochEndOffsets.Answer a : answers)
        {
            size += stringSize(a.topicPartition().topic()) + 4 + 2 + 4 + 8;
        }
        final ByteBuffer b = ByteBuffer.allocate(size).putInt(answers.size());
        for (final EpochEndOffsets.Answer a : answers)
        {
            putString(b, a.topicPartition().topic());
            b.putInt(a.topicPartition().partition()).putShort((short)a.error().ordinal()).putInt(a.leaderEpoch()).putLong(a.endOffset());
        }
        return b.flip();
    }

    /**
     * @param b encoded answers.
     * @return the answers.
     */
    public static List<EpochEndOffsets.Answer> decodeEpochAnswers(final ByteBuffer b)
    {
        final int n = count(b, 2 + 4 + 2 + 4 + 8);
        final List<EpochEndOffsets.Answer> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final String topic = getString(b);
            result.add(new EpochEndOffsets.Answer(new TopicPartition(topic, b.getInt()), error(b.getShort()), b.getInt(), b.getLong()));
        }
        return result;
    }
}
