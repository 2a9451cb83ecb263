package io.tidemark.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits on a condition with a deadline instead of sleeping for a guessed time.
 */
public final class Await
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(2);

    private Await()
    {
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes.
     *
     * @param what      what is awaited, for the failure message.
     * @param timeout   how long to wait at most.
     * @param condition the condition.
     * @throws AssertionError when the deadline passes first.
     */
    public static void await(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        await(() -> what, timeout, condition);
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes; the message is computed on failure.
     *
     * @param what      describes what is awaited and the current state, evaluated only on failure.
     * @param timeout   how long to wait at most.
     * @param condition the condition.
     */
    public static void await(final Supplier<String> what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what.get());
            }
            if (Thread.currentThread().isInterrupted())
            {
                throw new AssertionError("interrupted while waiting for: " + what.get());
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }
}
