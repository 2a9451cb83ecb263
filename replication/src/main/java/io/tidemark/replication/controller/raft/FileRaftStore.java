package io.tidemark.replication.controller.raft;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import io.microraft.RaftEndpoint;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.log.SnapshotEntry;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import io.microraft.persistence.RaftStore;
import io.microraft.persistence.RestoredRaftState;
import io.tidemark.engine.storage.AtomicFile;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;

/**
 * MicroRaft's persistent state in a directory, every file operation through the engine's
 * {@link Storage} seam (so power cuts and I/O errors can be simulated).
 *
 * <h2>Files</h2>
 * <pre>
 *  raft-meta                       group id, cluster id, local endpoint, initial members; replaced atomically
 *  raft-term                       term and vote: two slots, at byte 0 and byte 4096 (separate pages), written
 *                                  alternately and forced; the valid slot with the higher sequence wins
 *  log-&lt;base index, 20 digits&gt;.raftlog    log entries, append-only; a segment holds consecutive indices
 *  snap-&lt;index, 20 digits&gt;/chunk-&lt;i&gt;-of-&lt;n&gt;  one snapshot chunk per file
 *
 *  record     := i32 bodyLength, u32 crc32c(body), body
 *  meta body  := u32 'TMRM', i16 version 1, str groupId, str clusterId, bool hasEndpoint, [endpoint, bool voting],
 *                bool hasMembers, [view]
 *  term body  := i64 seq, i32 term, bool hasVote, [endpoint]
 *  log body   := i64 index, i32 term, i64 durableIndex, payload
 *  chunk body := chunk            (endpoint, view, payload, chunk: see {@link RaftMessageCodec})
 * </pre>
 *
 * <h2>Durability and the crash story</h2>
 * {@link #persistAndFlushLocalEndpoint}, {@link #persistAndFlushInitialGroupMembers} and
 * {@link #persistAndFlushTerm} are durable on return. Log entries and snapshot chunks are written at
 * once (to the page cache) and made durable by {@link #flush()}, which forces the written files and
 * the directories whose entries changed. {@link #truncateLogEntriesFrom} is forced before it returns,
 * so a shorter new log can never be found overlaid on a longer old one. A segment is forced before
 * the next one is created, so only the last segment can hold unsynced bytes.
 *
 * <p>Every log record carries {@code durableIndex}, the highest index a completed flush had made
 * durable when it was written. Recovery tells a torn write from corruption with it: a bad record in
 * the last segment is a torn tail (truncated, and reported) unless a later intact record proves that
 * its index had been flushed, or it lies in a sealed segment: then it is corruption and loading fails
 * with {@link CorruptRaftStoreException}. A snapshot counts only when all its chunks are present
 * and valid; partial snapshots and the log before the newest snapshot are removed.
 *
 * <h2>Failures</h2>
 * The first {@link IOException} (or unexpected runtime failure) latches the store: that call and
 * every later one throw, and the fatal handler runs once, synchronously, before the first throw.
 * MicroRaft logs store exceptions and carries on, so without the latch a node could keep
 * acknowledging entries after an fsync failure lost earlier ones. The handler must stop the node
 * from sending anything and terminate it.
 *
 * <p>Used by one thread at a time (MicroRaft's node thread); the latch is readable from any thread.
 */
public final class FileRaftStore implements RaftStore, Closeable
{
    private static final System.Logger LOG = System.getLogger(FileRaftStore.class.getName());

    static final String META = "raft-meta";
    static final String TERM = "raft-term";
    static final String LOCK = ".lock";
    static final String SEGMENT_PREFIX = "log-";
    static final String SEGMENT_SUFFIX = ".raftlog";
    static final String SNAPSHOT_PREFIX = "snap-";
    static final int TERM_SLOT_BYTES = 4096;
    static final int RECORD_HEADER_BYTES = 8;
    static final int MAX_RECORD_BYTES = RaftMessageCodec.MAX_CHUNK_BYTES + 64 * 1024;
    private static final int META_MAGIC = 0x544D524D;
    private static final short META_VERSION = 1;

    private final Storage storage;
    private final Path dir;
    private final String groupId;
    private final String clusterId;
    private final long segmentBytes;
    private final Closeable lock;
    private final List<String> recoveryReport;
    private final RestoredRaftState restored;
    private Consumer<IOException> fatalHandler = ex ->
    {
    };
    private volatile IOException failure;

    // metadata
    private RaftEndpointPersistentState localEndpoint;
    private RaftGroupMembersView initialMembers;
    private byte[] metaBytes;

    // term
    private StorageFile termFile;
    private long termSeq;

    // log
    private final ArrayList<Segment> segments = new ArrayList<>();
    private long lastIndex;
    private long durableIndex;
    private boolean dirDirty;

    // snapshots
    private final TreeMap<Long, SnapshotDir> snapshots = new TreeMap<>();
    private final List<StorageFile> unforcedChunks = new ArrayList<>();
    private long newestCompleteSnapshot;

    private static final class Segment
    {
        final Path path;
        final long baseIndex;
        final StorageFile file;
        long size;
        long[] positions = new long[64];
        int count;
        boolean dirty;

