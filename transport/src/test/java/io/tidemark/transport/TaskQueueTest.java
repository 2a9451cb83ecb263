package io.tidemark.transport;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskQueueTest
{
    @Test
    void shouldDrainInPushOrderAndReportEmptyTransitions()
    {
        final TaskQueue queue = new TaskQueue();

        assertTrue(queue.push(new Numbered(0, 0)));
        assertFalse(queue.push(new Numbered(0, 1)));
        assertFalse(queue.push(new Numbered(0, 2)));

        final List<Integer> order = new ArrayList<>();
        for (LoopTask t = queue.drain(); t != null; t = t.nextTask)
        {
            order.add(((Numbered)t).seq);
        }
        assertEquals(List.of(0, 1, 2), order);
        assertTrue(queue.isEmpty());
        assertNull(queue.drain());
    }

    @Test
    void shouldDeliverEveryTaskOnceWithConcurrentProducersInPerProducerOrder() throws Exception
    {
        final TaskQueue queue = new TaskQueue();
        final int producers = 4;
        final int perProducer = 20_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            final int producer = p;
            final Thread t = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                for (int i = 0; i < perProducer; i++)
                {
                    queue.push(new Numbered(producer, i));
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();

        final int[] next = new int[producers];
        final Set<Long> seen = new HashSet<>();
        int received = 0;
        while (received < producers * perProducer)
        {
            for (LoopTask t = queue.drain(); t != null; t = t.nextTask)
            {
                final Numbered n = (Numbered)t;
                assertEquals(next[n.producer], n.seq, "order of producer " + n.producer);
                next[n.producer]++;
                assertTrue(seen.add(((long)n.producer << 32) | n.seq));
                received++;
            }
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        assertTrue(queue.isEmpty());
    }

    private static final class Numbered extends LoopTask
    {
        final int producer;
        final int seq;

        Numbered(final int producer, final int seq)
        {
            this.producer = producer;
            this.seq = seq;
        }

        @Override
        void run(final EventLoop loop)
        {
        }

        @Override
        void fail(final TransportException error)
        {
        }
    }
}
