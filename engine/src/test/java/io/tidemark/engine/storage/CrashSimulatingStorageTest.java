package io.tidemark.engine.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.Test;

class CrashSimulatingStorageTest
{
    private static final Path DIR = Path.of("/sim/data");

    private static ByteBuffer bytes(final int n, final int value)
    {
        final byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte)value);
        return ByteBuffer.wrap(b);
    }

    private static void writeFully(final StorageFile f, final ByteBuffer b, final long position) throws IOException
    {
        long p = position;
        while (b.hasRemaining())
        {
            p += f.write(b, p);
        }
    }

    @Test
    void shouldKeepSyncedBytesAndDropUnsyncedOnesWhenTheTearModeIsOld() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage().tearMode(CrashSimulatingStorage.TearMode.OLD);
        storage.createDirectories(DIR);
        final Path file = DIR.resolve("a");
        try (StorageFile f = storage.open(file, true))
        {
            writeFully(f, bytes(5000, 1), 0);
            f.force(false);
            storage.fsyncDirectory(DIR);
            writeFully(f, bytes(5000, 2), 5000);
        }
        final CrashSimulatingStorage after = storage.powerCut(7);
        assertTrue(storage.isCut());
        final byte[] content = after.readAllBytes(file);
        assertEquals(5000, content.length);
        for (final byte b : content)
        {
            assertEquals(1, b);
        }
        assertThrows(IOException.class, () -> storage.open(file, false), "the old storage is gone");
    }

    @Test
    void shouldTearUnsyncedPagesIndependentlyInRandomMode() throws IOException
    {
        boolean sawNew = false;
        boolean sawOther = false;
        for (int seed = 0; seed < 20; seed++)
        {
            final CrashSimulatingStorage storage = new CrashSimulatingStorage();
            storage.createDirectories(DIR);
            final Path file = DIR.resolve("a");
            try (StorageFile f = storage.open(file, true))
            {
                writeFully(f, bytes(4 * 4096, 1), 0);
                f.force(false);
                storage.fsyncDirectory(DIR);
                writeFully(f, bytes(4 * 4096, 9), 0);
            }
            final byte[] content = storage.powerCut(seed).readAllBytes(file);
            for (int page = 0; page < 4; page++)
            {
                final int kind = classify(content, page * 4096);
                sawNew |= kind == 9;
                sawOther |= kind != 9;
            }
        }
        assertTrue(sawNew && sawOther, "random mode both keeps and loses unsynced pages");
    }

    /**
     * @return 1, 9 or 0 for a page wholly of that byte, -1 for garbage; never a mix of two contents.
     */
    private static int classify(final byte[] content, final int start)
    {
        for (final int candidate : new int[] { 1, 9, 0 })
        {
            boolean all = true;
            for (int i = start; i < start + 4096 && all; i++)
            {
                all = content[i] == candidate;
            }
            if (all)
            {
                return candidate;
            }
        }
        int ones = 0;
        int nines = 0;
        for (int i = start; i < start + 4096; i++)
        {
            ones += content[i] == 1 ? 1 : 0;
            nines += content[i] == 9 ? 1 : 0;
        }
        assertTrue(ones < 200 && nines < 200, "a page is torn as a whole, not mixed: " + ones + " ones, " + nines + " nines");
        return -1;
    }

    @Test
    void shouldLoseAnUnsyncedCreateAndKeepASyncedOne() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage().tearMode(CrashSimulatingStorage.TearMode.OLD);
        storage.createDirectories(DIR);
        try (StorageFile f = storage.open(DIR.resolve("synced"), true))
        {
            writeFully(f, bytes(10, 1), 0);
            f.force(true);
        }
        storage.fsyncDirectory(DIR);
        try (StorageFile f = storage.open(DIR.resolve("unsynced"), true))
        {
            writeFully(f, bytes(10, 1), 0);
            f.force(true);
        }
        final CrashSimulatingStorage after = storage.powerCut(1);
        assertTrue(after.exists(DIR.resolve("synced")));
        assertFalse(after.exists(DIR.resolve("unsynced")), "its directory entry was never synced");
    }

    @Test
    void shouldMakeARenameDurableOnlyAfterTheDirectorySync() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage().tearMode(CrashSimulatingStorage.TearMode.OLD);
        storage.createDirectories(DIR);
        try (StorageFile f = storage.open(DIR.resolve("old"), true))
        {
            writeFully(f, bytes(10, 1), 0);
            f.force(true);
        }
        storage.fsyncDirectory(DIR);
        storage.move(DIR.resolve("old"), DIR.resolve("new"));
        CrashSimulatingStorage after = storage.powerCut(1);
        assertTrue(after.exists(DIR.resolve("old")));
        assertFalse(after.exists(DIR.resolve("new")));

        after.move(DIR.resolve("old"), DIR.resolve("new"));
        after.fsyncDirectory(DIR);
        final CrashSimulatingStorage again = after.powerCut(2);
        assertFalse(again.exists(DIR.resolve("old")));
        assertTrue(again.exists(DIR.resolve("new")));
    }

    @Test
    void shouldCutThePowerAtTheArmedOperation() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        storage.createDirectories(DIR);
        final StorageFile f = storage.open(DIR.resolve("a"), true);
        storage.armCrash(3, 5);
        writeFully(f, bytes(10, 1), 0);
        f.force(false);
        assertThrows(IOException.class, () -> f.force(false));
        assertTrue(storage.isCut());
        assertNotNull(storage.afterCut());
    }

    @Test
    void shouldSeeMappedWritesAndTransferThemThroughTheChannel() throws IOException
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage().tearMode(CrashSimulatingStorage.TearMode.OLD);
        storage.createDirectories(DIR);
        final StorageFile f = storage.open(DIR.resolve("m"), true);
        f.setLength(8192);
        final MappedRegion region = f.map(0, 8192, true);
        region.buffer().put(100, (byte)42);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long n = f.channel().transferTo(0, 8192, Channels.newChannel(out));
        assertEquals(8192, n);
        assertEquals(42, out.toByteArray()[100]);
        region.force(0, 4096);
        region.close();
        storage.fsyncDirectory(DIR);
        assertEquals(42, storage.powerCut(3).readAllBytes(DIR.resolve("m"))[100]);
    }
}
