package io.tidemark.transport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * An {@link Error} on a selector thread must reach the thread's uncaught-exception handler (the broker's
 * halts the process) instead of leaving the process alive without that selector (issue 12, finding 2).
 */
class EventLoopFatalErrorTest
{
    @Test
    void shouldRethrowAnErrorOfATaskToTheUncaughtExceptionHandler() throws Exception
    {
        final TransportConfig config = TransportConfig.builder().build();
        final EventLoop loop = new EventLoop(0, "fatal-error-test-loop", config, new AtomicLongArray(Counter.VALUES.length),
            new MemoryBudget(config.maxQueuedRequestBytes()));
        final CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, ex) ->
        {
            if ("fatal-error-test-loop".equals(thread.getName()))
            {
                uncaught.complete(ex);
            }
        });
        try
        {
            loop.start();
            final OutOfMemoryError error = new OutOfMemoryError("injected");
            loop.submit(new LoopTask()
            {
                @Override
                void run(final EventLoop ignored)
                {
                    throw error;
                }

                @Override
                void fail(final TransportException ignored)
                {
                }
            });
            assertSame(error, uncaught.get(30, TimeUnit.SECONDS));
            final CompletableFuture<TransportException> refused = new CompletableFuture<>();
            loop.submit(new LoopTask()
            {
                @Override
                void run(final EventLoop ignored)
                {
                    refused.completeExceptionally(new AssertionError("a stopped loop ran a task"));
                }

                @Override
                void fail(final TransportException ex)
                {
                    refused.complete(ex);
                }
            });
            assertEquals(TransportException.class, refused.get(30, TimeUnit.SECONDS).getClass());
        }
        finally
        {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
