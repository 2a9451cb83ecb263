package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import io.tidemark.testkit.Seeds;
import org.junit.jupiter.api.Test;

class ControllerCodecTest
{
    @Test
    void shouldRoundTripEveryOperation()
    {
        final long seed = Seeds.seed("ControllerCodecTest.ops");
        final RandomModels models = new RandomModels(seed);
        final Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 3000; i++)
        {
            final ControllerOp op = models.op(i);
            final byte[] bytes = ControllerCodec.encodeOp(op);
            final ControllerOp decoded = ControllerCodec.decodeOp(bytes);
            assertEquals(op, decoded, "seed " + seed);
            assertArrayEquals(bytes, ControllerCodec.encodeOp(decoded), "seed " + seed);
            seen.add(op.getClass().getSimpleName());
        }
        assertEquals(RandomModels.OP_KINDS, seen.size(), seen.toString());
    }

    @Test
    void shouldRoundTripEveryResult()
    {
        final long seed = Seeds.seed("ControllerCodecTest.results");
        final RandomModels models = new RandomModels(seed);
        for (int i = 0; i < 3000; i++)
        {
            final ControllerResult result = models.result();
            final byte[] bytes = ControllerCodec.encodeResult(result);
            assertEquals(result, ControllerCodec.decodeResult(bytes), "seed " + seed);
        }
    }

    @Test
    void shouldRejectTruncatedAndFailOnlyWithCodecException()
    {
        final long seed = Seeds.seed("ControllerCodecTest.malformed");
        final RandomModels models = new RandomModels(seed);
        final Random r = models.random();
        for (int kind = 0; kind < RandomModels.OP_KINDS; kind++)
        {
            final byte[] bytes = ControllerCodec.encodeOp(models.op(kind));
            for (int n = 0; n < bytes.length; n++)
            {
                final byte[] prefix = Arrays.copyOf(bytes, n);
                assertThrows(CodecException.class, () -> ControllerCodec.decodeOp(prefix), "kind " + kind + " cut at " + n);
            }
        }
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] bytes = i % 2 == 0 ? ControllerCodec.encodeOp(models.op(r.nextInt(RandomModels.OP_KINDS))) : ControllerCodec.encodeResult(models.result());
            bytes[r.nextInt(bytes.length)] ^= (byte)(1 << r.nextInt(8));
            try
            {
                if (i % 2 == 0)
                {
                    ControllerCodec.decodeOp(bytes);
                }
                else
                {
                    ControllerCodec.decodeResult(bytes);
                }
            }
            catch (final CodecException expected)
            {
                // rejected with the codec's own exception
            }
            catch (final RuntimeException other)
            {
                fail("seed " + seed + " case " + i + ": " + other, other);
            }
        }
    }

    @Test
    void shouldRejectInvalidValuesWithClearErrors()
    {
        // a DeleteTopic whose name is not a string of the declared length
        final WireWriter w = new WireWriter();
        w.u8(3).i64(1).i64(1).i64(0).i32(-5);
        assertTrue(assertThrows(CodecException.class, () -> ControllerCodec.decodeOp(w.toByteArray())).getMessage().contains("topic"));
        // a nested Validate
        final WireWriter v = new WireWriter();
        v.u8(12).i64(0).i64(0).i64(0).u8(12);
        assertTrue(assertThrows(CodecException.class, () -> ControllerCodec.decodeOp(v.toByteArray())).getMessage().contains("Validate"));
        // an unknown refusal reason
        final WireWriter reason = new WireWriter();
        reason.u8(2).string("NO_SUCH_REASON").string("x");
        assertTrue(assertThrows(CodecException.class, () -> ControllerCodec.decodeResult(reason.toByteArray())).getMessage()
            .contains("NO_SUCH_REASON"));
        // a topic partition with an illegal topic name (the record refuses it)
        final WireWriter tp = new WireWriter();
        tp.u8(1).u8(4).i32(1).string("bad name!").i32(0);
        assertTrue(assertThrows(CodecException.class, () -> ControllerCodec.decodeResult(tp.toByteArray())).getMessage()
            .contains("invalid value"));
    }

    @Test
    void shouldEncodeEqualOperationsToEqualBytes()
    {
        final ControllerOp a = new ControllerOp.AlterConfigs(ControllerOp.RequestId.NONE, "t",
            new java.util.LinkedHashMap<>(java.util.Map.of("b", "2", "a", "1")));
        final java.util.Map<String, String> reversed = new java.util.LinkedHashMap<>();
        reversed.put("a", "1");
        reversed.put("b", "2");
        final ControllerOp b = new ControllerOp.AlterConfigs(ControllerOp.RequestId.NONE, "t", reversed);
        assertArrayEquals(ControllerCodec.encodeOp(a), ControllerCodec.encodeOp(b));
    }
}
