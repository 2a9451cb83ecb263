package io.tidemark.broker.producer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tidemark.broker.config.ProducerStateSettings;
import io.tidemark.engine.Log;
import io.tidemark.engine.LogCursor;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.storage.AtomicFile;
import io.tidemark.engine.storage.Storage;
import org.agrona.concurrent.EpochClock;

/**
 * The producer state of every partition hosted here: loaded when a log is opened (latest valid snapshot
 * at or below the log end offset, then a replay of the log after it), installed as the log's append
 * interceptor before any append, snapshotted periodically and at shutdown, and expired.
 *
 * <p>Crash story: snapshots are written atomically (temporary file, fsync, rename, fsync directory). A
 * snapshot above the log end offset (the log lost an unsynced tail) or one that fails its CRC is deleted
 * and an older one (or none: a replay of the whole log) is used, so the state always matches the log.
 */
public final class ProducerStates
{
    private static final System.Logger LOG = System.getLogger(ProducerStates.class.getName());
    private static final int SNAPSHOTS_KEPT = 2;

    private final Storage storage;
    private final EpochClock clock;
    private final ProducerStateSettings settings;
    private final Map<TopicPartition, Installed> installed = new ConcurrentHashMap<>();

    private record Installed(Log log, ProducerStateManager manager)
    {
    }

    /**
     * What loading found.
     *
     * @param snapshotOffset  offset of the snapshot loaded, or -1 if none.
     * @param replayedBatches batches replayed from the log after it.
     */
    public record LoadReport(long snapshotOffset, long replayedBatches)
    {
    }

    private final Map<TopicPartition, LoadReport> loadReports = new ConcurrentHashMap<>();

    /**
     * @param storage  the storage seam of the log directories.
     * @param clock    wall clock (expiration).
     * @param settings expiration and snapshot settings.
     */
    public ProducerStates(final Storage storage, final EpochClock clock, final ProducerStateSettings settings)
    {
        this.storage = storage;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Loads a log's producer state and installs it as the log's interceptor. No leader append may run
     * on the log meanwhile (the broker installs before it hosts the partition).
     *
     * @param log the log.
     * @return its manager.
     */
    public ProducerStateManager install(final Log log)
    {
        final Installed current = installed.get(log.topicPartition());
        if (current != null && current.log() == log)
        {
            return current.manager();
        }
        final ProducerStateManager manager = load(log);
        log.interceptor(manager);
        installed.put(log.topicPartition(), new Installed(log, manager));
        return manager;
    }

    /**
     * @param tp a partition.
     * @return its manager, or null.
     */
    public ProducerStateManager manager(final TopicPartition tp)
    {
        final Installed i = installed.get(tp);
        return i == null ? null : i.manager();
    }

    /**
     * @param tp a partition.
     * @return what loading it found, or null.
     */
    public LoadReport loadReport(final TopicPartition tp)
    {
        return loadReports.get(tp);
    }

    /**
     * @param log a log.
     * @return true if its state is installed.
     */
    public boolean isInstalled(final Log log)
    {
        final Installed i = installed.get(log.topicPartition());
        return i != null && i.log() == log;
    }

    /**
     * Forgets a partition no longer hosted (its log is deleted or closed).
     *
     * @param tp the partition.
     */
    public void remove(final TopicPartition tp)
    {
        installed.remove(tp);
        loadReports.remove(tp);
    }

    /**
     * @return the partitions with state.
     */
    public Collection<TopicPartition> partitions()
    {
        return List.copyOf(installed.keySet());
    }

    private ProducerStateManager load(final Log log)
    {
        final TopicPartition tp = log.topicPartition();
        final long end = log.logEndOffset();
        final long start = log.logStartOffset();
        final ProducerStateManager manager = new ProducerStateManager(tp, start, clock);
        long from = start;
        long loadedOffset = -1;
        for (final long offset : snapshotOffsets(log.dir()))
        {
            final Path file = log.dir().resolve(ProducerSnapshot.fileName(offset));
            if (offset > end || loadedOffset >= 0)
            {
                if (offset > end)
                {
                    LOG.log(System.Logger.Level.INFO, tp + ": deleting producer snapshot " + file.getFileName() +
                        " above the log end offset " + end);
                    deleteQuietly(file);
                }
                continue;
            }
            try
            {
                final byte[] bytes = AtomicFile.read(storage, file);
                final ProducerSnapshot snapshot = bytes == null ? null : ProducerSnapshot.decode(bytes);
                if (snapshot == null || snapshot.offset() != offset)
                {
                    throw new IllegalArgumentException("offset in the file does not match its name");
                }
                manager.restore(snapshot);
                loadedOffset = offset;
                from = Math.max(offset, start);
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                LOG.log(System.Logger.Level.WARNING, tp + ": deleting unreadable producer snapshot " + file + ": " + ex.getMessage());
                deleteQuietly(file);
            }
        }
        final long replayed = replay(log, manager, from, clock.time());
        manager.expire(clock.time(), settings.expirationMs());
        loadReports.put(tp, new LoadReport(loadedOffset, replayed));
        return manager;
    }

    private static long replay(final Log log, final ProducerStateManager manager, final long from, final long nowMs)
    {
        long batches = 0;
        if (from >= log.logEndOffset())
        {
            return 0;
        }
        try (LogCursor cursor = log.cursor().seek(from))
        {
            while (cursor.nextBatch())
            {
                final RecordBatchFlyweight b = cursor.batch();
                if (b.lastOffset() < from)
                {
                    continue;
                }
                manager.apply(b.producerId(), b.producerEpoch(), b.baseSequence(), b.lastSequence(), b.baseOffset(), b.lastOffset(),
                    b.maxTimestamp(), nowMs);
                batches++;
            }
        }
        return batches;
    }

    private List<Long> snapshotOffsets(final Path dir)
    {
        final List<Long> offsets = new ArrayList<>();
        try
        {
            for (final Path p : storage.list(dir))
            {
                final long offset = ProducerSnapshot.parseFileName(p.getFileName().toString());
                if (offset >= 0)
                {
                    offsets.add(offset);
                }
            }
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            // the partition was deleted (its directory renamed for deletion) while a snapshot was written: nothing to keep
            return offsets;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + dir + ": " + ex.getMessage());
        }
        offsets.sort((a, b) -> Long.compare(b, a));
        return offsets;
    }

