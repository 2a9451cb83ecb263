package io.tidemark.engine;

import static io.tidemark.engine.ConfigException.requireRange;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.Storage;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Configuration of a {@link LogManager}: where the logs live and how they are written.
 *
 * @param logDirs                   {@code log.dirs}: one or more log directories.
 * @param defaultLogConfig          configuration of logs created without one.
 * @param writerThreads             {@code log.writer.threads}: writer threads (logs are spread over them).
 * @param writerRingBytes           {@code log.writer.ring.bytes}: each writer's ring; a message may be an
 *                                  eighth of it, so it bounds the largest batch.
 * @param maxPendingAppends         {@code log.writer.max.pending}: appends in flight per writer.
 * @param checkpointIntervalMs      {@code log.flush.offset.checkpoint.interval.ms}: how often the recovery
 *                                  point, log start and high watermark checkpoints are written.
 * @param retentionCheckIntervalMs  {@code log.retention.check.interval.ms}: how often retention runs.
 * @param storage                   the storage seam (production: {@link FileStorage}).
 * @param nanoClock                 monotonic clock (flush intervals, segment age, timeouts).
 * @param epochClock                wall clock (log append time, time retention).
 * @param writerMode                threads, or driven by the caller (deterministic tests).
 * @param metaProperties            extra {@code meta.properties} entries (such as {@code node.id},
 *                                  {@code cluster.id}); an existing file must agree with them.
 * @param scrubEnable               {@code log.scrub.enable}: the manager's scheduler runs the {@link LogScrubber}
 *                                  (CRC32C and structure of every batch in sealed segments); when false the
 *                                  embedder may drive {@link LogManager#scrubber()} itself.
 * @param scrubBytesPerSecond       {@code log.scrub.bytes.per.second}: the scrubber reads at most this much.
 * @param scrubIntervalMs           {@code log.scrub.interval.ms}: a full pass over every sealed segment starts
 *                                  this often (the next one as soon as a longer pass ends).
 * @param scrubListener             told of every corrupt batch found (scrubber or read path).
 * @param fatalErrorHandler         gets an {@link Error} met by the scheduler or a writer thread (default
 *                                  {@link GuardedExecutors#processHandler()}; the broker injects its own).
 */
public record LogManagerConfig(
    List<Path> logDirs,
    LogConfig defaultLogConfig,
    int writerThreads,
    int writerRingBytes,
    int maxPendingAppends,
    long checkpointIntervalMs,
    long retentionCheckIntervalMs,
    Storage storage,
    NanoClock nanoClock,
    EpochClock epochClock,
    WriterMode writerMode,
    Map<String, String> metaProperties,
    boolean scrubEnable,
    long scrubBytesPerSecond,
    long scrubIntervalMs,
    ScrubListener scrubListener,
    FatalErrorHandler fatalErrorHandler)
{
    /** Default ring size per writer: 16 MiB, so 2 MiB batches fit. */
    public static final int DEFAULT_WRITER_RING_BYTES = 16 * 1024 * 1024;
    /** Smallest ring accepted. */
    public static final int MIN_WRITER_RING_BYTES = 64 * 1024;
    /** Default scrub rate: 16 MiB/s (a 1 TB broker is verified in about 18 hours). */
    public static final long DEFAULT_SCRUB_BYTES_PER_SECOND = 16L * 1024 * 1024;
    /** Default time between the starts of two scrub passes: one day. */
    public static final long DEFAULT_SCRUB_INTERVAL_MS = 24L * 3600 * 1000;

    /**
     * Validates every field.
     */
    public LogManagerConfig
    {
        if (logDirs == null || logDirs.isEmpty())
        {
            throw new ConfigException("log.dirs", logDirs, "at least one directory");
        }
        if (new HashSet<>(logDirs).size() != logDirs.size())
        {
            throw new ConfigException("log.dirs", logDirs, "no directory twice");
        }
        logDirs = List.copyOf(logDirs);
        Objects.requireNonNull(defaultLogConfig, "defaultLogConfig");
        requireRange("log.writer.threads", writerThreads, 1, 256);
        requireRange("log.writer.ring.bytes", writerRingBytes, MIN_WRITER_RING_BYTES, 1 << 30);
        if (Integer.bitCount(writerRingBytes) != 1)
        {
            throw new ConfigException("log.writer.ring.bytes", writerRingBytes, "a power of two");
        }
        if (defaultLogConfig.maxBatchBytes() > writerRingBytes / 8 - 128)
        {
            throw new ConfigException("log.writer.ring.bytes", writerRingBytes,
                "at least 8 x (max.message.bytes + 128) = " + 8L * (defaultLogConfig.maxBatchBytes() + 128) +
                " (rounded up to a power of two) for max.message.bytes " + defaultLogConfig.maxBatchBytes());
        }
        requireRange("log.writer.max.pending", maxPendingAppends, 16, 1 << 20);
        requireRange("log.flush.offset.checkpoint.interval.ms", checkpointIntervalMs, 1, Long.MAX_VALUE);
        requireRange("log.retention.check.interval.ms", retentionCheckIntervalMs, 1, Long.MAX_VALUE);
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(nanoClock, "nanoClock");
        Objects.requireNonNull(epochClock, "epochClock");
        Objects.requireNonNull(writerMode, "writerMode");
        Objects.requireNonNull(fatalErrorHandler, "fatalErrorHandler");
        metaProperties = Map.copyOf(metaProperties);
        requireRange("log.scrub.bytes.per.second", scrubBytesPerSecond, 1, Long.MAX_VALUE);
        requireRange("log.scrub.interval.ms", scrubIntervalMs, 1, Long.MAX_VALUE);
        Objects.requireNonNull(scrubListener, "scrubListener");
    }

    /**
     * @param logDirs the log directories.
     * @return a builder with the defaults.
     */
    public static Builder builder(final Path... logDirs)
    {
        return new Builder(List.of(logDirs));
    }

    /**
     * @param logDirs the log directories.
     * @return a builder with the defaults.
     */
    public static Builder builder(final List<Path> logDirs)
    {
        return new Builder(logDirs);
    }

    /**
     * Builds a {@link LogManagerConfig}.
     */
    public static final class Builder
    {
        private final List<Path> logDirs;
        private LogConfig defaultLogConfig = LogConfig.defaults();
        private int writerThreads = 1;
        private int writerRingBytes = -1;
        private int maxPendingAppends = 16 * 1024;
        private long checkpointIntervalMs = 60_000;
        private long retentionCheckIntervalMs = 300_000;
        private Storage storage = FileStorage.INSTANCE;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private EpochClock epochClock = SystemEpochClock.INSTANCE;
        private WriterMode writerMode = WriterMode.THREAD;
        private FatalErrorHandler fatalErrorHandler = GuardedExecutors.processHandler();
        private Map<String, String> metaProperties = Map.of();
        private boolean scrubEnable;
        private long scrubBytesPerSecond = DEFAULT_SCRUB_BYTES_PER_SECOND;
        private long scrubIntervalMs = DEFAULT_SCRUB_INTERVAL_MS;
        private ScrubListener scrubListener = ScrubListener.NONE;

        private Builder(final List<Path> logDirs)
        {
            this.logDirs = logDirs;
        }

        /**
         * @param v configuration of logs created without one.
         * @return this.
         */
        public Builder defaultLogConfig(final LogConfig v)
        {
            defaultLogConfig = v;
            return this;
        }

        /**
         * @param v {@code log.writer.threads}.
         * @return this.
         */
        public Builder writerThreads(final int v)
        {
            writerThreads = v;
            return this;
        }

        /**
         * @param v {@code log.writer.ring.bytes}; by default 16 MiB or what the default max batch needs.
         * @return this.
         */
        public Builder writerRingBytes(final int v)
        {
            writerRingBytes = v;
            return this;
        }

        /**
         * @param v {@code log.writer.max.pending}.
         * @return this.
         */
        public Builder maxPendingAppends(final int v)
        {
            maxPendingAppends = v;
            return this;
        }

        /**
         * @param v {@code log.flush.offset.checkpoint.interval.ms}.
         * @return this.
         */
        public Builder checkpointIntervalMs(final long v)
        {
            checkpointIntervalMs = v;
            return this;
        }

        /**
         * @param v {@code log.retention.check.interval.ms}.
         * @return this.
         */
        public Builder retentionCheckIntervalMs(final long v)
        {
            retentionCheckIntervalMs = v;
            return this;
        }

        /**
         * @param v the storage seam.
         * @return this.
         */
        public Builder storage(final Storage v)
        {
            storage = v;
            return this;
        }

        /**
         * @param v monotonic clock.
         * @return this.
         */
        public Builder nanoClock(final NanoClock v)
        {
            nanoClock = v;
            return this;
        }

        /**
         * @param v wall clock.
         * @return this.
         */
        public Builder epochClock(final EpochClock v)
        {
            epochClock = v;
            return this;
        }

        /**
         * @param v threads or caller-driven.
         * @return this.
         */
        public Builder writerMode(final WriterMode v)
        {
            writerMode = v;
            return this;
        }

        /**
         * @param v gets an {@link Error} met by the scheduler or a writer thread.
         * @return this.
         */
        public Builder fatalErrorHandler(final FatalErrorHandler v)
        {
            fatalErrorHandler = v;
            return this;
        }

        /**
         * @param v extra {@code meta.properties} entries.
         * @return this.
         */
        public Builder metaProperties(final Map<String, String> v)
        {
            metaProperties = v;
            return this;
        }

        /**
         * @param v {@code log.scrub.enable} (default false: an embedder asks for the background work).
         * @return this.
         */
        public Builder scrubEnable(final boolean v)
        {
            scrubEnable = v;
            return this;
        }

        /**
         * @param v {@code log.scrub.bytes.per.second}.
         * @return this.
         */
        public Builder scrubBytesPerSecond(final long v)
        {
            scrubBytesPerSecond = v;
            return this;
        }

        /**
         * @param v {@code log.scrub.interval.ms}.
         * @return this.
         */
        public Builder scrubIntervalMs(final long v)
        {
            scrubIntervalMs = v;
            return this;
        }

        /**
         * @param v told of every corrupt batch found.
         * @return this.
         */
        public Builder scrubListener(final ScrubListener v)
        {
            scrubListener = v;
            return this;
        }

        /**
         * @return the validated configuration.
         */
        public LogManagerConfig build()
        {
            final int ring = writerRingBytes > 0 ? writerRingBytes : ringBytesFor(defaultLogConfig.maxBatchBytes());
            return new LogManagerConfig(logDirs, defaultLogConfig, writerThreads, ring, maxPendingAppends,
                checkpointIntervalMs, retentionCheckIntervalMs, storage, nanoClock, epochClock, writerMode, metaProperties,
                scrubEnable, scrubBytesPerSecond, scrubIntervalMs, scrubListener,
                fatalErrorHandler);
        }
    }

    /**
     * @param maxBatchBytes the largest batch.
     * @return the default ring size that carries it: 16 MiB or more.
     */
    static int ringBytesFor(final int maxBatchBytes)
    {
        final long needed = 8L * (maxBatchBytes + 128);
        long ring = DEFAULT_WRITER_RING_BYTES;
        while (ring < needed)
        {
            ring <<= 1;
        }
        return (int)Math.min(ring, 1 << 30);
    }
}
