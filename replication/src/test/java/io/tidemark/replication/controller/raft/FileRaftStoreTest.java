package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.microraft.RaftEndpoint;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.persistence.RestoredRaftState;
import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.engine.storage.FaultyStorage;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Raft store: restore round trips, torn tails, corruption, the I/O-error latch, and a crash
 * matrix cutting the power at every storage operation of a MicroRaft-like call sequence.
 */
class FileRaftStoreTest
{
    static final Path DIR = Path.of("/sim/controller/raft");
    static final String GROUP = "controller@c1";
    static final String CLUSTER = "c1";
    static final int CAPACITY = 10_000;
    static final QuorumEndpoint A = new QuorumEndpoint(1, 0);
    static final QuorumEndpoint B = new QuorumEndpoint(2, 0);
    static final QuorumEndpoint C = new QuorumEndpoint(3, 0);

    static FileRaftStore open(final Storage storage, final long segmentBytes) throws IOException
    {
        return FileRaftStore.open(storage, DIR, GROUP, CLUSTER, CAPACITY, segmentBytes);
    }

    static LogEntry entry(final long index, final int term)
    {
        return RandomModels.F.createLogEntryBuilder().setIndex(index).setTerm(term)
            .setOperation(new ControllerOp.DeleteTopic(new ControllerOp.RequestId(7, index, 0), "topic-" + index + "-" + term)).build();
    }

    static RaftGroupMembersView members()
    {
        return RandomModels.F.createRaftGroupMembersViewBuilder().setLogIndex(0).setMembers(List.of(A, B, C))
            .setVotingMembers(List.of(A, B, C)).build();
    }

    static List<SnapshotChunk> snapshot(final long index, final int term, final int chunks)
    {
        final List<SnapshotChunk> list = new ArrayList<>();
        for (int i = 0; i < chunks; i++)
        {
            final byte[] bytes = new byte[100 + i];
            java.util.Arrays.fill(bytes, (byte)(index + i));
            list.add(RandomModels.F.createSnapshotChunkBuilder().setIndex(index).setTerm(term).setOperation(new SnapshotChunkBytes(bytes))
                .setSnapshotChunkIndex(i).setSnapshotChunkCount(chunks).setGroupMembersView(members()).build());
        }
        return list;
    }

    static void bootstrap(final FileRaftStore store) throws IOException
    {
        store.persistAndFlushLocalEndpoint(RandomModels.F.createRaftEndpointPersistentStateBuilder().setLocalEndpoint(A).setVoting(true).build());
        store.persistAndFlushInitialGroupMembers(members());
    }

    static void term(final FileRaftStore store, final int term, final RaftEndpoint vote) throws IOException
    {
        store.persistAndFlushTerm(RandomModels.F.createRaftTermPersistentStateBuilder().setTerm(term).setVotedFor(vote).build());
    }

    static String describe(final LogEntry e)
    {
        return e.getIndex() + "/" + e.getTerm() + "/" + e.getOperation();
    }

