package io.tidemark.replication;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import io.tidemark.engine.TopicPartition;
import org.junit.jupiter.api.Test;

class ReplicationCodecTest
{
    @Test
    void shouldRoundTripAFetchRequest()
    {
        final ReplicaFetchRequest request = new ReplicaFetchRequest(3, 42L, 500, 1, 1 << 20, List.of(
            new ReplicaFetchRequest.PartitionFetch(new TopicPartition("a", 0), 7, 100, 90),
            new ReplicaFetchRequest.PartitionFetch(new TopicPartition("b.c-d", 12), 1, 0, 0)));
        assertEquals(request, ReplicationCodec.decodeFetchRequest(ReplicationCodec.encodeFetchRequest(request)));
    }

    @Test
    void shouldRoundTripEpochQueriesAndAnswers()
    {
        final List<EpochEndOffsets.Query> queries = List.of(new EpochEndOffsets.Query(new TopicPartition("t", 1), 5, 4));
        assertEquals(queries, ReplicationCodec.decodeEpochQueries(ReplicationCodec.encodeEpochQueries(queries)));
        final List<EpochEndOffsets.Answer> answers = List.of(
            new EpochEndOffsets.Answer(new TopicPartition("t", 1), ReplicationError.NONE, 4, 1234),
            new EpochEndOffsets.Answer(new TopicPartition("u", 0), ReplicationError.FENCED_LEADER_EPOCH, -1, -1));
        assertEquals(answers, ReplicationCodec.decodeEpochAnswers(ReplicationCodec.encodeEpochAnswers(answers)));
    }

    @Test
    void shouldRejectMalformedInputWithAnIllegalArgumentException()
    {
        final Random random = new Random(7);
        final ByteBuffer good = ReplicationCodec.encodeFetchRequest(new ReplicaFetchRequest(1, 1, 1, 1, 1,
            List.of(new ReplicaFetchRequest.PartitionFetch(new TopicPartition("t", 0), 0, 0, 0))));
        for (int cut = 0; cut < good.remaining(); cut++)
        {
            final ByteBuffer truncated = good.duplicate().limit(cut);
            assertThrows(RuntimeException.class, () -> ReplicationCodec.decodeFetchRequest(truncated));
        }
        for (int i = 0; i < 1000; i++)
        {
            final byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            try
            {
                ReplicationCodec.decodeFetchResponse(ByteBuffer.wrap(garbage));
                ReplicationCodec.decodeEpochQueries(ByteBuffer.wrap(garbage));
            }
            catch (final IllegalArgumentException | java.nio.BufferUnderflowException ex)
            {
                // refused: fine
            }
        }
    }
}
