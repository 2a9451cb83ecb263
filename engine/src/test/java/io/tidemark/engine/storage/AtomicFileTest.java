package io.tidemark.engine.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLeaveTheOldContentAndNoTemporaryFileWhenTheDiskIsFull() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, 7);
        final Path file = dir.resolve("checkpoint");
        final byte[] old = "old".getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(storage, file, old);
        storage.spaceLeft(0);
        final IOException ex = assertThrows(IOException.class, () -> AtomicFile.write(storage, file, "new".getBytes(StandardCharsets.UTF_8)));
        assertEquals(FaultyStorage.ENOSPC_MESSAGE, ex.getMessage());
        assertArrayEquals(old, AtomicFile.read(storage, file));
        assertFalse(Files.exists(dir.resolve("checkpoint" + AtomicFile.TMP_SUFFIX)), "the temporary file is removed");
    }
}
