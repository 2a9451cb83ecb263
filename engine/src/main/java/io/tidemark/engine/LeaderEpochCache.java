package io.tidemark.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.engine.storage.Storage;

/**
 * The partition's leader epochs and the offset each started at ({@code leader-epoch-checkpoint}): the
 * basis of KIP-101/279 truncation. A follower asks the leader for the end offset of its latest epoch
 * and truncates there, never merely to its high watermark.
 *
 * <p>Entries are strictly increasing in both epoch and start offset. The file is rewritten
 * atomically whenever an epoch is added or entries are truncated.
 *
 * <p>Thread safety: mutated by the log's writer thread; read by request threads; all methods synchronized.
 */
public final class LeaderEpochCache
{
    /** Epoch or offset when undefined. */
    public static final int UNDEFINED_EPOCH = -1;
    /** Offset when undefined. */
    public static final long UNDEFINED_OFFSET = -1;

    /**
     * An epoch and the end offset it ended at (the start of the next epoch, or the log end offset).
     *
     * @param epoch     the epoch, or {@link #UNDEFINED_EPOCH}.
     * @param endOffset the end offset, or {@link #UNDEFINED_OFFSET}.
     */
    public record EpochEndOffset(int epoch, long endOffset)
    {
    }

    /**
     * An entry of the cache.
     *
     * @param epoch       leader epoch.
     * @param startOffset first offset written in that epoch.
     */
    public record Entry(int epoch, long startOffset)
    {
    }

    private final CheckpointFile file;
    private final List<Entry> entries = new ArrayList<>();
    private volatile int latestEpoch = UNDEFINED_EPOCH;

    LeaderEpochCache(final Storage storage, final Path path)
    {
        this.file = new CheckpointFile(storage, path);
    }

    /**
     * Loads the file.
     *
     * @return false if the file is missing (the caller rebuilds from the log).
     */
    synchronized boolean load() throws IOException
    {
        final List<String> lines = file.read();
        if (lines == null)
        {
            return false;
        }
        // parse everything before touching the cache: a file corrupt halfway must leave no entries behind
        final List<Entry> parsed = new ArrayList<>(lines.size());
        for (final String line : lines)
        {
            final String[] parts = line.trim().split("\\s+");
            if (parts.length != 2)
            {
                throw new CheckpointFile.CorruptCheckpointException(file.path(), "bad entry '" + line + "'");
            }
            try
            {
                final Entry e = new Entry(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                final Entry previous = parsed.isEmpty() ? null : parsed.get(parsed.size() - 1);
                if (previous != null && (e.epoch() <= previous.epoch() || e.startOffset() < previous.startOffset()))
                {
                    throw new CheckpointFile.CorruptCheckpointException(file.path(), "entries out of order at '" + line + "'");
                }
                parsed.add(e);
            }
            catch (final NumberFormatException ex)
            {
                throw new CheckpointFile.CorruptCheckpointException(file.path(), "bad entry '" + line + "'");
            }
        }
        entries.clear();
        entries.addAll(parsed);
        latestEpoch = entries.isEmpty() ? UNDEFINED_EPOCH : last().epoch();
        return true;
    }

    private Entry last()
    {
        return entries.get(entries.size() - 1);
    }

    /**
     * @return the latest epoch, or {@link #UNDEFINED_EPOCH}.
     */
    public int latestEpoch()
    {
        return latestEpoch;
    }

    /**
     * @return a copy of the entries.
     */
    public synchronized List<Entry> entries()
    {
        return List.copyOf(entries);
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest epoch.
     *
     * @return true if an entry was added (and the file rewritten).
     */
    synchronized boolean assign(final int epoch, final long startOffset, final boolean persist) throws IOException
    {
        if (epoch < 0 || epoch <= latestEpoch)
        {
            return false;
        }
        if (!entries.isEmpty() && startOffset < last().startOffset())
        {
            return false;
        }
        if (!entries.isEmpty() && startOffset == last().startOffset())
        {
            // the previous epoch wrote nothing: replace it
            entries.remove(entries.size() - 1);
        }
        entries.add(new Entry(epoch, startOffset));
        latestEpoch = epoch;
        if (persist)
        {
            flush();
        }
        return true;
    }

    /**
     * KIP-279: the largest epoch at most {@code requestedEpoch} and the offset where it ended.
     *
     * @param requestedEpoch the epoch asked about.
     * @param logEndOffset   the log end offset (the end of the latest epoch).
     * @return the epoch and end offset, undefined if the requested epoch is newer than any known.
     */
    public synchronized EpochEndOffset endOffsetFor(final int requestedEpoch, final long logEndOffset)
    {
        if (requestedEpoch == UNDEFINED_EPOCH || entries.isEmpty())
        {
            return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        }
        if (requestedEpoch == latestEpoch)
        {
            return new EpochEndOffset(latestEpoch, logEndOffset);
        }
        Entry floor = null;
        Entry higher = null;
        for (final Entry e : entries)
        {
            if (e.epoch() <= requestedEpoch)
            {
                floor = e;
            }
            else
            {
                higher = e;
                break;
            }
        }
        if (higher == null)
        {
            return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        }
        if (floor == null)
        {
            return new EpochEndOffset(requestedEpoch, higher.startOffset());
        }
        return new EpochEndOffset(floor.epoch(), higher.startOffset());
    }

    /**
     * @param offset an offset in the log.
     * @return the epoch of the entry covering it, or {@link #UNDEFINED_EPOCH}.
     */
    public synchronized int epochForOffset(final long offset)
    {
        int epoch = UNDEFINED_EPOCH;
        for (final Entry e : entries)
        {
            if (e.startOffset() <= offset)
            {
                epoch = e.epoch();
            }
            else
            {
                break;
            }
        }
        return epoch;
    }

    /**
     * Drops entries that start at or after {@code endOffset} (the log was truncated there).
     */
    synchronized void truncateFromEnd(final long endOffset) throws IOException
    {
        final int before = entries.size();
        entries.removeIf(e -> e.startOffset() >= endOffset);
        if (entries.size() != before)
        {
            latestEpoch = entries.isEmpty() ? UNDEFINED_EPOCH : last().epoch();
            flush();
        }
    }

    /**
     * Drops entries wholly before {@code startOffset}; the entry covering it now starts there.
     */
    synchronized void truncateFromStart(final long startOffset) throws IOException
    {
        int covering = -1;
        for (int i = 0; i < entries.size(); i++)
        {
            if (entries.get(i).startOffset() <= startOffset)
            {
                covering = i;
            }
        }
        if (covering < 0)
        {
            return;
        }
        final Entry e = entries.get(covering);
        if (covering == 0 && e.startOffset() == startOffset)
        {
            return;
        }
        entries.subList(0, covering + 1).clear();
        entries.add(0, new Entry(e.epoch(), startOffset));
        flush();
    }

    /**
     * Removes every entry.
     */
    synchronized void clear() throws IOException
    {
        entries.clear();
        latestEpoch = UNDEFINED_EPOCH;
        flush();
    }

    synchronized void flush() throws IOException
    {
        final List<String> lines = new ArrayList<>(entries.size());
        for (final Entry e : entries)
        {
            lines.add(e.epoch() + " " + e.startOffset());
        }
        file.write(lines);
    }
}