        Segment(final Path path, final long baseIndex, final StorageFile file)
        {
            this.path = path;
            this.baseIndex = baseIndex;
            this.file = file;
        }

        long lastIndex()
        {
            return baseIndex + count - 1;
        }

        void add(final long position)
        {
            if (count == positions.length)
            {
                positions = Arrays.copyOf(positions, count * 2);
            }
            positions[count++] = position;
        }
    }

    private static final class SnapshotDir
    {
        final long index;
        final Path path;
        int chunkCount;
        final TreeMap<Integer, SnapshotChunk> chunks = new TreeMap<>();
        boolean synced;

        SnapshotDir(final long index, final Path path)
        {
            this.index = index;
            this.path = path;
        }

        boolean complete()
        {
            return chunkCount > 0 && chunks.size() == chunkCount;
        }
    }

    private FileRaftStore(final Storage storage, final Path dir, final String groupId, final String clusterId, final long segmentBytes,
        final Closeable lock, final List<String> recoveryReport, final RestoredRaftState restored)
    {
        this.storage = storage;
        this.dir = dir;
        this.groupId = groupId;
        this.clusterId = clusterId;
        this.segmentBytes = segmentBytes;
        this.lock = lock;
        this.recoveryReport = List.copyOf(recoveryReport);
        this.restored = restored;
    }

    // ---------------------------------------------------------------------------------------------
    // opening and recovery
    // ---------------------------------------------------------------------------------------------

