package io.tidemark.replication.sim;

import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

import io.tidemark.replication.Scheduler;

/**
 * A single-threaded, seeded event loop with a virtual clock: every replication component of every
 * simulated broker runs on it, so a run is a pure function of its seed. Tasks belong to an
 * {@link Owner} (a broker incarnation): a dead owner's tasks are dropped, a paused owner's tasks wait.
 */
final class SimScheduler
{
    /** Start of virtual time: far from 0, as MicroRaft-style timestamp logic expects. */
    static final long EPOCH_MS = 1_700_000_000_000L;

    /**
     * Who a task belongs to.
     */
    static final class Owner
    {
        final String name;
        boolean alive = true;
        boolean paused;
        final java.util.List<Runnable> deferred = new java.util.ArrayList<>();

        Owner(final String name)
        {
            this.name = name;
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    private record Event(long timeMs, long seq, Owner owner, Runnable task) implements Comparable<Event>
    {
        @Override
        public int compareTo(final Event o)
        {
            final int c = Long.compare(timeMs, o.timeMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now = EPOCH_MS;
    private long seq;
    private long executed;
    private Runnable afterEvent = () ->
    {
    };

    long nowMs()
    {
        return now;
    }

    long executed()
    {
        return executed;
    }

    /**
     * @param check run after every event (invariants).
     */
    void afterEvent(final Runnable check)
    {
        this.afterEvent = check;
    }

    void at(final long delayMs, final Owner owner, final Runnable task)
    {
        queue.add(new Event(now + Math.max(0, delayMs), seq++, owner, task));
    }

    /**
     * Resumes a paused owner: the work it missed runs now, in order.
     */
    void resume(final Owner owner)
    {
        owner.paused = false;
        for (final Runnable r : owner.deferred)
        {
            at(0, owner, r);
        }
        owner.deferred.clear();
    }

    /**
     * @param owner the owner of the tasks scheduled through the view.
     * @return a {@link Scheduler} for one component.
     */
    Scheduler view(final Owner owner)
    {
        return new Scheduler()
        {
            @Override
            public long nowMs()
            {
                return now;
            }

            @Override
            public Cancellable schedule(final long delayMs, final Runnable task)
            {
                final boolean[] cancelled = new boolean[1];
                at(delayMs, owner, () ->
                {
                    if (!cancelled[0])
                    {
                        task.run();
                    }
                });
                return () -> cancelled[0] = true;
            }

            @Override
            public void execute(final Runnable task)
            {
                at(0, owner, task);
            }
        };
    }

    /**
     * Runs one event.
     *
     * @return false if the queue is empty.
     */
    boolean step()
    {
        final Event e = queue.poll();
        if (e == null)
        {
            return false;
        }
        now = Math.max(now, e.timeMs());
        if (e.owner() != null && !e.owner().alive)
        {
            return true;
        }
        if (e.owner() != null && e.owner().paused)
        {
            // a stopped process runs nothing; its work waits until it resumes
            e.owner().deferred.add(e.task());
            return true;
        }
        e.task().run();
        executed++;
        afterEvent.run();
        return true;
    }

    /**
     * Runs events until {@code until} holds or {@code maxMs} of virtual time passes.
     *
     * @return true if the condition holds.
     */
    boolean runUntil(final BooleanSupplier until, final long maxMs)
    {
        final long deadline = now + maxMs;
        while (!until.getAsBoolean())
        {
            final Event next = queue.peek();
            if (next == null || next.timeMs() > deadline)
            {
                now = Math.max(now, Math.min(deadline, next == null ? deadline : next.timeMs()));
                return until.getAsBoolean();
            }
            step();
        }
        return true;
    }

    /**
     * Runs every event due within {@code ms}.
     */
    void runFor(final long ms)
    {
        final long deadline = now + ms;
        while (true)
        {
            final Event next = queue.peek();
            if (next == null || next.timeMs() > deadline)
            {
                now = deadline;
                return;
            }
            step();
        }
    }
}
