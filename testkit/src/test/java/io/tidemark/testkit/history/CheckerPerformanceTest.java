package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke test: half a million events are checked in a few seconds. */
class CheckerPerformanceTest
{
    @Test
    void shouldCheckHalfAMillionEventsInAFewSeconds()
    {
        final int partitions = 4;
        final int sendsCount = 200_000;
        final ManualClock clock = new ManualClock();
        final History history = new History(clock);
        final long[] next = new long[partitions];
        final List<List<Long>> logs = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            logs.add(new ArrayList<>());
        }
        final long[] read = new long[partitions];
        for (int i = 0; i < sendsCount; i++)
        {
            final int p = i % partitions;
            final History.Send send = history.invokeSend(i % 16, p, i);
            clock.advanceNanos(20_000);
            send.ok(next[p]++);
            logs.get(p).add((long)i);
            if (i % 4 == 3)
            {
                final History.Poll poll = history.invokePoll(100, "g");
                final PollRecords.Builder records = PollRecords.builder();
                for (int q = 0; q < partitions; q++)
                {
                    for (; read[q] < next[q]; read[q]++)
                    {
                        records.add(q, read[q], logs.get(q).get((int)read[q]));
                    }
                }
                clock.advanceNanos(10_000);
                poll.ok(records.build());
            }
        }
        final FinalRead.Builder b = FinalRead.builder();
        for (int p = 0; p < partitions; p++)
        {
            final FinalRead.LogBuilder log = b.partition(p, 0, next[p]);
            for (int o = 0; o < next[p]; o++)
            {
                log.add(o, logs.get(p).get(o));
            }
        }
        final FinalRead finalRead = b.build();
        final List<Op> ops = history.ops();
        assertEquals(500_000, ops.size());

        final long startNs = System.nanoTime();
        final Report report = new Checker(Contract.acksAll()).check(ops, finalRead);
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        System.out.println("checked " + ops.size() + " events in " + tookMs + " ms");
        assertTrue(report.valid(), report::toString);
        assertEquals(sendsCount, report.acknowledged());
        assertEquals(sendsCount, report.polledRecords());
        assertTrue(tookMs < 10_000, "took " + tookMs + " ms");
    }
}
