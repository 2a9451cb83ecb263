package io.tidemark.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Kafka's offsets retention (KIP-211) on a manual clock, the bound on groups named once by a client (issue 12,
 * finding 2: every JoinGroup or OffsetCommit of a new group id kept a group for ever): in an EMPTY group offsets
 * expire {@code offsets.retention.minutes} after their commit (a group that only commits) or after the group
 * became empty (a consumer group); an empty group without offsets becomes DEAD, for the coordinator to remove.
 */
class OffsetsRetentionTest
{
    private static final long RETENTION_MS = 60_000;
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private long now = 1_000;

    private ClassicGroup group()
    {
        final GroupConfig config = new GroupConfig(3, (short)1, 5000, 4096, 0, 100, 300_000, Integer.MAX_VALUE, RETENTION_MS, 1_000);
        return new ClassicGroup("g", 0, new ClassicGroup.Store()
        {
            @Override
            public long nowMs()
            {
                return now;
            }

            @Override
            public GroupConfig config()
            {
                return config;
            }

            @Override
            public void writeGroup(final ClassicGroup g, final Consumer<Errors> done)
            {
                done.accept(Errors.NONE);
            }
        });
    }

    private void commit(final ClassicGroup g, final long logOffset)
    {
        g.applyOffset(TP, new OffsetsRecords.OffsetValue(42, -1, "", now), logOffset);
    }

    @Test
    void shouldMarkAnEmptyGroupWithoutOffsetsDeadAtTheFirstCheck()
    {
        final ClassicGroup g = group();
        assertEquals(List.of(), g.expire(now, RETENTION_MS));
        assertEquals(GroupState.DEAD, g.state, "nothing keeps a group no member and no offset needs");
    }

    @Test
    void shouldExpireTheOffsetsOfAGroupThatOnlyCommitsRetentionAfterTheCommit()
    {
        final ClassicGroup g = group();
        commit(g, 0);
        now += RETENTION_MS - 1;
        assertEquals(List.of(), g.expire(now, RETENTION_MS), "not yet");
        assertEquals(GroupState.EMPTY, g.state);
        now += 1;
        assertEquals(List.of(TP), g.expire(now, RETENTION_MS));
        assertTrue(g.offsets.isEmpty());
        assertEquals(GroupState.DEAD, g.state);
    }

    @Test
    void shouldCountAConsumerGroupsRetentionFromWhenItBecameEmpty()
    {
        final ClassicGroup g = group();
        g.protocolType = "consumer";
        commit(g, 0);
        now += 10 * RETENTION_MS; // an old commit...
        g.loadMetadata(new OffsetsRecords.GroupValue("consumer", 1, "range", null, now, List.of()), now); // ...emptied now
        assertEquals(List.of(), g.expire(now + RETENTION_MS - 1, RETENTION_MS), "kept for the retention after emptying");
        assertEquals(List.of(TP), g.expire(now + RETENTION_MS, RETENTION_MS));
    }

    @Test
    void shouldNeverExpireTheOffsetsOfAGroupWithMembers()
    {
        final ClassicGroup g = group();
        g.join(new ClassicGroup.Join("", null, "c", "/127.0.0.1", 10_000, 10_000, "consumer",
            List.of(new Member.Protocol("range", new byte[] {1})), (short)3));
        commit(g, 0);
        now += 10 * RETENTION_MS;
        assertEquals(List.of(), g.expire(now, RETENTION_MS));
        assertTrue(g.state != GroupState.DEAD && g.state != GroupState.EMPTY, "state " + g.state);
    }
}
