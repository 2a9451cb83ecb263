package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tidemark.engine.storage.CrashSimulatingStorage;

/**
 * Coverage-guided fuzzing of the {@code leader-epoch-checkpoint} parser (RELIABILITY §6). Contract: any
 * content either loads into entries increasing in epoch and never decreasing in start offset, each of
 * which answers KIP-279's end-offset query for its own epoch, or is rejected with {@link CheckpointFile.CorruptCheckpointException} naming the file.
 */
class LeaderEpochCheckpointFuzzTest
{
    private static final Path FILE = Path.of("/sim/leader-epoch-checkpoint");

    @FuzzTest(maxDuration = FuzzDurations.TARGET)
    void shouldLoadOrRejectAnyLeaderEpochCheckpoint(final byte[] content) throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        CheckpointFuzzTest.writeFile(storage, FILE, content);
        final LeaderEpochCache cache = new LeaderEpochCache(storage, FILE);
        try
        {
            assertTrue(cache.load(), "the file exists");
        }
        catch (final CheckpointFile.CorruptCheckpointException expected)
        {
            assertTrue(expected.getMessage().contains(FILE.toString()), "the error names the file: " + expected.getMessage());
            return;
        }
        final List<LeaderEpochCache.Entry> entries = cache.entries();
        for (int i = 1; i < entries.size(); i++)
        {
            assertTrue(entries.get(i).epoch() > entries.get(i - 1).epoch(), "epochs increase: " + entries);
            assertTrue(entries.get(i).startOffset() >= entries.get(i - 1).startOffset(), "start offsets never go back: " + entries);
        }
        for (final LeaderEpochCache.Entry e : entries)
        {
            final LeaderEpochCache.EpochEndOffset end = cache.endOffsetFor(e.epoch(), Long.MAX_VALUE);
            assertEquals(e.epoch(), end.epoch(), "a loaded epoch answers for itself: " + entries);
            assertTrue(end.endOffset() >= e.startOffset(), "an epoch ends at or after its start: " + entries);
        }
    }
}
