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

import io.microraft.model.message.RaftMessage;
import io.tidemark.testkit.Seeds;
import org.junit.jupiter.api.Test;

class RaftMessageCodecTest
{
    @Test
    void shouldRoundTripEveryMessageType()
    {
        final long seed = Seeds.seed("RaftMessageCodecTest.roundTrip");
        final RandomModels models = new RandomModels(seed);
        final Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 2000; i++)
        {
            final RaftMessage m = models.message(1 + i % RandomModels.MESSAGE_TYPES);
            final byte[] bytes = RaftMessageCodec.encode(m);
            final RaftMessage decoded = RaftMessageCodec.decode(bytes);
            assertEquals(m.getClass(), decoded.getClass(), "seed " + seed);
            assertEquals(m.getGroupId(), decoded.getGroupId(), "seed " + seed);
            assertEquals(m.getSender(), decoded.getSender(), "seed " + seed);
            assertEquals(m.getTerm(), decoded.getTerm(), "seed " + seed);
            if (m instanceof io.microraft.model.message.AppendEntriesRequest a)
            {
                final var d = (io.microraft.model.message.AppendEntriesRequest)decoded;
                for (int k = 0; k < a.getLogEntries().size(); k++)
                {
                    final Object op = a.getLogEntries().get(k).getOperation();
                    if (op instanceof ControllerOp)
                    {
                        assertEquals(op, d.getLogEntries().get(k).getOperation(), "seed " + seed);
                    }
                }
            }
            assertArrayEquals(bytes, RaftMessageCodec.encode(decoded), "seed " + seed + ": " + m);
            seen.add(decoded.getClass().getSimpleName());
        }
        assertEquals(RandomModels.MESSAGE_TYPES, seen.size(), seen.toString());
    }

    @Test
    void shouldRejectEveryTruncation()
    {
        final long seed = Seeds.seed("RaftMessageCodecTest.truncation");
        final RandomModels models = new RandomModels(seed);
        for (int type = 1; type <= RandomModels.MESSAGE_TYPES; type++)
        {
            final byte[] bytes = RaftMessageCodec.encode(models.message(type));
            for (int n = 0; n < bytes.length; n++)
            {
                final byte[] prefix = Arrays.copyOf(bytes, n);
                final CodecException ex = assertThrows(CodecException.class, () -> RaftMessageCodec.decode(prefix),
                    "seed " + seed + " type " + type + " cut at " + n);
                assertTrue(ex.getMessage().startsWith("raft message"), ex.getMessage());
            }
            final byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertThrows(CodecException.class, () -> RaftMessageCodec.decode(longer), "trailing byte");
        }
    }

    @Test
    void shouldFailOnlyWithCodecExceptionOnCorruptOrRandomBytes()
    {
        final long seed = Seeds.seed("RaftMessageCodecTest.corrupt");
        final RandomModels models = new RandomModels(seed);
        final Random r = models.random();
        int rejected = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] bytes;
            if (i % 4 == 0)
            {
                bytes = new byte[r.nextInt(64)];
                r.nextBytes(bytes);
            }
            else
            {
                bytes = RaftMessageCodec.encode(models.message(1 + r.nextInt(RandomModels.MESSAGE_TYPES)));
                final int flips = 1 + r.nextInt(3);
                for (int f = 0; f < flips; f++)
                {
                    bytes[r.nextInt(bytes.length)] ^= (byte)(1 << r.nextInt(8));
                }
            }
            try
            {
                // accepted: it must be a well-formed message that can be encoded again
                RaftMessageCodec.encode(RaftMessageCodec.decode(bytes));
            }
            catch (final CodecException expected)
            {
                rejected++;
            }
            catch (final RuntimeException | OutOfMemoryError other)
            {
                fail("seed " + seed + " case " + i + ": " + other, other);
            }
        }
        assertTrue(rejected > 1_000, "structural corruptions are caught: " + rejected);
    }

    @Test
    void shouldRejectHugeCountsWithoutAllocating()
    {
        final WireWriter w = new WireWriter();
        w.u8(1).string("g").i32(1).i64(0).i32(1).i32(0).i64(0).i64(0).i32(Integer.MAX_VALUE);
        final CodecException ex = assertThrows(CodecException.class, () -> RaftMessageCodec.decode(w.toByteArray()));
        assertTrue(ex.getMessage().contains("logEntries"), ex.getMessage());
        final WireWriter s = new WireWriter();
        s.u8(6).i32(Integer.MAX_VALUE);
        assertTrue(assertThrows(CodecException.class, () -> RaftMessageCodec.decode(s.toByteArray())).getMessage().contains("groupId"));
    }

    @Test
    void shouldRejectUnknownTypeAndBadUtf8()
    {
        assertTrue(assertThrows(CodecException.class, () -> RaftMessageCodec.decode(new byte[] {11})).getMessage()
            .contains("unknown raft message type 11"));
        final WireWriter w = new WireWriter();
        w.u8(7).i32(2).raw(new byte[] {(byte)0xC3, (byte)0x28}, 0, 2);
        assertTrue(assertThrows(CodecException.class, () -> RaftMessageCodec.decode(w.toByteArray())).getMessage().contains("UTF-8"));
    }
}
