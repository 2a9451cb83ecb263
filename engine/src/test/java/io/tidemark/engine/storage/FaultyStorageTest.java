package io.tidemark.engine.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class FaultyStorageTest
{
    private static final Path DIR = Path.of("/sim/f");

    @Test
    void shouldFailGrowthPastTheSpaceLeftWithEnospc() throws IOException
    {
        final CrashSimulatingStorage sim = new CrashSimulatingStorage();
        sim.createDirectories(DIR);
        final FaultyStorage storage = new FaultyStorage(sim, 1).spaceLeft(8192);
        final StorageFile f = storage.open(DIR.resolve("a"), true);
        f.allocate(0, 4096);
        f.allocate(4096, 4096);
        final IOException ex = assertThrows(IOException.class, () -> f.allocate(8192, 1));
        assertEquals(FaultyStorage.ENOSPC_MESSAGE, ex.getMessage());
        assertEquals(8192, f.size(), "nothing of the failed growth happened");
        storage.spaceLeft(Long.MAX_VALUE);
        f.allocate(8192, 1);
    }

    @Test
    void shouldFailForcesWithEioAfterTheGivenCount() throws IOException
    {
        final CrashSimulatingStorage sim = new CrashSimulatingStorage();
        sim.createDirectories(DIR);
        final FaultyStorage storage = new FaultyStorage(sim, 1).failForceAfter(2);
        final StorageFile f = storage.open(DIR.resolve("a"), true);
        f.force(false);
        assertThrows(IOException.class, () -> f.force(false));
        assertThrows(IOException.class, () -> f.force(false), "it keeps failing: no silent recovery");
        assertEquals(2, storage.injectedFaults());
    }

    @Test
    void shouldWriteShortButCompletelyWhenTheCallerLoops() throws IOException
    {
        final CrashSimulatingStorage sim = new CrashSimulatingStorage();
        sim.createDirectories(DIR);
        final FaultyStorage storage = new FaultyStorage(sim, 3).shortWrites(1.0);
        final StorageFile f = storage.open(DIR.resolve("a"), true);
        final ByteBuffer b = ByteBuffer.wrap(new byte[1000]);
        long p = 0;
        int calls = 0;
        while (b.hasRemaining())
        {
            p += f.write(b, p);
            calls++;
        }
        assertEquals(1000, f.size());
        assertTrue(calls > 1, "writes were short");
    }
}
