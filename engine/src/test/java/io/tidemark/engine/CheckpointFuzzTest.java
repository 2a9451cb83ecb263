package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.engine.storage.StorageFile;

/**
 * Coverage-guided fuzzing of the offset checkpoint parser ({@code recovery-point-offset-checkpoint} and its
 * siblings, RELIABILITY §6). Contract: any file content either parses into offsets that survive a
 * write and read back unchanged, or is rejected with {@link CheckpointFile.CorruptCheckpointException}
 * naming the file; nothing else is thrown.
 *
 * <p>The default build replays {@code CheckpointFuzzTestInputs/}; {@code -Pslow} fuzzes it.
 */
class CheckpointFuzzTest
{
    private static final Path FILE = Path.of("/sim/recovery-point-offset-checkpoint");

    @FuzzTest(maxDuration = FuzzDurations.TARGET)
    void shouldParseOrRejectAnyOffsetCheckpoint(final byte[] content) throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        writeFile(storage, FILE, content);
        final OffsetCheckpoint checkpoint = new OffsetCheckpoint(storage, FILE);
        final Map<TopicPartition, Long> offsets;
        try
        {
            offsets = checkpoint.read();
        }
        catch (final CheckpointFile.CorruptCheckpointException expected)
        {
            assertTrue(expected.getMessage().contains(FILE.toString()), "the error names the file: " + expected.getMessage());
            return;
        }
        checkpoint.write(offsets);
        assertEquals(offsets, checkpoint.read(), "a parsed checkpoint survives a rewrite");
    }

    static void writeFile(final CrashSimulatingStorage storage, final Path path, final byte[] content) throws IOException
    {
        storage.createDirectories(path.getParent());
        try (StorageFile file = storage.open(path, true))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(content);
            long position = 0;
            while (buffer.hasRemaining())
            {
                position += file.write(buffer, position);
            }
        }
    }
}
