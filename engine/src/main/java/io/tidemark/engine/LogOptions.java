package io.tidemark.engine;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.Storage;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Opens one log on its own, without a {@link LogManager}: the directory holds the segments and, beside
 * them, its own {@code .lock}, {@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint} and clean-shutdown marker. The log gets its own writer thread,
 * and closing the log stops it.
 *
 * <pre>{@code
 * try (Log log = Log.options(Path.of("/data/events-0")).flushPolicy(FlushPolicy.BATCH).open())
 * {
 *     log.append("k".getBytes(), "v".getBytes());
 * }
 * }</pre>
 */
public final class LogOptions
{
    private final Path dir;
    private LogConfig.Builder config = LogConfig.builder();
    private Storage storage = FileStorage.INSTANCE;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private WriterMode writerMode = WriterMode.THREAD;
    private int maxPendingAppends = 4096;

    LogOptions(final Path dir)
    {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    }

    /**
     * @param v the log configuration (replaces any set before).
     * @return this.
     */
    public LogOptions config(final LogConfig v)
    {
        config = v.toBuilder();
        return this;
    }

    /**
     * @param v the flush policy.
     * @return this.
     */
    public LogOptions flushPolicy(final FlushPolicy v)
    {
        config.flushPolicy(v);
        return this;
    }

    /**
     * @param v the storage seam.
     * @return this.
     */
    public LogOptions storage(final Storage v)
    {
        storage = v;
        return this;
    }

    /**
     * @param v monotonic clock.
     * @return this.
     */
    public LogOptions nanoClock(final NanoClock v)
    {
        nanoClock = v;
        return this;
    }

    /**
     * @param v wall clock.
     * @return this.
     */
    public LogOptions epochClock(final EpochClock v)
    {
        epochClock = v;
        return this;
    }

    /**
     * @param v threads or caller-driven.
     * @return this.
     */
    public LogOptions writerMode(final WriterMode v)
    {
        writerMode = v;
        return this;
    }

    /**
     * @param v appends in flight at once.
     * @return this.
     */
    public LogOptions maxPendingAppends(final int v)
    {
        maxPendingAppends = (int)ConfigException.requireRange("log.writer.max.pending", v, 16, 1 << 20);
        return this;
    }

    /**
     * Opens the log, recovering it if it was not closed cleanly.
     *
     * @return the log.
     */
    public Log open()
    {
        final LogConfig cfg = config.build();
        final TopicPartition parsed = TopicPartition.parseDirName(dir.getFileName().toString());
        final TopicPartition tp = parsed != null ? parsed : new TopicPartition("log", 0);
        final LogWriter writer = new LogWriter(tp.dirName(), LogManagerConfig.ringBytesFor(cfg.maxBatchBytes()),
            maxPendingAppends, nanoClock, writerMode, GuardedExecutors.processHandler());
        Closeable lock = null;
        try
        {
            storage.createDirectoriesDurably(dir);
            lock = storage.lock(dir.resolve(LogManager.LOCK_FILE));
            final OffsetCheckpoint recovery = new OffsetCheckpoint(storage, dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
            final OffsetCheckpoint starts = new OffsetCheckpoint(storage, dir.resolve(LogManager.LOG_START_CHECKPOINT));
            Map<TopicPartition, Long> points;
            try
            {
                points = recovery.read();
            }
            catch (final CheckpointFile.CorruptCheckpointException ex)
            {
                points = Map.of();
            }
            final Path marker = dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE);
            final boolean clean = storage.exists(marker);
            final LogLoader.Params params = new LogLoader.Params(points.getOrDefault(tp, 0L), clean,
                starts.read().getOrDefault(tp, 0L), 0, false);
            final LogLoader.Loaded loaded = LogLoader.load(storage, dir, tp, cfg, params, nanoClock);
            if (clean)
            {
                storage.delete(marker);
                storage.fsyncDirectory(dir);
            }
            writer.start();
            return new Log(loaded, writer, nanoClock, epochClock, new StandaloneHooks(lock, writer, recovery, starts, marker));
        }
        catch (final IOException | RuntimeException ex)
        {
            writer.close();
            if (lock != null)
            {
                try
                {
                    lock.close();
                }
                catch (final IOException suppressed)
                {
                    ex.addSuppressed(suppressed);
                }
            }
            if (ex instanceof IOException io)
            {
                throw StorageException.of(io, dir, "open log", -1, -1);
            }
            throw (RuntimeException)ex;
        }
    }

    private final class StandaloneHooks implements LogHooks
    {
        private final Closeable lock;
        private final LogWriter writer;
        private final OffsetCheckpoint recovery;
        private final OffsetCheckpoint starts;
        private final Path marker;

        StandaloneHooks(
            final Closeable lock,
            final LogWriter writer,
            final OffsetCheckpoint recovery,
            final OffsetCheckpoint starts,
            final Path marker)
        {
            this.lock = lock;
            this.writer = writer;
            this.recovery = recovery;
            this.starts = starts;
            this.marker = marker;
        }

        @Override
        public void onRolled(final Log log)
        {
            try
            {
                recovery.write(Map.of(log.topicPartition(), log.durableOffset()));
                starts.write(Map.of(log.topicPartition(), log.logStartOffset()));
            }
            catch (final IOException ex)
            {
                // On a full disk the old checkpoints stay in place (they are replaced atomically): a lower
                // recovery point only means more to validate after a crash, so the log keeps going and the
                // appender hears about the full disk from its own append. Anything else fails the log.
                if (!StorageException.isOutOfSpace(ex))
                {
                    log.fail(StorageException.of(ex, recovery.path(), "checkpoint", log.durableOffset(), -1));
                }
            }
        }

        @Override
        public void beforeTruncation(final Log log) throws IOException
        {
            recovery.write(Map.of(log.topicPartition(), log.durableOffset()));
            starts.write(Map.of(log.topicPartition(), log.logStartOffset()));
        }

        @Override
        public void onClosed(final Log log)
        {
            try
            {
                if (log.failure() == null && !log.isDiscarded())
                {
                    recovery.write(Map.of(log.topicPartition(), log.durableOffset()));
                    starts.write(Map.of(log.topicPartition(), log.logStartOffset()));
                    CheckpointFile.writeAtomically(storage, marker, new byte[0]);
                }
            }
            catch (final IOException ex)
            {
                log.fail(StorageException.of(ex, dir, "close", -1, -1));
            }
            finally
            {
                writer.close();
                try
                {
                    lock.close();
                }
                catch (final IOException ignore)
                {
                    // the lock dies with the channel anyway
                }
            }
        }
    }
}
