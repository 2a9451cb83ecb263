package io.tidemark.engine;

import static io.tidemark.engine.LeaderEpochCache.UNDEFINED_EPOCH;
import static io.tidemark.engine.LeaderEpochCache.UNDEFINED_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.tidemark.engine.LeaderEpochCache.EpochEndOffset;
import io.tidemark.engine.LeaderEpochCache.Entry;
import io.tidemark.engine.record.RecordBatchFlyweight;
import io.tidemark.engine.storage.FileStorage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader epoch cache on its own (KIP-101/279 semantics, mutations, persistence) and as the log
 * uses it (stamping leader appends, keeping replica epochs, trimming on truncation).
 */
class LeaderEpochCacheTest
{
    @TempDir
    Path tmp;

    private LeaderEpochCache cache() throws IOException
    {
        return new LeaderEpochCache(FileStorage.INSTANCE, tmp.resolve(LogLoader.EPOCH_CHECKPOINT));
    }

    /** Epochs 1 from offset 0, 3 from offset 10, 6 from offset 25. */
    private LeaderEpochCache threeEpochs() throws IOException
    {
        final LeaderEpochCache cache = cache();
        assertTrue(cache.assign(1, 0, true));
        assertTrue(cache.assign(3, 10, true));
        assertTrue(cache.assign(6, 25, true));
        return cache;
    }

    private String checkpointText() throws IOException
    {
        return Files.readString(tmp.resolve(LogLoader.EPOCH_CHECKPOINT), StandardCharsets.UTF_8);
    }

    // ---- KIP-279 endOffsetFor ----------------------------------------------------------------------

