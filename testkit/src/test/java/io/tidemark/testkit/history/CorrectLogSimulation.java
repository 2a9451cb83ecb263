package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded, single-threaded simulation of a correct replicated log and its clients, recording a
 * {@link History} the checker must accept: pipelined producers whose sends land (append at the log end) in
 * any order, or in send order when idempotent, are acknowledged only once committed (below the high
 * watermark), sometimes fail before landing or time out (and may land later, unless idempotent), and are
 * retried into duplicates (unless idempotent); assign-readers that read below the high watermark and
 * sometimes seek back; a consumer group whose members take turns (rebalance: assign, seek to the committed
 * offset) and commit what they polled; faults that start and heal.
 */
final class CorrectLogSimulation
{
    static final int PARTITIONS = 3;
    private static final int PRODUCERS = 3;
    private static final int READERS = 2;
    private static final int MAX_IN_FLIGHT = 5;
    private static final String GROUP = "g";

    private final Random random;
    private final boolean idempotent;
    final ManualClock clock = new ManualClock();
    final History history = new History(clock);
    private final List<List<Long>> logs = new ArrayList<>();
    private final long[] hw = new long[PARTITIONS];
    private final Values.Sequence[] sequences = new Values.Sequence[PRODUCERS];
    private final List<List<InFlight>> inFlight = new ArrayList<>();
    private final List<InFlight> zombies = new ArrayList<>();
    private final long[][] readerPosition = new long[READERS][PARTITIONS];
    private final long[][] memberPosition = new long[2][PARTITIONS];
    private final long[] committed = new long[PARTITIONS];
    private int activeMember = -1;
    private History.Fault fault;
    private int faults;

    private static final class InFlight
    {
        final History.Send send;
        final int partition;
        long landedAt = -1;

        InFlight(final History.Send send, final int partition)
        {
            this.send = send;
            this.partition = partition;
        }
    }

    CorrectLogSimulation(final long seed, final boolean idempotent)
    {
        this.random = new Random(seed);
        this.idempotent = idempotent;
        for (int p = 0; p < PARTITIONS; p++)
        {
            logs.add(new ArrayList<>());
        }
        for (int i = 0; i < PRODUCERS; i++)
        {
            sequences[i] = new Values.Sequence(i);
            inFlight.add(new ArrayList<>());
        }
    }

