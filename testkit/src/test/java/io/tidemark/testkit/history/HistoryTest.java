package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest
{
    @Test
    void shouldRecordConcurrentOperationsWithDenseIndexesAndMonotonicTime() throws Exception
    {
        final History history = new History();
        final int threads = 8;
        final int perThread = 5_000;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        final CountDownLatch start = new CountDownLatch(1);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int process = t;
                final Values.Sequence values = new Values.Sequence(t);
                done.add(pool.submit(() ->
                {
                    start.await();
                    for (int i = 0; i < perThread; i++)
                    {
                        final History.Send send = history.invokeSend(process, i % 3, values.next());
                        send.ok(i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> f : done)
            {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }

        final List<Op> ops = history.ops();
        assertEquals(threads * perThread * 2, ops.size());
        for (int i = 0; i < ops.size(); i++)
        {
            assertEquals(i, ops.get(i).index());
            if (i > 0)
            {
                assertTrue(ops.get(i).timeNanos() >= ops.get(i - 1).timeNanos());
            }
        }
    }

    @Test
    void shouldCompleteEachOperationOnlyOnce()
    {
        final History history = new History();
        final History.Send send = history.invokeSend(1, 0, 5);
        send.info("timeout");
        assertThrows(IllegalStateException.class, () -> send.ok(3));
        final History.Fault fault = history.faultStarted("KILL broker-1");
        fault.healed();
        assertThrows(IllegalStateException.class, fault::healed);
        assertEquals(4, history.size());
    }

    @Test
    void shouldRecordEveryFieldOfEveryFunction()
    {
        final ManualClock clock = new ManualClock();
        final History history = new History(clock);
        clock.advanceMs(5);
        history.invokeSend(1, 2, 3).ok(4);
        history.invokePoll(7, "g").ok(PollRecords.builder().add(2, 4, 3).highWatermark(2, 5).build());
        history.invokeCommit(7, "g", 2, 5).ok();
        history.assign(7, "g", List.of(2));
        history.seek(7, 2, 0);

        final List<Op> ops = history.ops();

        assertEquals("#0 0.005s p1 INVOKE SEND partition=2 value=3", ops.get(0).toString());
        assertEquals(new Op(1, 5_000_000, Op.Type.OK, Op.Fn.SEND, 1, 2, 3, 4, null, null, null, null), ops.get(1));
        assertEquals(5, ops.get(3).records().highWatermark(2));
        assertEquals(3, ops.get(3).records().value(0));
        assertEquals("g", ops.get(5).group());
        assertEquals(5, ops.get(5).offset());
        assertEquals(List.of(2), ops.get(6).partitions());
        assertEquals(Op.Fn.SEEK, ops.get(7).f());
        assertThrows(IllegalArgumentException.class, () -> history.invokeSend(1, 0, -5));
    }
}
