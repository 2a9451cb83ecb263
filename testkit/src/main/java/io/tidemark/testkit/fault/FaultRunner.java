package io.tidemark.testkit.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.history.History;

/**
 * Plays a {@link FaultSchedule} in real time on its own thread ({@code tidemark-nemesis}) against a
 * {@link FaultInjector}: each fault starts at its start time (or as soon as the previous one is healed, if
 * that was late) and is healed once it has been in effect for its duration, recording each fault's start and heal in the {@link History} (so the checker can
 * measure recovery and split latency by window). Every fault whose start was attempted is healed, also
 * when a start fails or the run is closed early: after {@link #close()} returns, nothing is left broken
 * and the final read can begin.
 *
 * <pre>
 *   try (FaultRunner nemesis = FaultRunner.start(schedule, new ClusterFaults(cluster, network), history))
 *   {
 *       runWorkload(schedule.durationMs());
 *       nemesis.awaitCompletion(Duration.ofMinutes(2));
 *   }   // heals whatever is still broken, then rethrows any failure to start or heal a fault
 * </pre>
 */
public final class FaultRunner implements AutoCloseable
{
    private static final long JOIN_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);

    private final FaultSchedule schedule;
    private final FaultInjector injector;
    private final History history;
    private final Thread thread;
    private final Object lock = new Object();
    private final List<Throwable> failures = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final long startNanos;
    private boolean stopping;
    private boolean finished;
    private boolean closed;

    private FaultRunner(final FaultSchedule schedule, final FaultInjector injector, final History history)
    {
        this.schedule = schedule;
        this.injector = injector;
        this.history = history;
        this.startNanos = System.nanoTime();
        this.thread = new Thread(this::run, "tidemark-nemesis");
        this.thread.setDaemon(true);
    }

    /**
     * Starts playing the schedule now (time 0 of the schedule).
     *
     * @param schedule the faults.
     * @param injector carries them out; must support every kind in the schedule.
     * @param history  where fault windows are recorded, or null.
     * @return the running runner.
     */
    public static FaultRunner start(final FaultSchedule schedule, final FaultInjector injector, final History history)
    {
        final List<FaultKind> unsupported = new ArrayList<>();
        for (final Fault f : schedule.faults())
        {
            if (!injector.supports(f.kind()) && !unsupported.contains(f.kind()))
            {
                unsupported.add(f.kind());
            }
        }
        if (!unsupported.isEmpty())
        {
            throw new IllegalArgumentException("the injector cannot carry out " + unsupported);
        }
        final FaultRunner runner = new FaultRunner(schedule, injector, history);
        runner.thread.start();
        return runner;
    }

    private void run()
    {
        try
        {
            for (final Fault f : schedule.faults())
            {
                if (!waitUntil(f.startMs()))
                {
                    break;
                }
                if (!play(f))
                {
                    break;
                }
            }
        }
        finally
        {
            synchronized (lock)
            {
                finished = true;
                lock.notifyAll();
            }
        }
    }

    /** @return false when the run must stop (a failure). */
    private boolean play(final Fault f)
    {
        final History.Fault window = history == null ? null : history.faultStarted(f.kind() + " " + f.target());
        boolean ok = true;
        try
        {
            injector.start(f);
            note("started " + f);
            // the fault lasts its full duration once in effect, even when starting it took time;
            // returns early when closing: heal at once
            final long startedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            waitUntil(Math.max(f.endMs(), startedMs + f.durationMs()));
        }
        catch (final Throwable t)
        {
            ok = false;
            fail("cannot start " + f, t);
        }
        try
        {
            injector.heal(f);
            note("healed " + f);
        }
        catch (final Throwable t)
        {
            ok = false;
            fail("cannot heal " + f, t);
        }
        if (window != null)
        {
            window.healed();
        }
        return ok;
    }

    private void note(final String what)
    {
        synchronized (lock)
        {
            log.add(String.format("%.3fs %s", (System.nanoTime() - startNanos) / 1e9, what));
        }
    }

    private void fail(final String what, final Throwable t)
    {
        note(what + ": " + t);
        synchronized (lock)
        {
            failures.add(new AssertionError(what + " at " + (System.nanoTime() - startNanos) / 1_000_000 + " ms", t));
        }
    }

    /** Waits until {@code ms} after the start. @return false when the runner is stopping. */
    private boolean waitUntil(final long ms)
    {
        final long deadlineNs = startNanos + TimeUnit.MILLISECONDS.toNanos(ms);
        synchronized (lock)
        {
            while (!stopping)
            {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0)
                {
                    return true;
                }
                try
                {
                    TimeUnit.NANOSECONDS.timedWait(lock, leftNs);
                }
                catch (final InterruptedException e)
                {
                    stopping = true;
                }
            }
            return false;
        }
    }

    /** @return what happened so far: one line per started or healed fault, with its time. */
    public List<String> log()
    {
        synchronized (lock)
        {
            return List.copyOf(log);
        }
    }

    /** @return true when every fault was played and healed (or the run stopped). */
    public boolean finished()
    {
        synchronized (lock)
        {
            return finished;
        }
    }

    /**
     * Waits for the whole schedule to be played.
     *
     * @param timeout how long at most.
     * @throws AssertionError when it takes longer, or a fault could not be started or healed.
     */
    public void awaitCompletion(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (lock)
        {
            while (!finished)
            {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0)
                {
                    throw new AssertionError("fault schedule not done within " + timeout.toMillis() + " ms; so far: " + log);
                }
                try
                {
                    TimeUnit.NANOSECONDS.timedWait(lock, leftNs);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for the fault schedule", e);
                }
            }
        }
        throwFailures();
    }

    private void throwFailures()
    {
        final List<Throwable> copy;
        synchronized (lock)
        {
            copy = new ArrayList<>(failures);
        }
        if (!copy.isEmpty())
        {
            final AssertionError error = new AssertionError("fault run failed (" + schedule.faults().size() + " faults, seed "
                + schedule.seed() + "): " + copy.get(0).getMessage(), copy.get(0).getCause());
            for (int i = 1; i < copy.size(); i++)
            {
                error.addSuppressed(copy.get(i));
            }
            throw error;
        }
    }

    /**
     * Stops the schedule: the active fault, if any, is healed at once and no further fault starts. Returns
     * when nothing is broken any more.
     *
     * @throws AssertionError when a fault could not be started or healed.
     */
    @Override
    public void close()
    {
        synchronized (lock)
        {
            stopping = true;
            lock.notifyAll();
        }
        try
        {
            thread.join(JOIN_TIMEOUT_MS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            throw new AssertionError("fault runner did not finish healing within " + JOIN_TIMEOUT_MS + " ms: " + log());
        }
        final boolean first;
        synchronized (lock)
        {
            first = !closed;
            closed = true;
        }
        if (first)
        {
            throwFailures();
        }
    }
}
