package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.microraft.model.message.RaftMessage;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.MetadataImageCodec;

/**
 * Coverage-guided fuzzing of the controller codecs, which read what other voters send and what the Raft store
 * and snapshots hold (RELIABILITY §6). The first input byte picks the decoder: a controller operation, a
 * controller result, a Raft message, a metadata image.
 *
 * <p>Contract: the binary codecs either throw {@link CodecException} (the only exception they document) or
 * return a value whose encoding decodes to the same encoding; the metadata image codec throws
 * {@link IllegalArgumentException} naming the line, or round-trips likewise.
 */
class ControllerCodecFuzzTest
{
    @FuzzTest(maxDuration = "2m") // the slow profile fuzzes each target this long
    void shouldDecodeOrRejectAnyControllerMessage(final byte[] input)
    {
        if (input.length == 0)
        {
            return;
        }
        final byte[] body = Arrays.copyOfRange(input, 1, input.length);
        switch (input[0] & 3)
        {
            case 0 ->
            {
                final ControllerOp op;
                try
                {
                    op = ControllerCodec.decodeOp(body);
                }
                catch (final CodecException expected)
                {
                    return;
                }
                final byte[] once = ControllerCodec.encodeOp(op);
                assertArrayEquals(once, ControllerCodec.encodeOp(ControllerCodec.decodeOp(once)));
            }
            case 1 ->
            {
                final ControllerResult result;
                try
                {
                    result = ControllerCodec.decodeResult(body);
                }
                catch (final CodecException expected)
                {
                    return;
                }
                final byte[] once = ControllerCodec.encodeResult(result);
                assertArrayEquals(once, ControllerCodec.encodeResult(ControllerCodec.decodeResult(once)));
            }
            case 2 ->
            {
                final RaftMessage message;
                try
                {
                    message = RaftMessageCodec.decode(body);
                }
                catch (final CodecException expected)
                {
                    return;
                }
                final byte[] once = RaftMessageCodec.encode(message);
                assertArrayEquals(once, RaftMessageCodec.encode(RaftMessageCodec.decode(once)));
            }
            default ->
            {
                final MetadataImage image;
                try
                {
                    image = MetadataImageCodec.decode(body);
                }
                catch (final IllegalArgumentException expected)
                {
                    return;
                }
                final byte[] once = MetadataImageCodec.encode(image);
                assertArrayEquals(once, MetadataImageCodec.encode(MetadataImageCodec.decode(once)));
            }
        }
    }
}