    @Test
    void shouldReportAFreshDirectoryAsNoState() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        try (FileRaftStore store = open(storage, 4096))
        {
            assertTrue(store.restoredState().isEmpty());
            store.persistAndFlushLocalEndpoint(RandomModels.F.createRaftEndpointPersistentStateBuilder().setLocalEndpoint(A).setVoting(true)
                .build());
        }
        try (FileRaftStore store = open(storage, 4096))
        {
            // the endpoint alone (a crash before the members were persisted): still a fresh node
            assertTrue(store.restoredState().isEmpty());
        }
    }

    @Test
    void shouldRestoreTermVoteSnapshotAndLogAfterRestart() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        try (FileRaftStore store = open(storage, 700))
        {
            bootstrap(store);
            term(store, 1, null);
            term(store, 1, B);
            for (int i = 1; i <= 40; i++)
            {
                store.persistLogEntries(List.of(entry(i, 1)));
            }
            store.flush();
            for (final SnapshotChunk c : snapshot(30, 1, 3))
            {
                store.persistSnapshotChunk(c);
            }
            store.flush();
            store.truncateLogEntriesUntil(25);
            store.flush();
            term(store, 2, null);
            term(store, 3, C);
        }
        final CrashSimulatingStorage rebooted = storage.powerCut(1);
        try (FileRaftStore store = open(rebooted, 700))
        {
            final RestoredRaftState s = store.restoredState().orElseThrow();
            assertEquals(A, s.getLocalEndpointPersistentState().getLocalEndpoint());
            assertEquals(List.of(A, B, C), new ArrayList<>(s.getInitialGroupMembers().getMembers()));
            assertEquals(3, s.getTermPersistentState().getTerm());
            assertEquals(C, s.getTermPersistentState().getVotedFor());
            assertEquals(30, s.getSnapshotEntry().getIndex());
            assertEquals(3, s.getSnapshotEntry().getSnapshotChunkCount());
            @SuppressWarnings("unchecked")
            final List<SnapshotChunk> chunks = (List<SnapshotChunk>)s.getSnapshotEntry().getOperation();
            assertEquals(snapshot(30, 1, 3).get(2).getOperation(), chunks.get(2).getOperation());
            assertEquals(10, s.getLogEntries().size());
            for (int i = 0; i < 10; i++)
            {
                assertEquals(describe(entry(31 + i, 1)), describe(s.getLogEntries().get(i)));
            }
            // the restored store continues the log
            store.persistLogEntries(List.of(entry(41, 3)));
            store.flush();
        }
        try (FileRaftStore store = open(rebooted, 700))
        {
            assertEquals(11, store.restoredState().orElseThrow().getLogEntries().size());
        }
    }

    @Test
    void shouldNeverRestoreTruncatedEntries() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        try (FileRaftStore store = open(storage, 500))
        {
            bootstrap(store);
            term(store, 1, A);
            for (int i = 1; i <= 30; i++)
            {
                store.persistLogEntries(List.of(entry(i, 1)));
            }
            store.flush();
            store.truncateLogEntriesFrom(12);
            store.persistLogEntries(List.of(entry(12, 2), entry(13, 2)));
            // not flushed: a cut may lose 12..13 of term 2, but must never bring back 12..30 of term 1
        }
        final CrashSimulatingStorage rebooted = storage.powerCut(3);
        try (FileRaftStore store = open(rebooted, 500))
        {
            final List<LogEntry> entries = store.restoredState().orElseThrow().getLogEntries();
            assertTrue(entries.size() >= 11 && entries.size() <= 13, entries.size() + " entries");
            for (final LogEntry e : entries)
            {
                assertEquals(e.getIndex() <= 11 ? 1 : 2, e.getTerm(), describe(e));
            }
        }
    }

    @Test
    void shouldTruncateATornTailAndSayWhere() throws IOException
    {
        for (final CrashSimulatingStorage.TearMode mode : new CrashSimulatingStorage.TearMode[] {CrashSimulatingStorage.TearMode.GARBAGE,
            CrashSimulatingStorage.TearMode.ZEROS, CrashSimulatingStorage.TearMode.RANDOM})
        {
            int reported = 0;
            for (long seed = 0; seed < 10; seed++)
            {
                final CrashSimulatingStorage storage = new CrashSimulatingStorage().tearMode(mode);
                try (FileRaftStore store = open(storage, 1 << 20))
                {
                    bootstrap(store);
                    term(store, 1, A);
                    for (int i = 1; i <= 20; i++)
                    {
                        store.persistLogEntries(List.of(entry(i, 1)));
                    }
                    store.flush();
                    for (int i = 21; i <= 200; i++)
                    {
                        store.persistLogEntries(List.of(entry(i, 1)));
                    }
                }
                try (FileRaftStore store = open(storage.powerCut(seed), 1 << 20))
                {
                    final List<LogEntry> entries = store.restoredState().orElseThrow().getLogEntries();
                    assertTrue(entries.size() >= 20, mode + ": flushed entries survive, got " + entries.size());
                    if (store.recoveryReport().stream().anyMatch(l -> l.contains("torn tail") && l.contains("index " + (entries.size() + 1))))
                    {
                        reported++;
                    }
                    for (int i = 0; i < entries.size(); i++)
                    {
                        assertEquals(describe(entry(i + 1, 1)), describe(entries.get(i)));
                    }
                }
            }
            if (mode != CrashSimulatingStorage.TearMode.RANDOM)
            {
                assertTrue(reported > 0, mode + ": some cuts tear the tail, and recovery says where");
            }
        }
    }

    private static void flipByte(final Storage storage, final Path file, final long position) throws IOException
    {
        try (StorageFile f = storage.open(file, false))
        {
            final ByteBuffer b = ByteBuffer.allocate(1);
            f.read(b, position);
            b.flip();
            final byte v = b.get(0);
            f.write(ByteBuffer.wrap(new byte[] {(byte)(v ^ 0x10)}), position);
            f.force(true);
        }
    }

    private static List<Path> segments(final Storage storage) throws IOException
    {
        final List<Path> list = new ArrayList<>();
        for (final Path p : storage.list(DIR))
        {
            if (p.getFileName().toString().startsWith(FileRaftStore.SEGMENT_PREFIX))
            {
                list.add(p);
            }
        }
        return list;
    }

    private static CrashSimulatingStorage flushedLog(final int entries, final long segmentBytes) throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        try (FileRaftStore store = open(storage, segmentBytes))
        {
            bootstrap(store);
            term(store, 1, A);
            for (int i = 1; i <= entries; i++)
            {
                store.persistLogEntries(List.of(entry(i, 1)));
                store.flush();
            }
        }
        return storage;
    }

    @Test
    void shouldRefuseCorruptionBeforeDataKnownDurable() throws IOException
    {
        final CrashSimulatingStorage storage = flushedLog(30, 1 << 20);
        final Path segment = segments(storage).get(0);
        // a byte in the 5th record: later records prove index 5 was flushed
        flipByte(storage, segment, 4 * 64 + 20);
        final CorruptRaftStoreException ex = assertThrows(CorruptRaftStoreException.class, () -> open(storage, 1 << 20));
        assertTrue(ex.getMessage().contains("was flushed"), ex.getMessage());
    }

    @Test
    void shouldRefuseCorruptionInASealedSegment() throws IOException
    {
        final CrashSimulatingStorage storage = flushedLog(30, 300);
        final List<Path> segments = segments(storage);
        assertTrue(segments.size() > 2, segments.toString());
        flipByte(storage, segments.get(0), 30);
        final CorruptRaftStoreException ex = assertThrows(CorruptRaftStoreException.class, () -> open(storage, 300));
        assertTrue(ex.getMessage().contains("sealed segment"), ex.getMessage());
        assertEquals(segments.get(0), ex.path());
    }

    @Test
    void shouldRefuseAGapBetweenSegments() throws IOException
    {
        final CrashSimulatingStorage storage = flushedLog(30, 300);
        final List<Path> segments = segments(storage);
        storage.delete(segments.get(1));
        final CorruptRaftStoreException ex = assertThrows(CorruptRaftStoreException.class, () -> open(storage, 300));
        assertTrue(ex.getMessage().contains("gap"), ex.getMessage());
    }

    @Test
    void shouldRefuseADirectoryOfAnotherClusterOrWithoutIdentity() throws IOException
    {
        final CrashSimulatingStorage storage = flushedLog(3, 4096);
        final CorruptRaftStoreException other = assertThrows(CorruptRaftStoreException.class,
            () -> FileRaftStore.open(storage, DIR, "controller@c2", "c2", CAPACITY, 4096));
        assertTrue(other.getMessage().contains("cluster 'c1'"), other.getMessage());
        flipByte(storage, DIR.resolve(FileRaftStore.META), 12);
        assertThrows(CorruptRaftStoreException.class, () -> open(storage, 4096));
        storage.delete(DIR.resolve(FileRaftStore.META));
        final CorruptRaftStoreException lost = assertThrows(CorruptRaftStoreException.class, () -> open(storage, 4096));
        assertTrue(lost.getMessage().contains("identity"), lost.getMessage());
    }

    @Test
    void shouldRefuseMoreEntriesThanTheLogCapacity() throws IOException
    {
        final CrashSimulatingStorage storage = flushedLog(30, 4096);
        final CorruptRaftStoreException ex = assertThrows(CorruptRaftStoreException.class,
            () -> FileRaftStore.open(storage, DIR, GROUP, CLUSTER, 20, 4096));
        assertTrue(ex.getMessage().contains("capacity 20"), ex.getMessage());
    }

    @Test
    void shouldFallBackToTheOlderTermSlotWhenTheNewerIsDamaged() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        try (FileRaftStore store = open(storage, 4096))
        {
            bootstrap(store);
            term(store, 4, B);
            term(store, 5, null);
        }
        // seq 2 (term 5) lives in slot 0
        flipByte(storage, DIR.resolve(FileRaftStore.TERM), 10);
        try (FileRaftStore store = open(storage, 4096))
        {
            assertEquals(4, store.restoredState().orElseThrow().getTermPersistentState().getTerm());
            assertEquals(B, store.restoredState().orElseThrow().getTermPersistentState().getVotedFor());
        }
    }

    @Test
    void shouldLatchOnTheFirstFsyncErrorAndRefuseEverythingAfter() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(new CrashSimulatingStorage(), 1);
        final AtomicInteger fatal = new AtomicInteger();
        try (FileRaftStore store = open(storage, 4096))
        {
            store.fatalHandler(ex -> fatal.incrementAndGet());
            bootstrap(store);
            term(store, 1, A);
            store.persistLogEntries(List.of(entry(1, 1)));
            store.flush();
            storage.failForces(true);
            store.persistLogEntries(List.of(entry(2, 1)));
            final IOException first = assertThrows(IOException.class, store::flush);
            assertTrue(first.getMessage().contains(FaultyStorage.EIO_MESSAGE), first.getMessage());
            assertEquals(1, fatal.get());
            // the disk "recovers": the store must not (entry 2 may be lost from the page cache)
            storage.failForces(false);
            assertThrows(IOException.class, () -> store.persistLogEntries(List.of(entry(3, 1))));
            assertThrows(IOException.class, store::flush);
            assertThrows(IOException.class, () -> term(store, 2, B));
            assertThrows(IOException.class, () -> store.truncateLogEntriesFrom(2));
            assertThrows(IOException.class, () -> store.persistSnapshotChunk(snapshot(1, 1, 1).get(0)));
            assertEquals(1, fatal.get(), "the fatal handler runs once");
            assertNotNull(store.failure());
        }
    }

    @Test
    void shouldLatchWhenAVoteCannotBeMadeDurable() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(new CrashSimulatingStorage(), 1);
        try (FileRaftStore store = open(storage, 4096))
        {
            final AtomicInteger fatal = new AtomicInteger();
            store.fatalHandler(ex -> fatal.incrementAndGet());
            bootstrap(store);
            storage.failForceAfter(1);
            assertThrows(IOException.class, () -> term(store, 1, B));
            assertEquals(1, fatal.get());
            storage.failForces(false);
            assertThrows(IOException.class, () -> term(store, 2, C));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // crash matrix
    // ---------------------------------------------------------------------------------------------

    /**
     * What the store promised so far: updated only when a call returned.
     */
    static final class Model
    {
        int term;
        RaftEndpoint vote;
        boolean bootstrapped;
        final TreeMap<Long, String> written = new TreeMap<>();
        final TreeMap<Long, String> acked = new TreeMap<>();
        final TreeMap<Long, List<String>> history = new TreeMap<>();
        long ackedSnapshot;
        long lastAttemptedTerm;
        RaftEndpoint attemptedVote;
    }

    /**
     * A MicroRaft-like call sequence: bootstrap, votes, appends with group flushes, a conflict
     * truncation, snapshots with log truncation, segment rolls, a gap after an installed snapshot.
     * {@code after} runs after every store call that returned (and the model was updated).
     */
    static void workload(final FileRaftStore store, final Model m, final Runnable after) throws IOException
    {
        bootstrap(store);
        m.bootstrapped = true;
        after.run();
        setTerm(store, m, 1, null, after);
        setTerm(store, m, 1, B, after);
        int term = 1;
        long index = 0;
        for (int round = 0; round < 6; round++)
        {
            for (int i = 0; i < 9; i++)
            {
                index++;
                append(store, m, List.of(entry(index, term)), after);
                if (i % 3 == 2)
                {
                    flush(store, m, after);
                }
            }
            if (round == 1)
            {
                // a conflict: the last 4 entries are replaced by the new leader's
                // while it runs the doomed entries may or may not survive; once it returned they never come back
                m.acked.tailMap(index - 3, true).clear();
                store.truncateLogEntriesFrom(index - 3);
                m.written.tailMap(index - 3, true).clear();
                m.history.tailMap(index - 3, true).clear();
                after.run();
                index -= 4;
                term++;
                setTerm(store, m, term, C, after);
                append(store, m, List.of(entry(index + 1, term), entry(index + 2, term)), after);
                index += 2;
                flush(store, m, after);
            }
            if (round == 3)
            {
                final long snapshotIndex = index - 2;
                for (final SnapshotChunk c : snapshot(snapshotIndex, term, 3))
                {
                    store.persistSnapshotChunk(c);
                    after.run();
                }
                flush(store, m, after);
                m.ackedSnapshot = snapshotIndex;
                store.truncateLogEntriesUntil(snapshotIndex - 5);
                after.run();
                flush(store, m, after);
            }
            if (round == 4)
            {
                // a snapshot from the leader far ahead of this log: then the log continues after a gap
                term++;
                setTerm(store, m, term, null, after);
                final long snapshotIndex = index + 20;
                for (final SnapshotChunk c : snapshot(snapshotIndex, term, 2))
                {
                    store.persistSnapshotChunk(c);
                    after.run();
                }
                flush(store, m, after);
                m.ackedSnapshot = snapshotIndex;
                store.truncateLogEntriesUntil(snapshotIndex);
                after.run();
                flush(store, m, after);
                index = snapshotIndex;
            }
        }
    }

    private static void setTerm(final FileRaftStore store, final Model m, final int term, final RaftEndpoint vote, final Runnable after)
        throws IOException
    {
        m.lastAttemptedTerm = term;
        m.attemptedVote = vote;
        term(store, term, vote);
        m.term = term;
        m.vote = vote;
        after.run();
    }

    private static void append(final FileRaftStore store, final Model m, final List<LogEntry> entries, final Runnable after)
        throws IOException
    {
        for (final LogEntry e : entries)
        {
            m.written.put(e.getIndex(), describe(e));
            m.history.computeIfAbsent(e.getIndex(), k -> new ArrayList<>()).add(describe(e));
        }
        store.persistLogEntries(entries);
        after.run();
    }

    private static void flush(final FileRaftStore store, final Model m, final Runnable after) throws IOException
    {
        store.flush();
        m.acked.clear();
        m.acked.putAll(m.written);
        after.run();
    }

    /**
     * Checks the restored state against the promises.
     */
    static void check(final FileRaftStore store, final Model m, final String where)
    {
        if (!m.bootstrapped)
        {
            return;
        }
        final RestoredRaftState s = store.restoredState().orElseThrow(() -> new AssertionError(where + ": identity lost"));
        final int term = s.getTermPersistentState().getTerm();
        final RaftEndpoint vote = s.getTermPersistentState().getVotedFor();
        // the promised state, or the one whose write was under way at the cut
        assertTrue(term == m.term && java.util.Objects.equals(vote, m.vote) ||
            term == m.lastAttemptedTerm && java.util.Objects.equals(vote, m.attemptedVote), where + ": term " + term + "/" + s.getTermPersistentState().getVotedFor() +
            " but promised " + m.term + "/" + m.vote);
        final long snapshotIndex = s.getSnapshotEntry() == null ? 0 : s.getSnapshotEntry().getIndex();
        assertTrue(snapshotIndex >= m.ackedSnapshot, where + ": snapshot " + snapshotIndex + " older than the flushed " + m.ackedSnapshot);
        final Map<Long, String> restored = new TreeMap<>();
        long expected = snapshotIndex + 1;
        for (final LogEntry e : s.getLogEntries())
        {
            assertEquals(expected++, e.getIndex(), where + ": restored entries are contiguous after the snapshot");
            final List<String> versions = m.history.get(e.getIndex());
            assertTrue(versions != null && versions.contains(describe(e)), where + ": restored " + describe(e) + " was never written");
            restored.put(e.getIndex(), describe(e));
        }
        for (final Map.Entry<Long, String> acked : m.acked.tailMap(snapshotIndex, false).entrySet())
        {
            assertEquals(acked.getValue(), restored.get(acked.getKey()), where + ": flushed entry " + acked.getKey() + " lost");
        }
    }

    private static void crashMatrix(final long seed, final boolean exhaustive) throws IOException
    {
        // how many storage operations the whole workload takes
        final CrashSimulatingStorage probe = new CrashSimulatingStorage();
        final long total;
        try (FileRaftStore store = open(probe, 600))
        {
            final long before = probe.operationCount();
            workload(store, new Model(), () ->
            {
            });
            total = probe.operationCount() - before;
        }
        assertTrue(total > 100, "workload operations: " + total);
        final java.util.Random random = new java.util.Random(seed);
        for (long n = 1; n <= total; n++)
        {
            if (!exhaustive && random.nextInt(4) != 0)
            {
                continue;
            }
            final CrashSimulatingStorage storage = new CrashSimulatingStorage();
            final List<String> ops = new ArrayList<>();
            storage.trace(ops::add);
            final Model m = new Model();
            final FileRaftStore store = open(storage, 600);
            storage.armCrash(n, seed * 31 + n);
            try
            {
                workload(store, m, () ->
                {
                });
                fail("the power was cut at operation " + n + " of " + total);
            }
            catch (final IOException expected)
            {
                assertTrue(storage.isCut(), "seed " + seed + " op " + n + ": " + expected);
            }
            final String where = "seed " + seed + ", cut at storage operation " + n + " of " + total;
            try (FileRaftStore reopened = open(storage.afterCut(), 600))
            {
                try
                {
                    check(reopened, m, where);
                }
                catch (final AssertionError ex)
                {
                    throw new AssertionError(ex.getMessage() + "\nrecovery: " + reopened.recoveryReport() + "\nstore: " + reopened +
                        "\nlast operations: " + ops.subList(Math.max(0, ops.size() - 12), ops.size()) + "\nafter the cut:\n" +
                        storage.afterCut().describe(), ex);
                }
            }
            catch (final CorruptRaftStoreException ex)
            {
                throw new AssertionError(where + ": a torn write was taken for corruption: " + ex.getMessage(), ex);
            }
        }
    }

    @Test
    @Tag(Tags.FAULT)
    void shouldKeepEveryPromiseWhenThePowerIsCutAtAnyStorageOperation() throws IOException
    {
        crashMatrix(Seeds.seed("FileRaftStoreTest.crashMatrix"), true);
    }

    @Test
    @Tag(Tags.SLOW)
    void shouldKeepEveryPromiseUnderManyTearSeeds() throws IOException
    {
        final long base = Seeds.seed("FileRaftStoreTest.crashMatrixSeeds");
        for (long s = 0; s < 200; s++)
        {
            crashMatrix(base + s, false);
        }
    }

    @Test
    @Tag(Tags.FAULT)
    void shouldKeepEveryPromiseWhenThePowerIsCutBetweenCalls() throws IOException
    {
        final long seed = Seeds.seed("FileRaftStoreTest.cutBetweenCalls");
        // cut after each completed store call: the page cache is lost, unsynced pages tear
        for (int calls = 1; ; calls++)
        {
            final CrashSimulatingStorage storage = new CrashSimulatingStorage();
            final Model m = new Model();
            final int limit = calls;
            final AtomicInteger count = new AtomicInteger();
            boolean stopped = false;
            try (FileRaftStore store = open(storage, 600))
            {
                workload(store, m, () ->
                {
                    if (count.incrementAndGet() >= limit)
                    {
                        throw new StopException();
                    }
                });
            }
            catch (final StopException stop)
            {
                stopped = true;
            }
            final String where = "seed " + seed + ", cut after " + calls + " store calls";
            try (FileRaftStore reopened = open(storage.powerCut(seed + calls), 600))
            {
                check(reopened, m, where);
            }
            if (!stopped)
            {
                assertTrue(calls > 50, "the workload makes many calls: " + calls);
                break;
            }
        }
    }

    private static final class StopException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }
}