    @Test
    void shouldReturnTheLogEndOffsetWhenTheLatestEpochIsRequested() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertEquals(new EpochEndOffset(6, 40), cache.endOffsetFor(6, 40));
    }

    @Test
    void shouldReturnTheStartOfTheNextEpochWhenAnOlderEpochIsRequested() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertEquals(new EpochEndOffset(1, 10), cache.endOffsetFor(1, 40));
        assertEquals(new EpochEndOffset(3, 25), cache.endOffsetFor(3, 40));
    }

    @Test
    void shouldReturnTheLargestEpochBelowWhenTheRequestedEpochFallsBetweenEpochs() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertEquals(new EpochEndOffset(1, 10), cache.endOffsetFor(2, 40), "epoch 2 never led: epoch 1 ended at 10");
        assertEquals(new EpochEndOffset(3, 25), cache.endOffsetFor(5, 40), "epochs 4 and 5 never led: epoch 3 ended at 25");
    }

    @Test
    void shouldReturnTheRequestedEpochAndFirstStartWhenTheRequestedEpochIsBelowTheFirst() throws IOException
    {
        final LeaderEpochCache cache = cache();
        cache.assign(4, 7, true);
        cache.assign(5, 12, true);
        assertEquals(new EpochEndOffset(2, 7), cache.endOffsetFor(2, 20));
    }

    @Test
    void shouldReturnUndefinedWhenTheRequestedEpochIsAboveTheLatestOrUndefined() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertEquals(new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET), cache.endOffsetFor(7, 40));
        assertEquals(new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET), cache.endOffsetFor(UNDEFINED_EPOCH, 40));
        assertEquals(new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET), cache().endOffsetFor(0, 40), "empty cache");
    }

    @Test
    void shouldMapOffsetsToTheEpochCoveringThem() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertEquals(1, cache.epochForOffset(0));
        assertEquals(1, cache.epochForOffset(9));
        assertEquals(3, cache.epochForOffset(10));
        assertEquals(6, cache.epochForOffset(1000));
        final LeaderEpochCache late = cache();
        late.assign(2, 5, false);
        assertEquals(UNDEFINED_EPOCH, late.epochForOffset(4));
    }

    // ---- mutations ---------------------------------------------------------------------------------

    @Test
    void shouldIgnoreOlderEpochsAndBackwardStartOffsetsWhenAssigning() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertFalse(cache.assign(6, 30, true), "same epoch");
        assertFalse(cache.assign(4, 30, true), "older epoch");
        assertFalse(cache.assign(7, 20, true), "start offset before the latest entry's");
        assertFalse(cache.assign(-1, 50, true), "undefined epoch");
        assertEquals(List.of(new Entry(1, 0), new Entry(3, 10), new Entry(6, 25)), cache.entries());
        assertEquals(6, cache.latestEpoch());
    }

    @Test
    void shouldReplaceAnEpochThatWroteNothingWhenTheNextStartsAtTheSameOffset() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        assertTrue(cache.assign(8, 25, true));
        assertEquals(List.of(new Entry(1, 0), new Entry(3, 10), new Entry(8, 25)), cache.entries());
        assertEquals(8, cache.latestEpoch());
    }

    @Test
    void shouldDropEntriesStartingAtOrAfterTheEndWhenTruncatingFromTheEnd() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        cache.truncateFromEnd(26);
        assertEquals(3, cache.entries().size(), "epoch 6 still has offset 25");
        cache.truncateFromEnd(25);
        assertEquals(List.of(new Entry(1, 0), new Entry(3, 10)), cache.entries());
        assertEquals(3, cache.latestEpoch());
        assertEquals(new EpochEndOffset(3, 25), cache.endOffsetFor(3, 25), "epoch 3 is the latest again");
        assertEquals("0\n2\n1 0\n3 10\n", checkpointText(), "persisted");
        cache.truncateFromEnd(0);
        assertEquals(List.of(), cache.entries());
        assertEquals(UNDEFINED_EPOCH, cache.latestEpoch());
    }

    @Test
    void shouldStartTheCoveringEntryAtTheNewStartWhenTruncatingFromTheStart() throws IOException
    {
        final LeaderEpochCache cache = threeEpochs();
        cache.truncateFromStart(12);
        assertEquals(List.of(new Entry(3, 12), new Entry(6, 25)), cache.entries());
        assertEquals("0\n2\n3 12\n6 25\n", checkpointText(), "persisted");
        cache.truncateFromStart(5);
        assertEquals(List.of(new Entry(3, 12), new Entry(6, 25)), cache.entries(), "nothing covers offset 5 any more");
        cache.truncateFromStart(30);
        assertEquals(List.of(new Entry(6, 30)), cache.entries());
        assertEquals(6, cache.latestEpoch());
    }

    @Test
    void shouldRoundTripThroughTheCheckpointFile() throws IOException
    {
        threeEpochs();
        assertEquals("0\n3\n1 0\n3 10\n6 25\n", checkpointText(), "Kafka's format: version, count, 'epoch offset' lines");
        final LeaderEpochCache loaded = cache();
        assertTrue(loaded.load());
        assertEquals(List.of(new Entry(1, 0), new Entry(3, 10), new Entry(6, 25)), loaded.entries());
        assertEquals(6, loaded.latestEpoch());
        assertEquals(new EpochEndOffset(3, 25), loaded.endOffsetFor(4, 30));
    }

    @Test
    void shouldReportAMissingFileWhenLoading() throws IOException
    {
        assertFalse(cache().load());
    }

    @Test
    void shouldKeepNoPartialEntriesWhenTheFileIsCorruptHalfway() throws IOException
    {
        // the count matches, the first two entries parse, the third does not
        Files.writeString(tmp.resolve(LogLoader.EPOCH_CHECKPOINT), "0\n3\n0 0\n9 5\n1 x\n");
        final LeaderEpochCache cache = cache();
        assertThrows(CheckpointFile.CorruptCheckpointException.class, cache::load);
        assertEquals(List.of(), cache.entries(), "a failed load leaves nothing behind");
        assertEquals(UNDEFINED_EPOCH, cache.latestEpoch());
        assertTrue(cache.assign(0, 0, false), "and the cache can be rebuilt from the log");
        assertTrue(cache.assign(1, 6, false));
        assertEquals(List.of(new Entry(0, 0), new Entry(1, 6)), cache.entries());
    }

    @Test
    void shouldRejectEntriesOutOfOrderWhenLoading() throws IOException
    {
        Files.writeString(tmp.resolve(LogLoader.EPOCH_CHECKPOINT), "0\n2\n5 10\n4 20\n");
        final LeaderEpochCache cache = cache();
        final CheckpointFile.CorruptCheckpointException ex =
            assertThrows(CheckpointFile.CorruptCheckpointException.class, cache::load);
        assertTrue(ex.getMessage().contains(LogLoader.EPOCH_CHECKPOINT), ex.getMessage());
        assertEquals(List.of(), cache.entries());
    }

    // ---- the log's use of the cache --------------------------------------------------------------

    private Log openLog()
    {
        return Log.options(tmp.resolve("epochs-0")).writerMode(WriterMode.INVOKER).open();
    }

    private static int storedEpochOfBatchAt(final Log log, final long offset)
    {
        try (LogCursor cursor = log.cursor().seek(offset))
        {
            assertTrue(cursor.nextBatch());
            return cursor.batch().partitionLeaderEpoch();
        }
    }

    @Test
    void shouldStampTheLeaderEpochOnLeaderAppends()
    {
        try (Log log = openLog())
        {
            log.leaderEpoch(3);
            assertTrue(Batches.append(log, 1000, "a", "b").succeeded());
            log.leaderEpoch(5);
            assertTrue(Batches.append(log, 1001, "c").succeeded());
            assertTrue(Batches.append(log, 1002, "d").succeeded());
            assertEquals(3, storedEpochOfBatchAt(log, 0));
            assertEquals(5, storedEpochOfBatchAt(log, 2));
            assertEquals(5, storedEpochOfBatchAt(log, 3));
            assertEquals(List.of(new Entry(3, 0), new Entry(5, 2)), log.epochCache().entries());
            assertEquals(new EpochEndOffset(3, 2), log.epochCache().endOffsetFor(3, log.logEndOffset()));
            assertEquals(new EpochEndOffset(5, 4), log.epochCache().endOffsetFor(5, log.logEndOffset()));
        }
        try (Log log = openLog())
        {
            assertEquals(List.of(new Entry(3, 0), new Entry(5, 2)), log.epochCache().entries(), "persisted");
            assertEquals(5, log.leaderEpoch(), "the log resumes at the latest epoch");
        }
    }

    @Test
    void shouldRefuseLeaderAppendsWithAnEpochOlderThanTheLatest()
    {
        try (Log log = openLog())
        {
            log.leaderEpoch(5);
            assertTrue(Batches.append(log, 1000, "a").succeeded());
            log.leaderEpoch(4);
            final AppendResult r = Batches.append(log, 1001, "b");
            assertEquals(AppendResult.INVALID_RECORD, r.status(), r.toString());
            assertEquals(1, log.logEndOffset(), "nothing written");
            assertEquals(List.of(new Entry(5, 0)), log.epochCache().entries());
        }
    }

    @Test
    void shouldKeepTheEpochOfReplicaAppends()
    {
        try (Log log = openLog())
        {
            final UnsafeBuffer first = Batches.batch(1000, "a", "b");
            new RecordBatchFlyweight().wrap(first, 0).partitionLeaderEpoch(7);
            assertTrue(log.appendAsReplica(first, 0, first.capacity()).succeeded());
            final UnsafeBuffer second = Batches.batch(1001, "c");
            final RecordBatchFlyweight b = new RecordBatchFlyweight().wrap(second, 0);
            b.baseOffset(2);
            b.partitionLeaderEpoch(9);
            assertTrue(log.appendAsReplica(second, 0, second.capacity()).succeeded());
            assertEquals(7, storedEpochOfBatchAt(log, 0));
            assertEquals(9, storedEpochOfBatchAt(log, 2));
            assertEquals(List.of(new Entry(7, 0), new Entry(9, 2)), log.epochCache().entries());
            assertEquals(0, log.leaderEpoch(), "a replica append does not change the epoch stamped on leader appends");
        }
    }

    @Test
    void shouldDropAnEpochThatStartsAtTheLogEndWithoutBatchesWhenTruncatedAtOrPastTheEnd()
    {
        try (Log log = openLog())
        {
            log.leaderEpoch(4);
            assertTrue(Batches.append(log, 1000, "a", "b").succeeded());
            // led epoch 6 and lost leadership before appending anything in it
            log.assignLeaderEpoch(6);
            assertEquals(List.of(new Entry(4, 0), new Entry(6, 2)), log.epochCache().entries());
            // the new leader's answer for epoch 6 is at or past our end: nothing to cut, but epoch 6 must go
            assertEquals(2, log.truncateTo(5));
            assertEquals(List.of(new Entry(4, 0)), log.epochCache().entries());
            // so the new leader's batches of epoch 4 are accepted
            final UnsafeBuffer next = Batches.batch(1001, "c");
            final RecordBatchFlyweight b = new RecordBatchFlyweight().wrap(next, 0);
            b.baseOffset(2);
            b.partitionLeaderEpoch(4);
            assertTrue(log.appendAsReplica(next, 0, next.capacity()).succeeded());
        }
    }

    @Test
    void shouldTrimTheCacheWhenTheLogIsTruncated()
    {
        try (Log log = openLog())
        {
            for (int epoch = 1; epoch <= 3; epoch++)
            {
                log.leaderEpoch(epoch);
                assertTrue(Batches.append(log, 1000 + epoch, "e" + epoch + "a", "e" + epoch + "b", "e" + epoch + "c").succeeded());
            }
            assertEquals(List.of(new Entry(1, 0), new Entry(2, 3), new Entry(3, 6)), log.epochCache().entries());
            assertEquals(3, log.truncateTo(4), "to the start of the batch holding offset 4");
            assertEquals(List.of(new Entry(1, 0)), log.epochCache().entries());
            assertEquals(1, log.epochCache().latestEpoch());
            assertEquals(new EpochEndOffset(1, 3), log.epochCache().endOffsetFor(1, log.logEndOffset()));
            log.leaderEpoch(4);
            assertTrue(Batches.append(log, 2000, "e4").succeeded());
            assertEquals(List.of(new Entry(1, 0), new Entry(4, 3)), log.epochCache().entries());
            log.truncateFullyAndStartAt(10);
            assertEquals(List.of(), log.epochCache().entries());
        }
        try (Log log = openLog())
        {
            assertEquals(List.of(), log.epochCache().entries(), "the truncations were persisted");
            assertEquals(10, log.logStartOffset());
        }
    }

    @Test
    void shouldNotGoBackInEpochsWhenRecordsWereDeletedUpToTheEndAndTheLogReopens() throws IOException
    {
        final Path dir = tmp.resolve("epochs-0");
        try (Log log = Log.options(dir).flushPolicy(FlushPolicy.BATCH).writerMode(WriterMode.INVOKER).open())
        {
            log.leaderEpoch(10);
            assertTrue(Batches.append(log, 1000, "a", "b", "c").succeeded());
            assertEquals(3, log.deleteRecordsBefore(3));
            assertEquals(List.of(new Entry(10, 3)), log.epochCache().entries(), "the entry moves to the new log start");
        }
        try (Log log = Log.options(dir).flushPolicy(FlushPolicy.BATCH).writerMode(WriterMode.INVOKER).open())
        {
            // the epoch-10 batch is still in the segment (below the log start): appends must not stamp less
            assertEquals(10, log.leaderEpoch());
            assertEquals(Durability.SYNCED, Batches.append(log, 1001, "d").durability());
            assertEquals(10, storedEpochOfBatchAt(log, 3));
        }
        // a crash after the synced append: recovery validates the segment, leader epochs included
        Files.delete(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE));
        Files.writeString(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT), "0\n1\nepochs 0 4\n");
        try (Log log = Log.options(dir).writerMode(WriterMode.INVOKER).open())
        {
            assertFalse(log.recoveryReport().truncated(), log.recoveryReport().toString());
            assertEquals(4, log.logEndOffset());
            assertEquals(List.of("d"), Batches.values(log));
        }
    }

    @Test
    void shouldMoveTheFirstEntryWhenRecordsAreDeletedBeforeAnOffset()
    {
        try (Log log = openLog())
        {
            log.leaderEpoch(1);
            Batches.append(log, 1000, "a", "b");
            log.leaderEpoch(2);
            Batches.append(log, 1001, "c", "d");
            assertEquals(3, log.deleteRecordsBefore(3));
            assertEquals(List.of(new Entry(2, 3)), log.epochCache().entries());
        }
    }
}
