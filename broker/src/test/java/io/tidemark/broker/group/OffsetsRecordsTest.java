package io.tidemark.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;

import io.tidemark.testkit.Seeds;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * The {@code __consumer_offsets} record format round-trips, and a group's partition is Kafka's.
 */
class OffsetsRecordsTest
{
    @Test
    void shouldRoundTripAnOffsetKeyAndValue()
    {
        final OffsetsRecords.Key key = OffsetsRecords.readKey(OffsetsRecords.offsetKey("grüppe", "orders", 7));
        assertEquals(new OffsetsRecords.Key(OffsetsRecords.OFFSET_KEY, "grüppe", "orders", 7), key);
        final OffsetsRecords.OffsetValue v = new OffsetsRecords.OffsetValue(42, 3, "meta", 1_700_000_000_000L);
        assertEquals(v, OffsetsRecords.readOffsetValue(OffsetsRecords.offsetValue(v)));
    }

    @Test
    void shouldRoundTripGroupMetadataWithNullsAndBytes()
    {
        final OffsetsRecords.GroupValue v = new OffsetsRecords.GroupValue("consumer", 5, "range", "m-1", 99L, List.of(
            new OffsetsRecords.MemberValue("m-1", null, "client", "/127.0.0.1", 300_000, 10_000, new byte[] { 1, 2 }, new byte[] { 3 }),
            new OffsetsRecords.MemberValue("m-2", "instance", "client", "/127.0.0.1", 1, 2, new byte[0], new byte[0])));
        final OffsetsRecords.GroupValue back = OffsetsRecords.readGroupValue(OffsetsRecords.groupValue(v));
        assertEquals("consumer", back.protocolType());
        assertEquals(5, back.generation());
        assertEquals("range", back.protocol());
        assertEquals("m-1", back.leader());
        assertEquals(2, back.members().size());
        assertNull(back.members().get(0).groupInstanceId());
        assertEquals("instance", back.members().get(1).groupInstanceId());
        assertArrayEquals(new byte[] { 1, 2 }, back.members().get(0).subscription());
        assertArrayEquals(new byte[] { 3 }, back.members().get(0).assignment());
        final OffsetsRecords.GroupValue empty = OffsetsRecords.readGroupValue(OffsetsRecords.groupValue(
            new OffsetsRecords.GroupValue(null, 0, null, null, 0L, List.of())));
        assertNull(empty.protocolType());
        assertNull(empty.protocol());
        assertEquals(List.of(), empty.members());
        assertEquals(new OffsetsRecords.Key(OffsetsRecords.GROUP_KEY, "g", null, -1), OffsetsRecords.readKey(OffsetsRecords.groupKey("g")));
    }

    @Test
    void shouldRefuseUnknownKeyTypes()
    {
        assertThrows(IllegalArgumentException.class, () -> OffsetsRecords.readKey(new byte[] { 0, 9, 0, 0 }));
    }

    @Test
    void shouldPlaceGroupsAsKafkaDoes()
    {
        assertEquals(0, GroupCoordinator.partitionFor("polygenelubricants", 50), "hashCode Integer.MIN_VALUE: Kafka's abs gives 0");
        final long seed = Seeds.seed("shouldPlaceGroupsAsKafkaDoes");
        final Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++)
        {
            final byte[] bytes = new byte[1 + random.nextInt(20)];
            random.nextBytes(bytes);
            final String group = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            final int n = 1 + random.nextInt(100);
            assertEquals(Utils.abs(group.hashCode()) % n, GroupCoordinator.partitionFor(group, n), "seed " + seed);
        }
    }
}
