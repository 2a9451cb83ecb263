package io.tidemark.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.storage.Storage;

/**
 * The logs of many partitions across one or more log directories, in Kafka's layout:
 *
 * <pre>
 *  log.dir/
 *    .lock                               exclusive lock while open
 *    meta.properties                     version, directory.id (+ node.id, cluster.id from the owner)
 *    recovery-point-offset-checkpoint    per partition: offsets below were synced
 *    log-start-offset-checkpoint         per partition: first offset kept
 *    replication-offset-checkpoint       per partition: high watermark
 *    .tidemark_cleanshutdown             present only after a clean close
 *    topic-0/
 *      00000000000000000000.log  .index  .timeindex
 *      leader-epoch-checkpoint
 * </pre>
 *
 * Checkpoints are written every {@code log.flush.offset.checkpoint.interval.ms} and on close;
 * retention runs every {@code log.retention.check.interval.ms}. A failed fsync takes the whole log
 * directory offline: its logs fail and take no more writes (RELIABILITY §2.7).
 */
public final class LogManager implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(LogManager.class.getName());

    /** Name of the clean-shutdown marker. */
    public static final String CLEAN_SHUTDOWN_FILE = ".tidemark_cleanshutdown";
    /** Name of the thread running checkpoints and retention. */
    public static final String SCHEDULER_THREAD = "tidemark-log-scheduler";
    /** Name of the lock file. */
    public static final String LOCK_FILE = ".lock";
    /** Name of the meta properties file. */
    public static final String META_PROPERTIES = "meta.properties";
    /** Recovery point checkpoint. */
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    /** Log start offset checkpoint. */
    public static final String LOG_START_CHECKPOINT = "log-start-offset-checkpoint";
    /** High watermark checkpoint. */
    public static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";
    /** Suffix of a partition directory scheduled for deletion. */
    public static final String DELETE_DIR_SUFFIX = "-delete";
    /** How often the scheduler gives the scrubber its share of {@code log.scrub.bytes.per.second}. */
    static final long SCRUB_TICK_MS = 100;

    private final LogManagerConfig config;
    private final Storage storage;
    private final List<LogDir> dirs = new ArrayList<>();
    private final LogWriter[] writers;
    private final Map<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    private final Map<TopicPartition, RecoveryReport> reports = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final LogScrubber scrubber;
    private final Object lifecycle = new Object();
    private volatile boolean closed;
    private boolean allDirsClean = true;

    private static final class LogDir
    {
        final Path path;
        final Closeable lock;
        final OffsetCheckpoint recoveryPoints;
        final OffsetCheckpoint logStarts;
        final OffsetCheckpoint highWatermarks;
        final SyncStats syncStats = new SyncStats();
        volatile StorageException offline;

        LogDir(final Path path, final Closeable lock, final Storage storage)
        {
            this.path = path;
            this.lock = lock;
            this.recoveryPoints = new OffsetCheckpoint(storage, path.resolve(RECOVERY_POINT_CHECKPOINT));
            this.logStarts = new OffsetCheckpoint(storage, path.resolve(LOG_START_CHECKPOINT));
            this.highWatermarks = new OffsetCheckpoint(storage, path.resolve(HIGH_WATERMARK_CHECKPOINT));
        }
    }

    private LogManager(final LogManagerConfig config)
    {
        this.config = config;
        this.storage = config.storage();
        this.writers = new LogWriter[config.writerThreads()];
        for (int i = 0; i < writers.length; i++)
        {
            writers[i] = new LogWriter(String.valueOf(i), config.writerRingBytes(), config.maxPendingAppends(),
                config.nanoClock(), config.writerMode(), config.fatalErrorHandler());
        }
        // checkpoints and retention keep their schedule through a runtime failure; an Error goes to the handler
        this.scheduler = config.writerMode() == WriterMode.THREAD ?
            GuardedExecutors.singleThreadScheduled(SCHEDULER_THREAD, config.fatalErrorHandler()) : null;
        this.scrubber = new LogScrubber(logs::values, config.nanoClock(), config.scrubBytesPerSecond(), config.scrubIntervalMs(),
            config.scrubListener());
    }

    /**
     * Opens (creating if needed) the log directories and every log in them, recovering those not
     * closed cleanly.
     *
     * @param config the configuration.
     * @return the open manager.
     * @throws StorageException       if a directory cannot be locked or read.
     * @throws CorruptRecordException if a log holds corruption in data known durable.
     */
    public static LogManager open(final LogManagerConfig config)
    {
        final LogManager manager = new LogManager(config);
        try
        {
            for (final LogWriter w : manager.writers)
            {
                w.start();
            }
            manager.openDirs();
            if (manager.scheduler != null)
            {
                manager.scheduler.scheduleWithFixedDelay(manager::checkpointQuietly, config.checkpointIntervalMs(),
                    config.checkpointIntervalMs(), TimeUnit.MILLISECONDS);
                manager.scheduler.scheduleWithFixedDelay(manager::retentionQuietly, config.retentionCheckIntervalMs(),
                    config.retentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
                if (config.scrubEnable())
                {
                    manager.scheduler.scheduleWithFixedDelay(manager::scrubQuietly, SCRUB_TICK_MS, SCRUB_TICK_MS, TimeUnit.MILLISECONDS);
                }
            }
            return manager;
        }
        catch (final RuntimeException ex)
        {
            manager.abort(ex);
            throw ex;
        }
    }

    private void openDirs()
    {
        for (final Path path : config.logDirs())
        {
            final Path dir = path.toAbsolutePath().normalize();
            final Closeable lock;
            try
            {
                storage.createDirectoriesDurably(dir);
                lock = storage.lock(dir.resolve(LOCK_FILE));
            }
            catch (final IOException ex)
            {
                throw StorageException.of(ex, dir, "lock log dir", -1, -1);
            }
            final LogDir logDir = new LogDir(dir, lock, storage);
            dirs.add(logDir);
            try
            {
                ensureMetaProperties(dir);
                loadDir(logDir);
            }
            catch (final IOException ex)
            {
                throw StorageException.of(ex, dir, "open log dir", -1, -1);
            }
        }
    }

    private void ensureMetaProperties(final Path dir) throws IOException
    {
        final Path path = dir.resolve(META_PROPERTIES);
        final byte[] existing = CheckpointFile.readAll(storage, path);
        final Properties props = new Properties();
        if (existing != null)
        {
            props.load(new StringReader(new String(existing, StandardCharsets.UTF_8)));
            for (final Map.Entry<String, String> e : config.metaProperties().entrySet())
            {
                final String found = props.getProperty(e.getKey());
                if (found != null && !found.equals(e.getValue()))
                {
                    throw new StorageException(StorageException.Kind.IO, path, "open log dir", -1, -1,
                        "meta.properties has " + e.getKey() + "=" + found + " but this node is configured with " +
                        e.getValue() + ": the directory belongs to another node or cluster", null);
                }
            }
            if (props.keySet().containsAll(config.metaProperties().keySet()))
            {
                return;
            }
        }
        props.putIfAbsent("version", "1");
        props.putIfAbsent("directory.id", UUID.randomUUID().toString());
        props.putAll(config.metaProperties());
        final StringBuilder text = new StringBuilder("# written by Tidemark\n");
        for (final Map.Entry<Object, Object> e : new TreeMap<>(props).entrySet())
        {
            text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        CheckpointFile.writeAtomically(storage, path, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param dir a log directory.
     * @return its {@code meta.properties}.
     */
    public Properties metaProperties(final Path dir)
    {
        final Properties props = new Properties();
        try
        {
            final byte[] bytes = CheckpointFile.readAll(storage, dir.toAbsolutePath().normalize().resolve(META_PROPERTIES));
            if (bytes != null)
            {
                props.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            }
        }
        catch (final IOException ex)
        {
            throw StorageException.of(ex, dir, "read meta.properties", -1, -1);
        }
        return props;
    }

    private void loadDir(final LogDir dir) throws IOException
    {
        final Path marker = dir.path.resolve(CLEAN_SHUTDOWN_FILE);
        final boolean clean = storage.exists(marker);
        allDirsClean &= clean;
        final Map<TopicPartition, Long> recoveryPoints = readCheckpoint(dir.recoveryPoints, true);
        final Map<TopicPartition, Long> logStarts = readCheckpoint(dir.logStarts, false);
        final Map<TopicPartition, Long> highWatermarks = readCheckpoint(dir.highWatermarks, false);
        for (final Path child : storage.list(dir.path))
        {
            final String name = child.getFileName().toString();
            if (!storage.isDirectory(child))
            {
                if (name.endsWith(CheckpointFile.TMP_SUFFIX))
                {
                    storage.delete(child);
                }
                continue;
            }
            if (name.endsWith(DELETE_DIR_SUFFIX))
            {
                deleteRecursively(child);
                continue;
            }
            final TopicPartition tp = TopicPartition.parseDirName(name);
            if (tp == null)
            {
                continue;
            }
            final LogLoader.Params params = new LogLoader.Params(
                recoveryPoints.getOrDefault(tp, 0L), clean, logStarts.getOrDefault(tp, 0L),
                highWatermarks.getOrDefault(tp, 0L), highWatermarks.containsKey(tp));
            openLog(dir, tp, config.defaultLogConfig(), params);
        }
        if (clean)
        {
            // from now on a crash is unclean
            storage.delete(marker);
            storage.fsyncDirectory(dir.path);
        }
    }

    private Map<TopicPartition, Long> readCheckpoint(final OffsetCheckpoint checkpoint, final boolean rebuildable)
        throws IOException
    {
        try
        {
            return checkpoint.read();
        }
        catch (final CheckpointFile.CorruptCheckpointException ex)
        {
            if (rebuildable)
            {
                // without recovery points every segment is validated: slower, never wrong
                return new HashMap<>();
            }
            throw new StorageException(StorageException.Kind.IO, checkpoint.path(), "read checkpoint", -1, -1,
                ex.getMessage(), ex);
        }
    }

    private Log openLog(final LogDir dir, final TopicPartition tp, final LogConfig logConfig, final LogLoader.Params params)
        throws IOException
    {
        final LogLoader.Loaded loaded = LogLoader.load(
            storage, dir.path.resolve(tp.dirName()), tp, logConfig, params, config.nanoClock());
        final LogWriter writer = writers[Math.floorMod(tp.hashCode(), writers.length)];
        final Log log = new Log(loaded, writer, config.nanoClock(), config.epochClock(), new LogHooks()
        {
            @Override
            public void onFailure(final Log failed, final StorageException ex)
            {
                takeOffline(dir, ex);
            }

            @Override
            public void beforeTruncation(final Log truncated) throws IOException
            {
                writeCheckpoints(dir);
            }

            @Override
            public void onCorruptBatch(final Log corrupt, final CorruptBatch batch)
            {
                scrubber.found(batch);
            }

            @Override
            public void onClosed(final Log closedLog)
            {
                logs.remove(closedLog.topicPartition(), closedLog);
            }
        });
        log.syncStats(dir.syncStats);
        logs.put(tp, log);
        reports.put(tp, loaded.report());
        return log;
    }

    private void takeOffline(final LogDir dir, final StorageException cause)
    {
        if (dir.offline != null)
        {
            return;
        }
        dir.offline = cause;
        LOG.log(System.Logger.Level.ERROR, "log directory " + dir.path + " is offline, its logs take no more writes until"
            + " restarted: " + cause.getMessage());
        for (final Log log : logs.values())
        {
            if (log.dir().startsWith(dir.path))
            {
                log.fail(new StorageException(StorageException.Kind.LOG_FAILED, dir.path, "log dir offline", -1, -1,
                    "the log directory is offline after: " + cause.getMessage(), cause));
            }
        }
    }

    /**
     * @return true if every log directory carried the clean-shutdown marker when opened (a fresh,
     *         empty directory counts as unclean: nothing proves it was closed).
     */
    public boolean openedCleanly()
    {
        return allDirsClean;
    }

    /**
     * @param tp a partition.
     * @return its log, or null.
     */
    public Log log(final TopicPartition tp)
    {
        return logs.get(tp);
    }

    /**
     * @param tp a partition.
     * @return its log, created with the default configuration if missing.
     */
    public Log getOrCreate(final TopicPartition tp)
    {
        return getOrCreate(tp, config.defaultLogConfig());
    }

    /**
     * @param tp        a partition.
     * @param logConfig configuration for a new log (an existing log keeps its own).
     * @return its log, created if missing in the online directory holding the fewest logs.
     */
    public Log getOrCreate(final TopicPartition tp, final LogConfig logConfig)
    {
        final Log existing = logs.get(tp);
        if (existing != null)
        {
            return existing;
        }
        synchronized (lifecycle)
        {
            if (closed)
            {
                throw new IllegalStateException("log manager is closed");
            }
            final Log again = logs.get(tp);
            if (again != null)
            {
                return again;
            }
            final LogDir dir = leastLoadedDir();
            try
            {
                final Log log = openLog(dir, tp, logConfig, new LogLoader.Params(0, false, 0, 0, false));
                storage.fsyncDirectory(dir.path);
                return log;
            }
            catch (final IOException ex)
            {
                throw StorageException.of(ex, dir.path.resolve(tp.dirName()), "create log", -1, -1);
            }
        }
    }

    private LogDir leastLoadedDir()
    {
        LogDir best = null;
        long bestCount = Long.MAX_VALUE;
        for (final LogDir d : dirs)
        {
            if (d.offline != null)
            {
                continue;
            }
            long count = 0;
            for (final Log log : logs.values())
            {
                if (log.dir().startsWith(d.path))
                {
                    count++;
                }
            }
            if (count < bestCount)
            {
                best = d;
                bestCount = count;
            }
        }
        if (best == null)
        {
            throw new StorageException(StorageException.Kind.LOG_FAILED, null, "create log", -1, -1,
                "every log directory is offline", null);
        }
        return best;
    }

    /**
     * @return the open logs.
     */
    public Collection<Log> logs()
    {
        return List.copyOf(logs.values());
    }

    /**
     * @return what recovery did for each log opened at start.
     */
    public Map<TopicPartition, RecoveryReport> recoveryReports()
    {
        return Map.copyOf(reports);
    }

    /**
     * @return log directories taken offline after a failed sync, with the cause.
     */
    public Map<Path, StorageException> offlineDirs()
    {
        final Map<Path, StorageException> result = new LinkedHashMap<>();
        for (final LogDir d : dirs)
        {
            if (d.offline != null)
            {
                result.put(d.path, d.offline);
            }
        }
        return result;
    }

    /**
     * Closes and deletes a partition's log: its directory is renamed {@code <dir>.<id>-delete} at once
     * and removed.
     *
     * @param tp the partition.
     * @return true if it existed.
     */
    public boolean delete(final TopicPartition tp)
    {
        return delete(tp, Runnable::run);
    }

    /**
     * Closes a partition's log without syncing it and renames its directory {@code <dir>.<id>-delete}
     * (durably) at once; the files are then removed by a task given to {@code remover}. Removing the files of
     * a large log takes long (a 100 MB partition: ~150 ms here), which a caller applying metadata should not
     * wait for (Kafka also deletes renamed logs later). A directory left renamed by a crash is removed when
     * the log directory is next opened.
     *
     * @param tp      the partition.
     * @param remover runs the removal of the renamed directory (any thread).
     * @return true if it existed.
     */
    public boolean delete(final TopicPartition tp, final java.util.concurrent.Executor remover)
    {
        final Log log = logs.get(tp);
        if (log == null)
        {
            return false;
        }
        log.discard(); // its data is being deleted: no sync, no seal (a long sync would hold the shared writer)
        logs.remove(tp);
        reports.remove(tp); // one report per partition ever created would grow with topic churn
        final Path dir = log.dir();
        final Path renamed = dir.resolveSibling(dir.getFileName() + "." + UUID.randomUUID().toString().replace("-", "") +
            DELETE_DIR_SUFFIX);
        try
        {
            storage.move(dir, renamed);
            storage.fsyncDirectory(dir.getParent());
        }
        catch (final IOException ex)
        {
            throw StorageException.of(ex, dir, "delete log", -1, -1);
        }
        remover.execute(() ->
        {
            try
            {
                deleteRecursively(renamed);
            }
            catch (final IOException ex)
            {
                throw StorageException.of(ex, renamed, "remove deleted log", -1, -1);
            }
        });
        return true;
    }

    private void deleteRecursively(final Path path) throws IOException
    {
        if (storage.isDirectory(path))
        {
            for (final Path child : storage.list(path))
            {
                deleteRecursively(child);
            }
        }
        storage.delete(path);
    }

    /**
     * Writes the recovery point, log start and high watermark checkpoints of every online directory.
     */
    public void checkpoint()
    {
        for (final LogDir dir : dirs)
        {
            if (dir.offline != null)
            {
                continue;
            }
            try
            {
                writeCheckpoints(dir);
            }
            catch (final IOException ex)
            {
                takeOffline(dir, StorageException.of(ex, dir.path, "checkpoint", -1, -1));
            }
        }
    }

    /**
     * Writes the three offset checkpoints of a directory. Synchronized: called by the scheduler, by
     * close and by writer threads after a truncation.
     */
    private void writeCheckpoints(final LogDir dir) throws IOException
    {
        synchronized (dir)
        {
            final Map<TopicPartition, Long> recovery = new TreeMap<>();
            final Map<TopicPartition, Long> starts = new TreeMap<>();
            final Map<TopicPartition, Long> hws = new TreeMap<>();
            for (final Log log : logs.values())
            {
                if (log.dir().getParent().equals(dir.path) && log.failure() == null)
                {
                    recovery.put(log.topicPartition(), log.durableOffset());
                    starts.put(log.topicPartition(), log.logStartOffset());
                    hws.put(log.topicPartition(), log.highWatermark());
                }
            }
            dir.recoveryPoints.write(recovery);
            dir.logStarts.write(starts);
            dir.highWatermarks.write(hws);
        }
    }

    private void checkpointQuietly()
    {
        try
        {
            checkpoint();
        }
        catch (final RuntimeException ex)
        {
            // a failing directory was taken offline by checkpoint(); keep the schedule alive
        }
    }

    /**
     * Applies retention to every log now.
     *
     * @return segments deleted.
     */
    public int applyRetention()
    {
        int deleted = 0;
        for (final Log log : logs.values())
        {
            if (log.failure() == null && !log.isClosed())
            {
                deleted += log.applyRetention();
            }
        }
        return deleted;
    }

    private void retentionQuietly()
    {
        try
        {
            applyRetention();
        }
        catch (final RuntimeException ex)
        {
            // a log that fails is failed by its writer; retention runs again next time
        }
    }

    /**
     * @return the scrubber of sealed segments: run by the scheduler when {@code log.scrub.enable} is set,
     *         else by whoever calls its {@link LogScrubber#doWork()}; its counters tell what it found.
     */
    public LogScrubber scrubber()
    {
        return scrubber;
    }

    private void scrubQuietly()
    {
        try
        {
            scrubber.doWork();
        }
        catch (final RuntimeException ex)
        {
            // keep the schedule alive (a failed task would cancel it); the scrubber already skipped the log at fault
        }
    }

    /**
     * @return bytes queued in the log writers' rings and not yet drained, summed over the writers.
     */
    public long writerRingOccupancyBytes()
    {
        long total = 0;
        for (final LogWriter w : writers)
        {
            total += w.ringOccupancyBytes();
        }
        return total;
    }

    /**
     * @return the log writers' ring capacity in bytes, summed over the writers.
     */
    public long writerRingCapacityBytes()
    {
        long total = 0;
        for (final LogWriter w : writers)
        {
            total += w.ringCapacityBytes();
        }
        return total;
    }

    /**
     * @return appends refused for a full ring or no free slot (back-pressure), summed over the writers.
     */
    public long writerBackPressureEvents()
    {
        long total = 0;
        for (final LogWriter w : writers)
        {
            total += w.backPressureEvents();
        }
        return total;
    }

    /**
     * @param logDir one of {@link #logDirs()}.
     * @return the fsync statistics of its logs, or null if it is not one of them.
     */
    public SyncStats syncStats(final Path logDir)
    {
        for (final LogDir d : dirs)
        {
            if (d.path.equals(logDir))
            {
                return d.syncStats;
            }
        }
        return null;
    }

    /**
     * @return the log directories, absolute.
     */
    public List<Path> logDirs()
    {
        final List<Path> result = new ArrayList<>();
        for (final LogDir d : dirs)
        {
            result.add(d.path);
        }
        return result;
    }

    /**
     * Stops without closing the logs cleanly, as a crashed process would (written bytes stay in the
     * page cache, nothing is synced, no checkpoint or clean-shutdown marker is written), and releases
     * the locks so the directories can be opened again in this process. For crash tests.
     */
    public void abandon()
    {
        if (!halt())
        {
            return;
        }
        release();
    }

    /**
     * Stops the scheduler and the writers, leaving the logs open (first half of {@link #abandon()}).
     *
     * @return false if already closed.
     */
    boolean halt()
    {
        synchronized (lifecycle)
        {
            if (closed)
            {
                return false;
            }
            closed = true;
        }
        if (scheduler != null)
        {
            scheduler.shutdownNow();
        }
        for (final LogWriter w : writers)
        {
            w.close();
        }
        return true;
    }

    /**
     * @return the storage seam.
     */
    Storage storage()
    {
        return storage;
    }

    /**
     * Releases logs and locks without syncing (second half of {@link #abandon()}).
     */
    void release()
    {
        for (final Log log : new ArrayList<>(logs.values()))
        {
            log.abandon();
        }
        logs.clear();
        for (final LogDir dir : dirs)
        {
            try
            {
                dir.lock.close();
            }
            catch (final IOException ignore)
            {
                // the lock dies with its channel
            }
        }
    }

    /**
     * Drives the writers once ({@link WriterMode#INVOKER} only).
     *
     * @return work done.
     */
    public int doWork()
    {
        int work = 0;
        for (final LogWriter w : writers)
        {
            work += w.doWork();
        }
        return work;
    }

    /**
     * Closes every log (syncing and sealing), writes the checkpoints, marks healthy directories as
     * cleanly shut down and releases the locks.
     */
    @Override
    public void close()
    {
        synchronized (lifecycle)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        if (scheduler != null)
        {
            scheduler.shutdownNow();
            try
            {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException first = null;
        final Map<TopicPartition, Log> snapshot = new HashMap<>(logs);
        for (final Log log : snapshot.values())
        {
            try
            {
                log.close();
            }
            catch (final RuntimeException ex)
            {
                first = addSuppressed(first, ex);
            }
        }
        // closed logs left the map; checkpoint from what they were
        for (final Log log : snapshot.values())
        {
            logs.put(log.topicPartition(), log);
        }
        try
        {
            checkpoint();
        }
        catch (final RuntimeException ex)
        {
            first = addSuppressed(first, ex);
        }
        logs.clear();
        for (final LogWriter w : writers)
        {
            w.close();
        }
        for (final LogDir dir : dirs)
        {
            boolean healthy = dir.offline == null;
            for (final Log log : snapshot.values())
            {
                if (log.dir().getParent().equals(dir.path) && log.failure() != null)
                {
                    healthy = false;
                }
            }
            try
            {
                if (healthy)
                {
                    CheckpointFile.writeAtomically(storage, dir.path.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
                }
            }
            catch (final IOException ex)
            {
                first = addSuppressed(first, StorageException.of(ex, dir.path, "write clean shutdown marker", -1, -1));
            }
            try
            {
                dir.lock.close();
            }
            catch (final IOException ex)
            {
                first = addSuppressed(first, StorageException.of(ex, dir.path, "release lock", -1, -1));
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    private void abort(final RuntimeException cause)
    {
        closed = true;
        if (scheduler != null)
        {
            scheduler.shutdownNow();
        }
        for (final Log log : new ArrayList<>(logs.values()))
        {
            try
            {
                log.close();
            }
            catch (final RuntimeException ex)
            {
                cause.addSuppressed(ex);
            }
        }
        for (final LogWriter w : writers)
        {
            w.close();
        }
        for (final LogDir dir : dirs)
        {
            try
            {
                dir.lock.close();
            }
            catch (final IOException ex)
            {
                cause.addSuppressed(ex);
            }
        }
    }

    private static RuntimeException addSuppressed(final RuntimeException first, final RuntimeException next)
    {
        if (first == null)
        {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