    private void deleteQuietly(final Path file)
    {
        try
        {
            storage.delete(file);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + file + ": " + ex.getMessage());
        }
    }

    /**
     * Writes a snapshot of every partition whose state changed since its last one, and keeps only the
     * newest {@value #SNAPSHOTS_KEPT} per partition.
     *
     * @return snapshots written.
     */
    public int snapshotAll()
    {
        int written = 0;
        for (final Installed i : installed.values())
        {
            if (i.log().isClosed())
            {
                continue;
            }
            try
            {
                if (snapshot(i.log(), i.manager()))
                {
                    written++;
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                if (!i.log().isClosed())
                {
                    LOG.log(System.Logger.Level.WARNING, i.log().topicPartition() + ": producer snapshot failed: " + ex);
                }
            }
        }
        return written;
    }

    private boolean snapshot(final Log log, final ProducerStateManager manager) throws IOException
    {
        final ProducerSnapshot snapshot = manager.snapshotIfChanged();
        if (snapshot == null)
        {
            return false;
        }
        AtomicFile.write(storage, log.dir().resolve(ProducerSnapshot.fileName(snapshot.offset())), snapshot.encode());
        manager.snapshotWritten(snapshot.offset());
        final List<Long> offsets = snapshotOffsets(log.dir());
        for (int k = SNAPSHOTS_KEPT; k < offsets.size(); k++)
        {
            deleteQuietly(log.dir().resolve(ProducerSnapshot.fileName(offsets.get(k))));
        }
        return true;
    }

    /**
     * Forgets producer ids silent for {@code producer.id.expiration.ms}.
     *
     * @return producer ids forgotten.
     */
    public int expireAll()
    {
        final long now = clock.time();
        int removed = 0;
        for (final Installed i : installed.values())
        {
            removed += i.manager().expire(now, settings.expirationMs());
        }
        return removed;
    }
}
