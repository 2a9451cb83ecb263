package io.tidemark.testkit.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tidemark.testkit.Tags;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The lossy filesystem itself, through a real FUSE mount; skipped, saying why, where FUSE cannot be used. */
@Tag(Tags.INTEGRATION)
class LossyFsTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;
    private LossyFs fs;
    private Path mnt;

    @BeforeEach
    void mount()
    {
        final String why = LossyFs.unavailable().orElse(null);
        assumeTrue(why == null, () -> "lossyfs tests skipped: " + why);
        fs = LossyFs.mount(dir.resolve("backing"), dir.resolve("trash"), dir.resolve("mnt"), dir.resolve("lossyfs.log"));
        mnt = fs.mountPoint();
    }

    @AfterEach
    void unmount()
    {
        if (fs != null)
        {
            fs.close();
        }
    }

    private static void write(final Path file, final byte[] bytes, final long position, final boolean sync) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            ch.write(ByteBuffer.wrap(bytes), position);
            if (sync)
            {
                ch.force(true);
            }
        }
    }

    private static void syncDir(final Path d) throws IOException
    {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ))
        {
            ch.force(true);
        }
    }

    private static byte[] filled(final int length, final int value)
    {
        final byte[] b = new byte[length];
        Arrays.fill(b, (byte)value);
        return b;
    }

    /** A durable file: written, fsynced, its directory fsynced. */
    private Path durable(final String name, final byte[] content) throws IOException
    {
        final Path file = mnt.resolve(name);
        write(file, content, 0, true);
        syncDir(mnt);
        return file;
    }

    private void cutAndRemount()
    {
        fs.cut();
        fs.remount();
    }

    @Test
    void shouldDropWritesNotFsyncedWhenCut() throws IOException
    {
        final Path file = durable("a.log", filled(PAGE + 100, 1));
        write(file, filled(PAGE, 2), 50, false);
        write(file, filled(3 * PAGE, 3), PAGE + 100, false);
        assertEquals(2L, fs.counters().get("unsynced-pages"), fs.status());

        cutAndRemount();

        assertArrayEquals(filled(PAGE + 100, 1), Files.readAllBytes(file));
        assertEquals(0L, fs.counters().get("dirty-files"));
    }

    @Test
    void shouldKeepWritesFsyncedWhenCut() throws IOException
    {
        final Path file = durable("a.log", filled(100, 1));
        write(file, filled(2 * PAGE, 2), 100, true);
        write(file, filled(10, 3), 0, false);

        cutAndRemount();

        final byte[] expected = filled(100 + 2 * PAGE, 2);
        Arrays.fill(expected, 0, 100, (byte)1);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void shouldRestoreSyncedPagesWhenAnUnsyncedTruncateShrankTheFile() throws IOException
    {
        final Path file = durable("a.log", filled(3 * PAGE, 7));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.truncate(10);
        }

        cutAndRemount();

        assertArrayEquals(filled(3 * PAGE, 7), Files.readAllBytes(file));
    }

    @Test
    void shouldDropAFsyncedFileWhoseDirectoryWasNotFsynced() throws IOException
    {
        Files.createDirectories(mnt.resolve("topic-0"));
        syncDir(mnt);
        write(mnt.resolve("topic-0/00000000000000000000.log"), filled(100, 1), 0, true);
        Files.createDirectories(mnt.resolve("topic-1"));
        write(mnt.resolve("topic-1/00000000000000000000.log"), filled(100, 1), 0, true);
        syncDir(mnt.resolve("topic-1"));

        cutAndRemount();

        assertFalse(Files.exists(mnt.resolve("topic-0/00000000000000000000.log")), "topic-0's entry was never synced");
        assertTrue(Files.isDirectory(mnt.resolve("topic-0")));
        assertFalse(Files.exists(mnt.resolve("topic-1")), "the root was not synced after mkdir topic-1");
    }

    @Test
    void shouldUndoARenameOverAFileWhenTheDirectoryWasNotFsynced() throws IOException
    {
        final Path checkpoint = durable("checkpoint", "old".getBytes(StandardCharsets.UTF_8));
        final Path tmp = mnt.resolve("checkpoint.tmp");
        write(tmp, "new".getBytes(StandardCharsets.UTF_8), 0, true);
        Files.move(tmp, checkpoint, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        cutAndRemount();

        assertEquals("old", Files.readString(checkpoint));
        assertFalse(Files.exists(tmp), "the tmp file's create was not synced either");
    }

    @Test
    void shouldKeepARenameAndBringBackAnUnlinkWhenOnlyTheRenameWasSynced() throws IOException
    {
        final Path checkpoint = durable("checkpoint", "old".getBytes(StandardCharsets.UTF_8));
        final Path segment = durable("segment", "data".getBytes(StandardCharsets.UTF_8));
        final Path tmp = mnt.resolve("checkpoint.tmp");
        write(tmp, "new".getBytes(StandardCharsets.UTF_8), 0, true);
        Files.move(tmp, checkpoint, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDir(mnt);
        Files.delete(segment);

        cutAndRemount();

        assertEquals("new", Files.readString(checkpoint));
        assertEquals("data", Files.readString(segment), "the unlink was not synced");
    }

    @Test
    void shouldSeeMappedForceAsFsyncAndDropMappedWritesNotForcedWhenCut() throws IOException
    {
        final Path file = durable("00000000000000000000.log", new byte[4 * PAGE]);
        final long fsyncsBefore = fs.counters().get("fsyncs");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4 * PAGE);
            map.put(0, (byte)1);
            map.put(PAGE + 1, (byte)2);
            assertEquals(0L, fs.counters().get("unsynced-pages"), "mapped writes wait in the page cache: " + fs.status());
            map.force(0, PAGE);
            assertEquals(fsyncsBefore + 1, fs.counters().get("fsyncs"), "force() reaches the filesystem as an fsync");
            map.put(2 * PAGE, (byte)3);
        }
        // closing the channel flushed the dirty pages: the filesystem has them, unsynced
        final Map<String, Long> counters = fs.counters();
        assertEquals(2L, counters.get("unsynced-pages"), fs.status());

        cutAndRemount();

        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(1, bytes[0], "forced");
        assertEquals(0, bytes[PAGE + 1], "outside the forced range, written back only at close");
        assertEquals(0, bytes[2 * PAGE], "never forced");
    }

    @Test
    void shouldRefuseWritesAfterACutUntilRemounted() throws IOException
    {
        final Path file = durable("a.log", filled(10, 1));
        fs.cut();

        assertThrows(IOException.class, () -> write(file, filled(10, 2), 0, false));
        assertThrows(IOException.class, () -> Files.createFile(mnt.resolve("b.log")));
        assertEquals(1L, fs.counters().get("cut"));
        fs.remount();
        write(file, filled(10, 2), 0, true);
        assertArrayEquals(filled(10, 2), Files.readAllBytes(file));
    }

    private byte[] tornImage(final String sub, final long seed) throws IOException
    {
        fs.remount();
        final Path d = mnt.resolve(sub);
        Files.createDirectories(d);
        syncDir(mnt);
        syncDir(d);
        final Path file = d.resolve("a.log");
        write(file, filled(64 * PAGE, 1), 0, true);
        syncDir(d);
        write(file, filled(64 * PAGE + 10, 2), 0, false);
        fs.cutTorn(seed);
        fs.remount();
        return Files.readAllBytes(file);
    }

    @Test
    void shouldTearEachUnsyncedPageOldNewOrZeroTheSameWayForTheSameSeed() throws IOException
    {
        final byte[] first = tornImage("one", 42);
        final byte[] again = tornImage("two", 42);
        final byte[] other = tornImage("three", 43);

        assertArrayEquals(first, again);
        assertNotEquals(Arrays.toString(first), Arrays.toString(other));
        final int[] seen = new int[3];
        for (int page = 0; page < 64; page++)
        {
            final byte b = first[page * PAGE];
            for (int i = page * PAGE; i < (page + 1) * PAGE; i++)
            {
                assertEquals(b, first[i], "page " + page + " is one whole version");
            }
            seen[b]++;
        }
        assertTrue(seen[0] > 0 && seen[1] > 0 && seen[2] > 0, "old, new and zero pages: " + Arrays.toString(seen));
    }

    @Test
    void shouldNeverTearSyncedBytesOfAPageAnUnsyncedAppendSharesWithThem() throws IOException
    {
        final int[] outcomes = new int[2];
        for (int seed = 0; seed < 12; seed++)
        {
            final Path file = durable("seg-" + seed + ".log", filled(100, 1));
            write(file, filled(100, 2), 100, false);
            fs.cutTorn(seed);
            fs.remount();
            final byte[] bytes = Files.readAllBytes(file);
            assertArrayEquals(filled(100, 1), Arrays.copyOf(bytes, 100), "seed " + seed + ": the synced bytes");
            outcomes[bytes[100] == 2 ? 1 : 0]++;
        }
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0, "appends dropped (old or zero) and kept (new): " + Arrays.toString(outcomes));
    }

    @Test
    void shouldFailTheNextFsyncOfAMatchingFileWithEioAndKeepItsWritesUnsynced() throws IOException
    {
        final Path file = durable("a.log", filled(10, 1));
        final Path other = durable("b.idx", filled(10, 1));
        fs.failNextFsync("/*.log");

        write(other, filled(10, 5), 0, true);
        final IOException e = assertThrows(IOException.class, () -> write(file, filled(10, 2), 0, true));
        assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
        write(file, filled(10, 3), 20, true); // only the next one fails; this one syncs everything before it

        cutAndRemount();

        final byte[] expected = new byte[30];
        Arrays.fill(expected, 0, 10, (byte)2);
        Arrays.fill(expected, 20, 30, (byte)3);
        assertArrayEquals(expected, Files.readAllBytes(file));
        assertArrayEquals(filled(10, 5), Files.readAllBytes(other));
    }

    @Test
    void shouldDropTheWritesOfAFailedFsyncWhenCutBeforeAnotherSync() throws IOException
    {
        final Path file = durable("a.log", filled(10, 1));
        fs.failNextFsync("/a.log");
        assertThrows(IOException.class, () -> write(file, filled(10, 2), 0, true));

        cutAndRemount();

        assertArrayEquals(filled(10, 1), Files.readAllBytes(file));
    }

    @Test
    void shouldFailWritesToMatchingFilesWithEnospcUntilCleared() throws IOException
    {
        final Path file = durable("a.log", filled(10, 1));
        fs.enospc("/*.log");

        final IOException e = assertThrows(IOException.class, () -> write(file, filled(10, 2), 10, false));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        write(mnt.resolve("meta.properties"), filled(10, 3), 0, true);
        fs.clearFaults();
        write(file, filled(10, 2), 10, true);
        assertEquals(20, Files.size(file));
    }
}
