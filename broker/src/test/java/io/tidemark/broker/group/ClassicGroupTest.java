package io.tidemark.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The classic group state machine on a manual clock: the initial rebalance delay gathers members into one
 * generation, a silent member is removed after its session timeout, and a member that does not rejoin is
 * dropped when the rebalance timeout passes.
 */
class ClassicGroupTest
{
    private long now = 1_000;
    private int writes;

    private ClassicGroup group(final int initialDelayMs)
    {
        final GroupConfig config = new GroupConfig(3, (short)1, 5000, 4096, initialDelayMs, 100, 300_000, Integer.MAX_VALUE);
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
                writes++;
                done.accept(Errors.NONE);
            }
        });
    }

    private static ClassicGroup.Join join(final String memberId, final int sessionMs, final int rebalanceMs)
    {
        return new ClassicGroup.Join(memberId, null, "c", "/127.0.0.1", sessionMs, rebalanceMs, "consumer",
            List.of(new Member.Protocol("range", new byte[] { 1 })), (short)3);
    }

    @Test
    void shouldGatherMembersDuringTheInitialDelay()
    {
        final ClassicGroup g = group(3000);
        final CompletableFuture<JoinGroupResponseData> a = g.join(join("", 10_000, 60_000));
        now += 1000;
        final CompletableFuture<JoinGroupResponseData> b = g.join(join("", 10_000, 60_000));
        g.tick(now);
        assertFalse(a.isDone(), "the delay has not run out");
        now += 2000;
        g.tick(now);
        assertTrue(a.isDone() && b.isDone());
        assertEquals(1, a.join().generationId());
        assertEquals(1, b.join().generationId());
        assertEquals(2, a.join().members().size(), "the leader sees both members");
        assertEquals(GroupState.COMPLETING_REBALANCE, g.state);
    }

    @Test
    void shouldRemoveASilentMemberAfterItsSessionTimeout()
    {
        final ClassicGroup g = group(0);
        final JoinGroupResponseData a = g.join(join("", 500, 60_000)).join();
        final CompletableFuture<SyncGroupResponseData> synced = g.sync(a.memberId(), null, a.generationId(), null, null,
            Map.of(a.memberId(), new byte[] { 7 }));
        assertEquals(Errors.NONE.code(), synced.join().errorCode());
        assertEquals(GroupState.STABLE, g.state);
        now += 400;
        assertEquals(Errors.NONE, g.heartbeat(a.memberId(), null, a.generationId()));
        now += 400;
        g.tick(now);
        assertEquals(GroupState.STABLE, g.state, "the heartbeat kept it");
        now += 600;
        g.tick(now);
        assertEquals(GroupState.EMPTY, g.state, "silent for its session timeout: removed, the group is empty");
        assertEquals(2, g.generationId);
        assertEquals(2, writes, "the assignment, then the empty group, were written");
    }

    @Test
    void shouldDropAMemberThatDoesNotRejoinWithinTheRebalanceTimeout()
    {
        final ClassicGroup g = group(0);
        final JoinGroupResponseData a = g.join(join("", 10_000, 2_000)).join();
        g.sync(a.memberId(), null, 1, null, null, Map.of());
        final CompletableFuture<JoinGroupResponseData> b = g.join(join("", 10_000, 2_000));
        assertEquals(GroupState.PREPARING_REBALANCE, g.state);
        assertEquals(Errors.REBALANCE_IN_PROGRESS, g.heartbeat(a.memberId(), null, 1));
        now += 1_999;
        g.tick(now);
        assertFalse(b.isDone());
        now += 1;
        g.tick(now);
        assertEquals(2, b.join().generationId());
        assertEquals(b.join().memberId(), b.join().leader(), "the member that did not rejoin is gone; the new one leads");
        assertEquals(Errors.UNKNOWN_MEMBER_ID, g.heartbeat(a.memberId(), null, 2));
    }
}