    /**
     * Opens (creating if needed) the store in {@code dir}, recovering what a crash left: leftovers of
     * interrupted replaces and snapshots are removed and a torn log tail is truncated, durably.
     *
     * @param storage      storage seam.
     * @param dir          the store's directory.
     * @param groupId      the Raft group id; a directory of another group is refused.
     * @param clusterId    the cluster id; a directory of another cluster is refused.
     * @param logCapacity  entries MicroRaft's log holds with this configuration; a restored log longer
     *                     than that is refused (MicroRaft would silently drop its head).
     * @param segmentBytes roll the log segment once it holds this many bytes.
     * @return the open store; {@link #restoredState()} says what it holds.
     * @throws IOException                if the files cannot be read or repaired.
     * @throws CorruptRaftStoreException  if they hold corruption or belong elsewhere.
     */
    public static FileRaftStore open(final Storage storage, final Path dir, final String groupId, final String clusterId,
        final int logCapacity, final long segmentBytes) throws IOException
    {
        storage.createDirectories(dir);
        final Closeable lock = storage.lock(dir.resolve(LOCK));
        try
        {
            return new Loader(storage, dir, groupId, clusterId, logCapacity, segmentBytes, lock).load();
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                lock.close();
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    /**
     * @return what a restarted node resumes from, or empty for a node never started (bootstrap it).
     */
    public Optional<RestoredRaftState> restoredState()
    {
        return Optional.ofNullable(restored);
    }

    /**
     * @return what recovery did (truncations, removed leftovers), one line each.
     */
    public List<String> recoveryReport()
    {
        return recoveryReport;
    }

    /**
     * @param handler runs once, on the failing call's thread, when the store latches failed.
     */
    public void fatalHandler(final Consumer<IOException> handler)
    {
        this.fatalHandler = handler;
    }

    /**
     * @return the failure that latched the store, or null.
     */
    public IOException failure()
    {
        return failure;
    }

    /**
     * @return the store's directory.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * Reads everything back and rebuilds the store's in-memory view.
     */
    private static final class Loader
    {
        private final Storage storage;
        private final Path dir;
        private final String groupId;
        private final String clusterId;
        private final int logCapacity;
        private final long segmentBytes;
        private final Closeable lock;
        private final List<String> report = new ArrayList<>();

        Loader(final Storage storage, final Path dir, final String groupId, final String clusterId, final int logCapacity,
            final long segmentBytes, final Closeable lock)
        {
            this.storage = storage;
            this.dir = dir;
            this.groupId = groupId;
            this.clusterId = clusterId;
            this.logCapacity = logCapacity;
            this.segmentBytes = segmentBytes;
            this.lock = lock;
        }

        FileRaftStore load() throws IOException
        {
            boolean dirChanged = false;
            final List<Path> segmentPaths = new ArrayList<>();
            final List<Path> snapshotPaths = new ArrayList<>();
            for (final Path p : storage.list(dir))
            {
                final String name = p.getFileName().toString();
                if (name.endsWith(AtomicFile.TMP_SUFFIX))
                {
                    storage.delete(p);
                    report.add("removed " + name + ", left by an interrupted replace");
                    dirChanged = true;
                }
                else if (name.startsWith(SEGMENT_PREFIX) && name.endsWith(SEGMENT_SUFFIX))
                {
                    segmentPaths.add(p);
                }
                else if (name.startsWith(SNAPSHOT_PREFIX) && storage.isDirectory(p))
                {
                    snapshotPaths.add(p);
                }
            }
            final Meta meta = readMeta();
            final TermSlot term = readTerm();
            final SnapshotDir snapshot = loadSnapshots(snapshotPaths);
            if (snapshot != null || !segmentPaths.isEmpty() || term != null)
            {
                if (meta == null || meta.endpoint == null || meta.members == null)
                {
                    throw new CorruptRaftStoreException(dir, "holds a Raft log, snapshot or vote but no complete " + META +
                        ": the node's identity is lost; remove the directory only if this node is re-added as a new member");
                }
            }
            final long snapshotIndex = snapshot == null ? 0 : snapshot.index;
            final FileRaftStore store = new FileRaftStore(storage, dir, groupId, clusterId, segmentBytes, lock, report, null);
            final List<LogEntry> entries;
            try
            {
                entries = loadLog(store, segmentPaths, snapshotIndex);
                if (entries.size() > logCapacity)
                {
                    throw new CorruptRaftStoreException(dir, entries.size() + " log entries after the snapshot at " + snapshotIndex +
                        " exceed the Raft log capacity " + logCapacity + " of this configuration (was the snapshot interval or the " +
                        "pending-entry limit lowered? raise them back)");
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                for (final Segment segment : store.segments)
                {
                    try
                    {
                        segment.file.close();
                    }
                    catch (final IOException suppressed)
                    {
                        ex.addSuppressed(suppressed);
                    }
                }
                throw ex;
            }
            if (dirChanged)
            {
                storage.fsyncDirectory(dir);
            }
            RestoredRaftState restored = null;
            if (meta != null && meta.endpoint != null && meta.members != null)
            {
                final RaftTermPersistentState termState = RaftMessageCodec.MODELS.createRaftTermPersistentStateBuilder()
                    .setTerm(term == null ? 0 : term.term).setVotedFor(term == null ? null : term.votedFor).build();
                SnapshotEntry snapshotEntry = null;
                if (snapshot != null)
                {
                    final SnapshotChunk first = snapshot.chunks.firstEntry().getValue();
                    snapshotEntry = RaftMessageCodec.MODELS.createSnapshotEntryBuilder().setIndex(snapshot.index).setTerm(first.getTerm())
                        .setSnapshotChunks(new ArrayList<>(snapshot.chunks.values())).setGroupMembersView(first.getGroupMembersView())
                        .build();
                }
                restored = new RestoredRaftState(meta.endpoint, meta.members, termState, snapshotEntry, entries);
            }
            final FileRaftStore result = new FileRaftStore(storage, dir, groupId, clusterId, segmentBytes, lock, report, restored);
            result.adopt(store, meta, term, snapshot);
            for (final String line : report)
            {
                LOG.log(System.Logger.Level.INFO, "raft store {0}: {1}", dir, line);
            }
            return result;
        }

        private record Meta(String groupId, String clusterId, RaftEndpointPersistentState endpoint, RaftGroupMembersView members,
            byte[] bytes)
        {
        }

        private Meta readMeta() throws IOException
        {
            final Path path = dir.resolve(META);
            final byte[] bytes = AtomicFile.read(storage, path);
            if (bytes == null)
            {
                return null;
            }
            final byte[] body = unframe(bytes, path);
            final WireReader r = new WireReader(body, path.toString());
            final Meta meta;
            try
            {
                meta = ControllerCodec.decode(r, reader ->
                {
                    if (reader.i32("magic") != META_MAGIC || reader.i16("version") != META_VERSION)
                    {
                        throw reader.error("not a raft-meta file of this version");
                    }
                    final String g = reader.nonNullString("groupId");
                    final String c = reader.nonNullString("clusterId");
                    RaftEndpointPersistentState endpoint = null;
                    if (reader.bool("hasEndpoint"))
                    {
                        endpoint = RaftMessageCodec.MODELS.createRaftEndpointPersistentStateBuilder()
                            .setLocalEndpoint(RaftMessageCodec.readEndpoint(reader)).setVoting(reader.bool("voting")).build();
                    }
                    RaftGroupMembersView members = null;
                    if (reader.bool("hasMembers"))
                    {
                        members = RaftMessageCodec.readView(reader);
                    }
                    return new Meta(g, c, endpoint, members, bytes);
                });
            }
            catch (final CodecException ex)
            {
                throw new CorruptRaftStoreException(path, ex.getMessage());
            }
            if (!meta.groupId.equals(groupId) || !meta.clusterId.equals(clusterId))
            {
                throw new CorruptRaftStoreException(dir, "belongs to Raft group '" + meta.groupId + "' of cluster '" + meta.clusterId +
                    "', not group '" + groupId + "' of cluster '" + clusterId + "'");
            }
            return meta;
        }

        private byte[] unframe(final byte[] bytes, final Path path)
        {
            final String problem = checkRecord(ByteBuffer.wrap(bytes), 0, bytes.length);
            if (problem != null || RECORD_HEADER_BYTES + ByteBuffer.wrap(bytes).getInt(0) != bytes.length)
            {
                throw new CorruptRaftStoreException(path, problem != null ? problem : "trailing bytes after the record");
            }
            return Arrays.copyOfRange(bytes, RECORD_HEADER_BYTES, bytes.length);
        }

        private record TermSlot(long seq, int term, RaftEndpoint votedFor)
        {
        }

        private TermSlot readTerm() throws IOException
        {
            final Path path = dir.resolve(TERM);
            if (!storage.exists(path))
            {
                return null;
            }
            final byte[] bytes = AtomicFile.read(storage, path);
            if (bytes == null)
            {
                return null;
            }
            TermSlot best = null;
            for (int slot = 0; slot < 2; slot++)
            {
                final TermSlot s = readSlot(bytes, slot * TERM_SLOT_BYTES);
                if (s != null && (best == null || s.seq > best.seq))
                {
                    best = s;
                }
            }
            if (best == null)
            {
                // only the very first write can leave no valid slot, and it never returned: nothing was promised
                report.add(TERM + " has no valid slot (its first write was torn): starting from term 0");
            }
            return best;
        }

        private static TermSlot readSlot(final byte[] bytes, final int offset)
        {
            if (offset + RECORD_HEADER_BYTES > bytes.length)
            {
                return null;
            }
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (checkRecord(buffer, offset, bytes.length - offset) != null)
            {
                return null;
            }
            final int length = buffer.getInt(offset);
            final WireReader r = new WireReader(ByteBuffer.wrap(bytes, offset + RECORD_HEADER_BYTES, length), TERM);
            try
            {
                return ControllerCodec.decode(r, reader -> new TermSlot(reader.i64("seq"), reader.i32("term", 0, Integer.MAX_VALUE),
                    reader.bool("hasVote") ? RaftMessageCodec.readEndpoint(reader) : null));
            }
            catch (final CodecException ex)
            {
                return null;
            }
        }

        private SnapshotDir loadSnapshots(final List<Path> paths) throws IOException
        {
            final TreeMap<Long, SnapshotDir> complete = new TreeMap<>();
            final List<Path> remove = new ArrayList<>();
            for (final Path p : paths)
            {
                final long index = parseIndex(p.getFileName().toString(), SNAPSHOT_PREFIX, "");
                final SnapshotDir snap = index < 1 ? null : readSnapshot(index, p);
                if (snap != null && snap.complete())
                {
                    complete.put(index, snap);
                }
                else
                {
                    remove.add(p);
                }
            }
            final SnapshotDir newest = complete.isEmpty() ? null : complete.lastEntry().getValue();
            for (final SnapshotDir s : complete.values())
            {
                if (s != newest)
                {
                    remove.add(s.path);
                }
            }
            for (final Path p : remove)
            {
                deleteTree(storage, p);
                report.add("removed " + p.getFileName() + (newest != null && parseIndex(p.getFileName().toString(), SNAPSHOT_PREFIX, "") <
                    newest.index ? ", older than the snapshot at " + newest.index : ", an incomplete snapshot"));
            }
            if (!remove.isEmpty())
            {
                storage.fsyncDirectory(dir);
            }
            if (newest != null)
            {
                newest.synced = true;
            }
            return newest;
        }

        private SnapshotDir readSnapshot(final long index, final Path path) throws IOException
        {
            final SnapshotDir snap = new SnapshotDir(index, path);
            for (final Path file : storage.list(path))
            {
                final byte[] bytes = AtomicFile.read(storage, file);
                if (bytes == null || checkRecord(ByteBuffer.wrap(bytes), 0, bytes.length) != null ||
                    RECORD_HEADER_BYTES + ByteBuffer.wrap(bytes).getInt(0) != bytes.length)
                {
                    return null;
                }
                final SnapshotChunk chunk;
                try
                {
                    chunk = ControllerCodec.decode(new WireReader(ByteBuffer.wrap(bytes, RECORD_HEADER_BYTES, bytes.length - RECORD_HEADER_BYTES),
                        file.toString()), RaftMessageCodec::readChunk);
                }
                catch (final CodecException ex)
                {
                    return null;
                }
                if (chunk.getIndex() != index || !file.getFileName().toString().equals(chunkName(chunk)) ||
                    (snap.chunkCount != 0 && snap.chunkCount != chunk.getSnapshotChunkCount()))
                {
                    return null;
                }
                snap.chunkCount = chunk.getSnapshotChunkCount();
                snap.chunks.put(chunk.getSnapshotChunkIndex(), chunk);
            }
            return snap;
        }

        private List<LogEntry> loadLog(final FileRaftStore store, final List<Path> paths, final long snapshotIndex) throws IOException
        {
            final List<Segment> loaded = store.segments;
            final List<LogEntry> entries = new ArrayList<>();
            long expected = -1;
            int lastTerm = 0;
            long durable = 0;
            for (int s = 0; s < paths.size(); s++)
            {
                final Path path = paths.get(s);
                final boolean last = s == paths.size() - 1;
                final long base = parseIndex(path.getFileName().toString(), SEGMENT_PREFIX, SEGMENT_SUFFIX);
                if (base < 1)
                {
                    throw new CorruptRaftStoreException(path, "not a segment name");
                }
                if (expected != -1 && base != expected)
                {
                    if (base < expected || base - 1 > snapshotIndex)
                    {
                        throw new CorruptRaftStoreException(path, "log gap: the previous segment ends before index " + expected +
                            " but this one starts at " + base + " and the snapshot covers only up to " + snapshotIndex);
                    }
                }
                final StorageFile file = storage.open(path, false);
                final Segment segment = new Segment(path, base, file);
                loaded.add(segment);
                final long size = file.size();
                if (size > Integer.MAX_VALUE)
                {
                    throw new CorruptRaftStoreException(path, "implausible segment size " + size);
                }
                final ByteBuffer data = ByteBuffer.allocate((int)size);
                readFully(file, data);
                data.flip();
                int position = 0;
                long index = base;
                while (position < size)
                {
                    final String problem = checkRecord(data, position, (int)size - position);
                    final LogRecord record = problem == null ? parseRecord(data, position, path) : null;
                    final String bad = problem != null ? problem : record == null ? "undecodable entry" :
                        record.entry.getIndex() != index ? "index " + record.entry.getIndex() + " where " + index + " was expected" :
                        record.entry.getTerm() < lastTerm ? "term " + record.entry.getTerm() + " after term " + lastTerm : null;
                    if (bad != null)
                    {
                        if (!last)
                        {
                            throw new CorruptRaftStoreException(path, "invalid record at position " + position + " (index " + index +
                                ") in a sealed segment: " + bad);
                        }
                        final long provenDurable = durableClaimAfter(data, position, (int)size, path);
                        if (provenDurable >= index)
                        {
                            throw new CorruptRaftStoreException(path, "invalid record at position " + position + " (index " + index +
                                ") although a later record shows index " + provenDurable + " was flushed: " + bad);
                        }
                        file.setLength(position);
                        file.force(true);
                        report.add("truncated a torn tail of " + path.getFileName() + " at position " + position + " (index " + index +
                            ", " + (size - position) + " bytes): " + bad);
                        break;
                    }
                    segment.add(position);
                    position += RECORD_HEADER_BYTES + data.getInt(position);
                    durable = Math.max(durable, record.durableIndex);
                    lastTerm = record.entry.getTerm();
                    if (record.entry.getIndex() > snapshotIndex)
                    {
                        if (entries.isEmpty() && record.entry.getIndex() != snapshotIndex + 1)
                        {
                            throw new CorruptRaftStoreException(path, "log gap: the snapshot ends at " + snapshotIndex +
                                " but the log continues at " + record.entry.getIndex());
                        }
                        entries.add(record.entry);
                    }
                    index++;
                }
                segment.size = position;
                expected = index;
            }
            // segments wholly covered by the snapshot are garbage from an interrupted clean-up
            boolean deleted = false;
            for (final Iterator<Segment> it = loaded.iterator(); it.hasNext();)
            {
                final Segment segment = it.next();
                if (segment.count > 0 && segment.lastIndex() <= snapshotIndex)
                {
                    segment.file.close();
                    storage.delete(segment.path);
                    report.add("removed " + segment.path.getFileName() + ", covered by the snapshot at " + snapshotIndex);
                    it.remove();
                    deleted = true;
                }
            }
            if (deleted)
            {
                storage.fsyncDirectory(dir);
            }
            store.lastIndex = loaded.isEmpty() ? snapshotIndex : Math.max(snapshotIndex, expected - 1);
            // everything read back is on the disk now
            store.durableIndex = store.lastIndex;
            return entries;
        }

        private record LogRecord(LogEntry entry, long durableIndex)
        {
        }

        private static LogRecord parseRecord(final ByteBuffer data, final int position, final Path path)
        {
            final int length = data.getInt(position);
            final WireReader r = new WireReader(data.duplicate().position(position + RECORD_HEADER_BYTES).limit(position +
                RECORD_HEADER_BYTES + length), path.toString());
            try
            {
                return ControllerCodec.decode(r, reader ->
                {
                    final long index = reader.i64("index", 1, Long.MAX_VALUE);
                    final int term = reader.i32("term", 0, Integer.MAX_VALUE);
                    final long durableIndex = reader.i64("durableIndex", 0, Long.MAX_VALUE);
                    final Object payload = RaftMessageCodec.readPayload(reader);
                    return new LogRecord(RaftMessageCodec.MODELS.createLogEntryBuilder().setIndex(index).setTerm(term).setOperation(payload)
                        .build(), durableIndex);
                });
            }
            catch (final CodecException ex)
            {
                return null;
            }
        }

        /**
         * Skips over a bad record whose length looks sane and returns the highest durable index
         * claimed by intact records after it (0 if none can be found).
         */
        private static long durableClaimAfter(final ByteBuffer data, final int badPosition, final int size, final Path path)
        {
            long claim = 0;
            int position = badPosition;
            while (position + RECORD_HEADER_BYTES <= size)
            {
                final int length = data.getInt(position);
                if (length < 1 || length > MAX_RECORD_BYTES || position + RECORD_HEADER_BYTES + (long)length > size)
                {
                    break;
                }
                if (checkRecord(data, position, size - position) == null)
                {
                    final LogRecord record = parseRecord(data, position, path);
                    if (record != null)
                    {
                        claim = Math.max(claim, record.durableIndex);
                    }
                }
                position += RECORD_HEADER_BYTES + length;
            }
            return claim;
        }
    }

    /**
     * @return null if a whole, CRC-valid record starts at {@code position}, else what is wrong.
     */
    static String checkRecord(final ByteBuffer data, final int position, final int available)
    {
        if (available < RECORD_HEADER_BYTES)
        {
            return "only " + available + " bytes where a record header needs " + RECORD_HEADER_BYTES;
        }
        final int length = data.getInt(position);
        if (length < 1 || length > MAX_RECORD_BYTES)
        {
            return "implausible record length " + length;
        }
        if (RECORD_HEADER_BYTES + (long)length > available)
        {
            return "record of " + length + " bytes cut short at " + (available - RECORD_HEADER_BYTES);
        }
        final CRC32C crc = new CRC32C();
        crc.update(data.duplicate().position(position + RECORD_HEADER_BYTES).limit(position + RECORD_HEADER_BYTES + length));
        if ((int)crc.getValue() != data.getInt(position + 4))
        {
            return "CRC mismatch";
        }
        return null;
    }

    private static byte[] frame(final WireWriter body)
    {
        final WireWriter w = new WireWriter(body.length() + RECORD_HEADER_BYTES);
        final CRC32C crc = new CRC32C();
        crc.update(body.array(), 0, body.length());
        w.i32(body.length()).i32((int)crc.getValue()).raw(body.array(), 0, body.length());
        return w.toByteArray();
    }

    private static long parseIndex(final String name, final String prefix, final String suffix)
    {
        if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length() != prefix.length() + 20 + suffix.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(prefix.length(), name.length() - suffix.length()));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String chunkName(final SnapshotChunk chunk)
    {
        return String.format("chunk-%05d-of-%05d", chunk.getSnapshotChunkIndex(), chunk.getSnapshotChunkCount());
    }

    private static void readFully(final StorageFile file, final ByteBuffer into) throws IOException
    {
        long position = 0;
        while (into.hasRemaining())
        {
            final int n = file.read(into, position);
            if (n < 0)
            {
                throw new IOException(file.path() + ": ended early at " + position);
            }
            position += n;
        }
    }

    private static void writeFully(final StorageFile file, final byte[] bytes, final long position) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = position;
        while (buffer.hasRemaining())
        {
            at += file.write(buffer, at);
        }
    }

    private static void deleteTree(final Storage storage, final Path path) throws IOException
    {
        if (storage.isDirectory(path))
        {
            for (final Path child : storage.list(path))
            {
                storage.delete(child);
            }
        }
        storage.delete(path);
    }

    private void adopt(final FileRaftStore loaded, final Loader.Meta meta, final Loader.TermSlot term, final SnapshotDir snapshot)
    {
        segments.addAll(loaded.segments);
        lastIndex = loaded.lastIndex;
        durableIndex = loaded.durableIndex;
        if (meta != null)
        {
            localEndpoint = meta.endpoint();
            initialMembers = meta.members();
            metaBytes = meta.bytes();
        }
        if (term != null)
        {
            termSeq = term.seq();
        }
        if (snapshot != null)
        {
            snapshots.put(snapshot.index, snapshot);
            newestCompleteSnapshot = snapshot.index;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the latch
    // ---------------------------------------------------------------------------------------------

    private interface IoAction
    {
        void run() throws IOException;
    }

    private void guarded(final String operation, final IoAction action) throws IOException
    {
        final IOException earlier = failure;
        if (earlier != null)
        {
            throw new IOException("raft store " + dir + " failed earlier and refuses " + operation + ": " + earlier.getMessage(), earlier);
        }
        try
        {
            action.run();
        }
        catch (final IOException ex)
        {
            throw latch(operation, ex);
        }
        catch (final RuntimeException ex)
        {
            throw latch(operation, new IOException(ex.toString(), ex));
        }
    }

    private IOException latch(final String operation, final IOException ex)
    {
        final IOException failed = new IOException("raft store " + dir + ": " + operation + " failed: " + ex.getMessage(), ex);
        synchronized (this)
        {
            if (failure != null)
            {
                return failed;
            }
            failure = failed;
        }
        LOG.log(System.Logger.Level.ERROR, "raft store " + dir + " failed; the controller on it stops", failed);
        fatalHandler.accept(failed);
        return failed;
    }

    // ---------------------------------------------------------------------------------------------
    // RaftStore
    // ---------------------------------------------------------------------------------------------

    @Override
    public void persistAndFlushLocalEndpoint(final RaftEndpointPersistentState state) throws IOException
    {
        guarded("persistAndFlushLocalEndpoint", () ->
        {
            localEndpoint = state;
            writeMeta();
        });
    }

    @Override
    public void persistAndFlushInitialGroupMembers(final RaftGroupMembersView members) throws IOException
    {
        guarded("persistAndFlushInitialGroupMembers", () ->
        {
            initialMembers = members;
            writeMeta();
        });
    }

    private void writeMeta() throws IOException
    {
        final WireWriter w = new WireWriter();
        w.i32(META_MAGIC).i16(META_VERSION).string(groupId).string(clusterId).bool(localEndpoint != null);
        if (localEndpoint != null)
        {
            RaftMessageCodec.writeEndpoint(w, localEndpoint.getLocalEndpoint());
            w.bool(localEndpoint.isVoting());
        }
        w.bool(initialMembers != null);
        if (initialMembers != null)
        {
            RaftMessageCodec.writeView(w, initialMembers);
        }
        final byte[] bytes = frame(w);
        if (!Arrays.equals(bytes, metaBytes))
        {
            // MicroRaft persists both on every start: rewrite only what changed
            AtomicFile.write(storage, dir.resolve(META), bytes);
            metaBytes = bytes;
        }
    }

    @Override
    public void persistAndFlushTerm(final RaftTermPersistentState state) throws IOException
    {
        guarded("persistAndFlushTerm", () ->
        {
            final WireWriter w = new WireWriter(64);
            final long seq = termSeq + 1;
            w.i64(seq).i32(state.getTerm()).bool(state.getVotedFor() != null);
            if (state.getVotedFor() != null)
            {
                RaftMessageCodec.writeEndpoint(w, state.getVotedFor());
            }
            final boolean created = termFile == null && !storage.exists(dir.resolve(TERM));
            if (termFile == null)
            {
                termFile = storage.open(dir.resolve(TERM), true);
            }
            writeFully(termFile, frame(w), (seq & 1) * TERM_SLOT_BYTES);
            termFile.force(true);
            if (created)
            {
                storage.fsyncDirectory(dir);
            }
            termSeq = seq;
        });
    }

    @Override
    public void persistLogEntries(final List<LogEntry> entries) throws IOException
    {
        guarded("persistLogEntries", () ->
        {
            for (final LogEntry entry : entries)
            {
                append(entry);
            }
        });
    }

    private void append(final LogEntry entry) throws IOException
    {
        final long index = entry.getIndex();
        if (index <= lastIndex)
        {
            throw new IllegalStateException("log entry " + index + " persisted over entries up to " + lastIndex +
                " without truncating them first");
        }
        Segment active = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        final boolean contiguous = active != null && index == active.baseIndex + active.count;
        if (!contiguous || active.size >= segmentBytes)
        {
            // a gap (after a snapshot from the leader) or a full segment: start a new one
            active = roll(index);
        }
        final WireWriter body = new WireWriter(128);
        body.i64(index).i32(entry.getTerm()).i64(durableIndex);
        RaftMessageCodec.writePayload(body, entry.getOperation());
        final byte[] record = frame(body);
        writeFully(active.file, record, active.size);
        active.add(active.size);
        active.size += record.length;
        active.dirty = true;
        lastIndex = index;
    }

    private Segment roll(final long baseIndex) throws IOException
    {
        if (!segments.isEmpty() && segments.get(segments.size() - 1).count == 0)
        {
            // an empty segment (a crash right after a roll, or a gap): the new one replaces it
            final Segment empty = segments.remove(segments.size() - 1);
            empty.file.close();
            storage.delete(empty.path);
        }
        if (!segments.isEmpty())
        {
            final Segment previous = segments.get(segments.size() - 1);
            if (previous.dirty)
            {
                // only the last segment may ever hold unsynced bytes (recovery relies on it)
                previous.file.force(false);
                previous.dirty = false;
            }
        }
        final Path path = dir.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, baseIndex, SEGMENT_SUFFIX));
        final StorageFile file = storage.open(path, true);
        if (file.size() != 0)
        {
            file.setLength(0);
        }
        final Segment segment = new Segment(path, baseIndex, file);
        segments.add(segment);
        dirDirty = true;
        return segment;
    }

    @Override
    public void persistSnapshotChunk(final SnapshotChunk chunk) throws IOException
    {
        guarded("persistSnapshotChunk", () ->
        {
            SnapshotDir snap = snapshots.get(chunk.getIndex());
            if (snap == null)
            {
                snap = new SnapshotDir(chunk.getIndex(), dir.resolve(String.format("%s%020d", SNAPSHOT_PREFIX, chunk.getIndex())));
                storage.createDirectories(snap.path);
                snapshots.put(snap.index, snap);
                dirDirty = true;
            }
            if (snap.chunkCount != 0 && snap.chunkCount != chunk.getSnapshotChunkCount())
            {
                throw new IllegalStateException("snapshot " + chunk.getIndex() + " has " + snap.chunkCount + " chunks, not " +
                    chunk.getSnapshotChunkCount());
            }
            snap.chunkCount = chunk.getSnapshotChunkCount();
            final WireWriter body = new WireWriter(1024);
            RaftMessageCodec.writeChunk(body, chunk);
            final StorageFile file = storage.open(snap.path.resolve(chunkName(chunk)), true);
            unforcedChunks.add(file);
            file.setLength(0);
            writeFully(file, frame(body), 0);
            snap.chunks.put(chunk.getSnapshotChunkIndex(), chunk);
            snap.synced = false;
        });
    }

    @Override
    public void truncateLogEntriesFrom(final long indexInclusive) throws IOException
    {
        guarded("truncateLogEntriesFrom", () ->
        {
            if (indexInclusive > lastIndex)
            {
                return;
            }
            boolean deleted = false;
            while (!segments.isEmpty())
            {
                final Segment last = segments.get(segments.size() - 1);
                if (last.baseIndex < indexInclusive)
                {
                    if (last.lastIndex() >= indexInclusive)
                    {
                        final int keep = (int)(indexInclusive - last.baseIndex);
                        last.size = last.positions[keep];
                        last.count = keep;
                        last.file.setLength(last.size);
                        // durable now: new entries must never be found over the old, longer tail
                        last.file.force(true);
                        last.dirty = false;
                    }
                    break;
                }
                last.file.close();
                storage.delete(last.path);
                segments.remove(segments.size() - 1);
                deleted = true;
            }
            if (deleted)
            {
                storage.fsyncDirectory(dir);
                dirDirty = false;
            }
            lastIndex = indexInclusive - 1;
            durableIndex = Math.min(durableIndex, lastIndex);
        });
    }

    @Override
    public void truncateLogEntriesUntil(final long indexInclusive) throws IOException
    {
        guarded("truncateLogEntriesUntil", () ->
        {
            // never drop log entries that no durable snapshot covers
            final long limit = Math.min(indexInclusive, newestCompleteSnapshot);
            while (!segments.isEmpty())
            {
                final Segment first = segments.get(0);
                if (first.count > 0 && first.lastIndex() > limit || first.count == 0 && segments.size() == 1)
                {
                    break;
                }
                first.file.close();
                storage.delete(first.path);
                segments.remove(0);
                dirDirty = true;
            }
            deleteSnapshotsBelow(newestCompleteSnapshot);
        });
    }

    private void deleteSnapshotsBelow(final long index) throws IOException
    {
        while (!snapshots.isEmpty() && snapshots.firstKey() < index)
        {
            final SnapshotDir old = snapshots.pollFirstEntry().getValue();
            closeUnforced(old.path);
            deleteTree(storage, old.path);
            dirDirty = true;
        }
    }

    private void closeUnforced(final Path snapshotDir) throws IOException
    {
        for (final Iterator<StorageFile> it = unforcedChunks.iterator(); it.hasNext();)
        {
            final StorageFile f = it.next();
            if (f.path().getParent().equals(snapshotDir))
            {
                f.close();
                it.remove();
            }
        }
    }

    @Override
    public void deleteSnapshotChunks(final long logIndex, final int snapshotChunkCount) throws IOException
    {
        guarded("deleteSnapshotChunks", () ->
        {
            final SnapshotDir snap = snapshots.get(logIndex);
            if (snap == null || logIndex == newestCompleteSnapshot)
            {
                return;
            }
            snapshots.remove(logIndex);
            closeUnforced(snap.path);
            deleteTree(storage, snap.path);
            dirDirty = true;
        });
    }

    @Override
    public void flush() throws IOException
    {
        guarded("flush", () ->
        {
            for (final Segment s : segments)
            {
                if (s.dirty)
                {
                    s.file.force(false);
                    s.dirty = false;
                }
            }
            for (final StorageFile f : unforcedChunks)
            {
                f.force(true);
                f.close();
            }
            unforcedChunks.clear();
            for (final SnapshotDir snap : snapshots.values())
            {
                if (!snap.synced)
                {
                    storage.fsyncDirectory(snap.path);
                    snap.synced = true;
                    dirDirty = true;
                }
                if (snap.complete() && snap.index > newestCompleteSnapshot)
                {
                    newestCompleteSnapshot = snap.index;
                }
            }
            if (dirDirty)
            {
                storage.fsyncDirectory(dir);
                dirDirty = false;
            }
            durableIndex = lastIndex;
        });
    }

    /**
     * Closes the open files and releases the directory lock (after the node stopped).
     */
    @Override
    public void close() throws IOException
    {
        IOException first = null;
        final List<Closeable> open = new ArrayList<>();
        for (final Segment s : segments)
        {
            open.add(s.file);
        }
        open.addAll(unforcedChunks);
        if (termFile != null)
        {
            open.add(termFile);
        }
        open.add(lock);
        for (final Closeable c : open)
        {
            try
            {
                c.close();
            }
            catch (final IOException ex)
            {
                if (first == null)
                {
                    first = ex;
                }
                else
                {
                    first.addSuppressed(ex);
                }
            }
        }
        segments.clear();
        unforcedChunks.clear();
        termFile = null;
        if (first != null)
        {
            throw first;
        }
    }

    /**
     * @return a one-line summary (segments, last and durable index, snapshots), for diagnostics.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("FileRaftStore{").append(dir).append(", segments=[");
        for (final Segment s : segments)
        {
            sb.append(s.baseIndex).append("..").append(s.lastIndex()).append(' ');
        }
        return sb.append("], lastIndex=").append(lastIndex).append(", durableIndex=").append(durableIndex).append(", snapshots=")
            .append(snapshots.keySet()).append(", failure=").append(failure).append('}').toString();
    }

    /**
     * @return snapshot indices present (for tests).
     */
    Map<Long, Integer> snapshotChunkCounts()
    {
        final Map<Long, Integer> counts = new TreeMap<>();
        snapshots.forEach((k, v) -> counts.put(k, v.chunks.size()));
        return counts;
    }
}
