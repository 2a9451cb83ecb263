package io.tidemark.engine;

import static io.tidemark.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.ForwardingStorage;
import io.tidemark.engine.storage.StorageFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2 of issue 12 (second half): an Error in a background thread reaches the fatal-error handler, a
 * periodic task keeps its schedule.
 */
class GuardedExecutorsTest
{
    @TempDir
    Path dir;

    private final List<String> fatal = new CopyOnWriteArrayList<>();
    private final FatalErrorHandler recording = (thread, error) -> fatal.add(thread + ": " + error.getMessage());

    @Test
    void shouldReportAnErrorAndKeepAPeriodicTaskScheduledThroughErrorsAndRuntimeExceptions() throws Exception
    {
        final ScheduledThreadPoolExecutor executor = GuardedExecutors.singleThreadScheduled("tidemark-test-scheduler", recording);
        try
        {
            final AtomicInteger runs = new AtomicInteger();
            executor.scheduleWithFixedDelay(() ->
            {
                final int n = runs.incrementAndGet();
                if (n == 1)
                {
                    throw new OutOfMemoryError("injected");
                }
                if (n == 2)
                {
                    throw new IllegalStateException("injected");
                }
            }, 0, 1, TimeUnit.MILLISECONDS);
            await("the task runs after an Error and a runtime exception", Duration.ofSeconds(30), () -> runs.get() >= 3);
            assertEquals(List.of("tidemark-test-scheduler: injected"), fatal);
            final ScheduledFuture<?> once = executor.schedule(() ->
            {
                throw new StackOverflowError("once");
            }, 0, TimeUnit.MILLISECONDS);
            final ExecutionException ex = assertThrows(ExecutionException.class, () -> once.get(30, TimeUnit.SECONDS));
            assertInstanceOf(StackOverflowError.class, ex.getCause());
            assertEquals(List.of("tidemark-test-scheduler: injected", "tidemark-test-scheduler: once"), fatal);
        }
        finally
        {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** File storage whose opening of the recovery-point checkpoint throws an Error while armed. */
    private static final class ErrorInjectingStorage extends ForwardingStorage
    {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger checkpoints = new AtomicInteger();

        ErrorInjectingStorage()
        {
            super(FileStorage.INSTANCE);
        }

        @Override
        public StorageFile open(final Path path, final boolean create) throws IOException
        {
            if (path.getFileName().toString().startsWith(LogManager.RECOVERY_POINT_CHECKPOINT))
            {
                if (armed.getAndSet(false))
                {
                    throw new OutOfMemoryError("injected into the checkpoint");
                }
                checkpoints.incrementAndGet();
            }
            return FileStorage.INSTANCE.open(path, create);
        }
    }

    @Test
    void shouldReportAnErrorThatKillsALogWriter()
    {
        try (LogManager manager = LogManager.open(LogManagerConfig.builder(dir).fatalErrorHandler(recording).build()))
        {
            final Log log = manager.getOrCreate(new TopicPartition("t", 0));
            log.interceptor(new AppendInterceptor()
            {
                @Override
                public int check(final io.tidemark.engine.record.RecordBatchFlyweight batch, final long nextOffset, final AppendResult duplicateOut)
                {
                    throw new OutOfMemoryError("injected into the writer");
                }

                @Override
                public void onAppended(final io.tidemark.engine.record.RecordBatchFlyweight batch, final boolean asLeader)
                {
                }

                @Override
                public void onTruncated(final long logEndOffset, final long logStartOffset)
                {
                }
            });
            try
            {
                Batches.append(log, 1000, "v");
            }
            catch (final RuntimeException | Error expected)
            {
                // the append fails with the writer
            }
            await("the handler hears of the writer's Error", Duration.ofSeconds(30), () -> !fatal.isEmpty());
            assertEquals(List.of("tidemark-log-writer-0: injected into the writer"), fatal);
        }
    }

    @Test
    void shouldReportAnErrorInTheLogSchedulerAndKeepCheckpointing()
    {
        final ErrorInjectingStorage storage = new ErrorInjectingStorage();
        storage.armed.set(true);
        try (LogManager manager = LogManager.open(LogManagerConfig.builder(dir).storage(storage).checkpointIntervalMs(1)
            .fatalErrorHandler(recording).build()))
        {
            manager.getOrCreate(new TopicPartition("t", 0));
            await("the checkpoint task runs again after the Error", Duration.ofSeconds(30), () -> storage.checkpoints.get() >= 2);
            assertEquals(List.of(LogManager.SCHEDULER_THREAD + ": injected into the checkpoint"), fatal);
        }
    }
}