    CorrectLogSimulation run(final int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            clock.advanceNanos(random.nextInt(2_000_000));
            step(random.nextInt(100));
        }
        finish();
        return this;
    }

    private void step(final int action)
    {
        final int producer = random.nextInt(PRODUCERS);
        if (action < 25)
        {
            invoke(producer);
        }
        else if (action < 45)
        {
            land(producer);
        }
        else if (action < 50)
        {
            duplicate(producer);
        }
        else if (action < 62)
        {
            acknowledge(producer);
        }
        else if (action < 65)
        {
            failOrTimeOut(producer);
        }
        else if (action < 75)
        {
            final int p = random.nextInt(PARTITIONS);
            hw[p] += random.nextInt((int)(logs.get(p).size() - hw[p]) + 1);
        }
        else if (action < 88)
        {
            readerPoll(random.nextInt(READERS));
        }
        else if (action < 90)
        {
            final int reader = random.nextInt(READERS);
            final int p = random.nextInt(PARTITIONS);
            readerPosition[reader][p] = random.nextInt((int)readerPosition[reader][p] + 1);
            history.seek(100 + reader, p, readerPosition[reader][p]);
        }
        else if (action < 97)
        {
            groupPollAndCommit();
        }
        else
        {
            toggleFault();
        }
    }

    private void invoke(final int producer)
    {
        if (inFlight.get(producer).size() < MAX_IN_FLIGHT)
        {
            final int p = random.nextInt(PARTITIONS);
            inFlight.get(producer).add(new InFlight(history.invokeSend(producer, p, sequences[producer].next()), p));
        }
    }

    private void append(final InFlight f)
    {
        final List<Long> log = logs.get(f.partition);
        f.landedAt = log.size();
        log.add(f.send.value());
    }

    private void land(final int producer)
    {
        final List<InFlight> mine = inFlight.get(producer);
        InFlight pick = null;
        for (final InFlight f : mine)
        {
            if (f.landedAt < 0)
            {
                pick = f;
                if (idempotent || random.nextBoolean())
                {
                    break; // idempotent: the oldest unlanded one, so batches land in send order
                }
            }
        }
        if (pick != null)
        {
            append(pick);
        }
        if (!idempotent && !zombies.isEmpty() && random.nextInt(4) == 0)
        {
            append(zombies.remove(random.nextInt(zombies.size()))); // a timed-out send lands after all
        }
    }

    private void duplicate(final int producer)
    {
        if (idempotent)
        {
            return;
        }
        for (final InFlight f : inFlight.get(producer))
        {
            if (f.landedAt >= 0)
            {
                append(f); // the response was lost and the retry landed again
                return;
            }
        }
    }

    private void acknowledge(final int producer)
    {
        final Iterator<InFlight> it = inFlight.get(producer).iterator();
        while (it.hasNext())
        {
            final InFlight f = it.next();
            if (f.landedAt >= 0 && f.landedAt < hw[f.partition])
            {
                f.send.ok(f.landedAt);
                it.remove();
                return;
            }
        }
    }

    private void failOrTimeOut(final int producer)
    {
        final List<InFlight> mine = inFlight.get(producer);
        if (mine.isEmpty())
        {
            return;
        }
        final InFlight f = mine.remove(random.nextInt(mine.size()));
        if (f.landedAt < 0 && random.nextBoolean())
        {
            f.send.fail("rejected before append");
        }
        else
        {
            f.send.info("request timed out");
            if (f.landedAt < 0 && !idempotent)
            {
                zombies.add(f);
            }
        }
    }

    private PollRecords read(final long[] position, final int maxPerPartition)
    {
        final PollRecords.Builder records = PollRecords.builder();
        for (int p = 0; p < PARTITIONS; p++)
        {
            final long to = Math.min(hw[p], position[p] + random.nextInt(maxPerPartition + 1));
            for (long o = position[p]; o < to; o++)
            {
                records.add(p, o, logs.get(p).get((int)o));
            }
            records.highWatermark(p, hw[p]);
            position[p] = Math.max(position[p], to);
        }
        return records.build();
    }

    private void readerPoll(final int reader)
    {
        final History.Poll poll = history.invokePoll(100 + reader);
        clock.advanceNanos(random.nextInt(1_000_000));
        poll.ok(read(readerPosition[reader], 4));
    }

    private void groupPollAndCommit()
    {
        if (activeMember < 0 || random.nextInt(10) == 0)
        {
            activeMember = activeMember < 0 ? 0 : 1 - activeMember; // rebalance: the other member takes over
            final int process = 200 + activeMember;
            history.assign(process, GROUP, List.of(0, 1, 2));
            for (int p = 0; p < PARTITIONS; p++)
            {
                memberPosition[activeMember][p] = committed[p];
                history.seek(process, p, committed[p]);
            }
        }
        final int process = 200 + activeMember;
        final History.Poll poll = history.invokePoll(process, GROUP);
        poll.ok(read(memberPosition[activeMember], 3));
        final int p = random.nextInt(PARTITIONS);
        final long offset = memberPosition[activeMember][p];
        final History.Commit commit = history.invokeCommit(process, GROUP, p, offset);
        clock.advanceNanos(random.nextInt(500_000));
        commit.ok();
        committed[p] = offset;
    }

    private void toggleFault()
    {
        if (fault == null)
        {
            fault = history.faultStarted("SIM fault " + faults++);
        }
        else
        {
            fault.healed();
            fault = null;
        }
    }

    private void finish()
    {
        if (fault != null)
        {
            fault.healed();
        }
        if (!idempotent)
        {
            for (final InFlight z : zombies)
            {
                if (random.nextBoolean())
                {
                    append(z);
                }
            }
        }
        for (final List<InFlight> mine : inFlight)
        {
            for (final InFlight f : mine)
            {
                if (f.landedAt < 0)
                {
                    append(f);
                }
            }
        }
        for (int p = 0; p < PARTITIONS; p++)
        {
            hw[p] = logs.get(p).size(); // healed, ISR full: everything committed
        }
        for (final List<InFlight> mine : inFlight)
        {
            for (final InFlight f : mine)
            {
                f.send.ok(f.landedAt);
            }
            mine.clear();
        }
    }

    /** @return the final read of every partition, with the group's committed offsets. */
    FinalRead finalRead()
    {
        final FinalRead.Builder b = FinalRead.builder();
        for (int p = 0; p < PARTITIONS; p++)
        {
            final FinalRead.LogBuilder log = b.partition(p, 0, logs.get(p).size());
            for (int o = 0; o < logs.get(p).size(); o++)
            {
                log.add(o, logs.get(p).get(o));
            }
            if (activeMember >= 0)
            {
                b.committed(GROUP, p, committed[p]);
            }
        }
        return b.build();
    }

    /** @return the final logs as lists, for mutation. */
    Map<Integer, List<Long>> logs()
    {
        final Map<Integer, List<Long>> copy = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            copy.put(p, new ArrayList<>(logs.get(p)));
        }
        return copy;
    }
}
