package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tidemark.engine.LogManager;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.ForwardingStorage;
import io.tidemark.engine.storage.StorageFile;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2 of issue 12 (second half): an Error that kills a background task of an embedded broker stops
 * the broker (never half alive) unless a fatal-error handler is injected, which then gets the thread's name.
 */
@Tag(Tags.FAULT)
class BrokerFatalErrorTest
{
    @TempDir
    Path dir;

    /** File storage whose next opening of a recovery-point checkpoint throws an OutOfMemoryError once armed. */
    private static final class ErrorInjectingStorage extends ForwardingStorage
    {
        final AtomicBoolean armed = new AtomicBoolean();

        ErrorInjectingStorage()
        {
            super(FileStorage.INSTANCE);
        }

        @Override
        public StorageFile open(final Path path, final boolean create) throws IOException
        {
            if (path.getFileName().toString().startsWith(LogManager.RECOVERY_POINT_CHECKPOINT) && armed.getAndSet(false))
            {
                throw new OutOfMemoryError("injected into the checkpoint");
            }
            return FileStorage.INSTANCE.open(path, create);
        }
    }

    private Broker.Builder builder(final ErrorInjectingStorage storage)
    {
        return Broker.builder(TestBrokers.config(dir.resolve("logs"), Map.of("log.flush.offset.checkpoint.interval.ms", "5")))
            .storage(storage);
    }

    @Test
    void shouldStopAnEmbeddedBrokerWhenAnErrorHitsItsLogScheduler() throws Exception
    {
        final ErrorInjectingStorage storage = new ErrorInjectingStorage();
        try (Broker broker = builder(storage).start())
        {
            final CompletableFuture<Void> stopped = CompletableFuture.runAsync(() ->
            {
                try
                {
                    broker.awaitShutdown();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            storage.armed.set(true);
            stopped.get(60, TimeUnit.SECONDS); // the broker stopped itself rather than serve without checkpoints
        }
    }

    @Test
    void shouldGiveTheErrorAndTheThreadToAnInjectedHandler() throws Exception
    {
        final ErrorInjectingStorage storage = new ErrorInjectingStorage();
        final CompletableFuture<String> reported = new CompletableFuture<>();
        try (Broker broker = builder(storage).fatalErrorHandler((thread, error) -> reported.complete(thread + ": " + error.getMessage())).start())
        {
            storage.armed.set(true);
            final String report = reported.get(60, TimeUnit.SECONDS);
            assertTrue(report.equals(LogManager.SCHEDULER_THREAD + ": injected into the checkpoint"), report);
            assertTrue(broker.port() > 0);
        }
    }
}
