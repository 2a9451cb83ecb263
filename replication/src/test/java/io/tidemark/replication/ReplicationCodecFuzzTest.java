package io.tidemark.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the replication RPC decoders ({@link ReplicationCodec}), which read what another
 * broker sends on the internal transport (RELIABILITY §6). The first input byte picks the decoder: fetch
 * request, fetch response, epoch queries, epoch answers.
 *
 * <p>Contract: a decoder either throws {@link IllegalArgumentException} (which the RPC service answers as a bad
 * request) or {@link BufferUnderflowException} (truncated), or returns a value that encodes and decodes back to
 * itself; a fetch response's records are views that lie within the input.
 */
class ReplicationCodecFuzzTest
{
    @FuzzTest(maxDuration = "2m") // the slow profile fuzzes each target this long
    void shouldDecodeOrRejectAnyReplicationMessage(final byte[] input)
    {
        if (input.length == 0)
        {
            return;
        }
        final ByteBuffer body = ByteBuffer.wrap(Arrays.copyOfRange(input, 1, input.length));
        try
        {
            switch (input[0] & 3)
            {
                case 0 ->
                {
                    final ReplicaFetchRequest request = ReplicationCodec.decodeFetchRequest(body);
                    assertEquals(request, ReplicationCodec.decodeFetchRequest(ReplicationCodec.encodeFetchRequest(request)));
                }
                case 1 ->
                {
                    final int length = body.remaining();
                    final ReplicaFetchResponse response = ReplicationCodec.decodeFetchResponse(body);
                    for (final ReplicaFetchResponse.PartitionData p : response.partitions())
                    {
                        assertTrue(p.records().remaining() <= length, "records lie within the input");
                    }
                }
                case 2 ->
                {
                    final List<EpochEndOffsets.Query> queries = ReplicationCodec.decodeEpochQueries(body);
                    assertEquals(queries, ReplicationCodec.decodeEpochQueries(ReplicationCodec.encodeEpochQueries(queries)));
                }
                default ->
                {
                    final List<EpochEndOffsets.Answer> answers = ReplicationCodec.decodeEpochAnswers(body);
                    assertEquals(answers, ReplicationCodec.decodeEpochAnswers(ReplicationCodec.encodeEpochAnswers(answers)));
                }
            }
        }
        catch (final IllegalArgumentException | BufferUnderflowException expected)
        {
            // the documented rejections
        }
    }
}
