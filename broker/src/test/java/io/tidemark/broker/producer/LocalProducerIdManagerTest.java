package io.tidemark.broker.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import io.tidemark.engine.storage.FileStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProducerIdManagerTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNeverHandOutAnIdTwiceAcrossRestarts()
    {
        final Set<Long> seen = new HashSet<>();
        for (int restart = 0; restart < 3; restart++)
        {
            final LocalProducerIdManager ids = new LocalProducerIdManager(FileStorage.INSTANCE, dir);
            for (int i = 0; i < 1500; i++)
            {
                assertTrue(seen.add(ids.nextProducerId()), "unique");
            }
        }
        assertEquals(4500, seen.size());
    }

    @Test
    void shouldPersistTheBlockBeforeHandingOutItsIds() throws Exception
    {
        final LocalProducerIdManager ids = new LocalProducerIdManager(FileStorage.INSTANCE, dir);
        assertEquals(0, ids.nextProducerId());
        assertEquals("block.end=1000", Files.readString(dir.resolve(LocalProducerIdManager.FILE_NAME)).trim());
        // a crash now: the next process starts at the next block
        assertEquals(1000, new LocalProducerIdManager(FileStorage.INSTANCE, dir).nextProducerId());
    }
}
