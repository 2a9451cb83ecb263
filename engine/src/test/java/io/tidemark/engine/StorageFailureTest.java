package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tidemark.engine.storage.FaultyStorage;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the appender sees when the disk fails: a full disk (injected through the faulty storage, and a
 * real size-limited tmpfs), a failed fsync (never retried; the log and, under a log manager, its
 * whole directory fail), and short writes of checkpoint files.
 */
@Tag(Tags.FAULT)
class StorageFailureTest
{
    private static final LogConfig SMALL = LogConfig.builder()
        .segmentBytes(64 * 1024)
        .preallocateBytes(4096)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;

    private static String value(final int i)
    {
        return "value-" + i + "-" + "p".repeat(150);
    }

    // ==============================================================================================
    // Full disk
    // ==============================================================================================

    @Test
    void shouldRefuseAppendsWithOutOfSpaceAndRecoverWhenSpaceIsBack()
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#enospc"));
        final Path dir = tmp.resolve("full-0");
        final List<String> model = new ArrayList<>();
        try (Log log = Log.options(dir).config(SMALL).storage(storage).open())
        {
            for (int i = 0; i < 10; i++)
            {
                assertTrue(Batches.append(log, 1000, value(model.size())).succeeded());
                model.add(value(model.size()));
            }
            storage.spaceLeft(0);
            AppendResult r = null;
            for (int i = 0; i < 1000; i++)
            {
                r = Batches.append(log, 1000, value(model.size()));
                if (!r.succeeded())
                {
                    break;
                }
                model.add(value(model.size()));
            }
            assertNotNull(r);
            assertEquals(AppendResult.OUT_OF_SPACE, r.status(), "appends fit in the reserved blocks, then: " + r);
            assertEquals(Durability.NONE, r.durability());
            final StorageException se = assertInstanceOf(StorageException.class, r.error());
            assertEquals(StorageException.Kind.OUT_OF_SPACE, se.kind());
            assertEquals(dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX)), se.path(), "names the segment file");
            assertTrue(se.getMessage().contains(Segment.fileName(0, Segment.LOG_SUFFIX)), se.getMessage());
            assertTrue(se.getMessage().contains(FaultyStorage.ENOSPC_MESSAGE), se.getMessage());
            assertThrows(StorageException.class, r::orThrow);

            assertNull(log.failure(), "a full disk does not fail the log");
            assertEquals(model.size(), log.logEndOffset(), "no offset was consumed by the refused append");
            assertEquals(model, Batches.values(log), "the log stays readable and consistent");
            assertEquals(AppendResult.OUT_OF_SPACE, Batches.append(log, 1000, value(model.size())).status(), "still full");
            assertEquals(model.size(), log.logEndOffset());

            storage.spaceLeft(Long.MAX_VALUE);
            final AppendResult after = Batches.append(log, 1000, value(model.size()));
            assertEquals(AppendResult.OK, after.status(), after.toString());
            assertEquals(model.size(), after.baseOffset(), "offsets stay dense");
            model.add(value(model.size()));
            assertEquals(model, Batches.values(log));
        }
        try (Log log = Log.options(dir).config(SMALL).open())
        {
            assertTrue(log.recoveryReport().cleanShutdown());
            assertEquals(model, Batches.values(log));
        }
    }

    @Test
    void shouldRefuseAppendsWithOutOfSpaceWhenTheRollCannotReserveTheNewSegment() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#roll"));
        final Path dir = tmp.resolve("roll-0");
        final LogConfig config = SMALL.toBuilder().segmentBytes(8192).maxBatchBytes(4096).build();
        final List<String> model = new ArrayList<>();
        try (Log log = Log.options(dir).config(config).storage(storage).open())
        {
            // fill the first segment past its first 4 KiB chunk: from then on its blocks are all reserved
            while (log.sizeInBytes() <= 4096)
            {
                assertTrue(Batches.append(log, 1000, value(model.size())).succeeded());
                model.add(value(model.size()));
            }
            storage.spaceLeft(0);
            AppendResult r = null;
            for (int i = 0; i < 100; i++)
            {
                r = Batches.append(log, 1000, value(model.size()));
                if (!r.succeeded())
                {
                    break;
                }
                model.add(value(model.size()));
            }
            assertNotNull(r);
            assertEquals(AppendResult.OUT_OF_SPACE, r.status(), r.toString());
            final StorageException se = assertInstanceOf(StorageException.class, r.error());
            assertEquals(StorageException.Kind.OUT_OF_SPACE, se.kind());
            assertEquals(1, log.segmentCount());
            assertTrue(model.size() > 30, "the first segment was filled: " + model.size());
            final long openBefore = openFilesUnder(dir);
            for (int i = 0; i < 5; i++)
            {
                assertEquals(AppendResult.OUT_OF_SPACE, Batches.append(log, 1000, value(model.size())).status());
            }
            if (openBefore >= 0)
            {
                assertEquals(openBefore, openFilesUnder(dir), "failed rolls leave no files open behind");
            }
            assertFalse(Files.exists(dir.resolve(Segment.fileName(model.size(), Segment.LOG_SUFFIX))),
                "nor the half-made segment");
            assertNull(log.failure());
            assertEquals(model, Batches.values(log));

            storage.spaceLeft(Long.MAX_VALUE);
            final AppendResult after = Batches.append(log, 1000, value(model.size()));
            assertEquals(AppendResult.OK, after.status(), after.toString());
            assertEquals(model.size(), after.baseOffset());
            model.add(value(model.size()));
            assertEquals(2, log.segmentCount(), "the roll completed once space was back");
            assertEquals(model, Batches.values(log));
        }
        try (Log log = Log.options(dir).config(SMALL).open())
        {
            assertEquals(model, Batches.values(log));
        }
    }

    @Test
    void shouldReopenAndRecoverALogOnAFullDisk() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#reopen"));
        final Path dir = tmp.resolve("reopen-0");
        final List<String> model = new ArrayList<>();
        try (Log log = Log.options(dir).config(SMALL).storage(storage).open())
        {
            log.leaderEpoch(2);
            for (int i = 0; i < 20; i++)
            {
                assertTrue(Batches.append(log, 1000, value(i)).succeeded());
                model.add(value(i));
            }
        }
        storage.spaceLeft(0);
        try (Log log = Log.options(dir).config(SMALL).storage(storage).open())
        {
            assertTrue(log.recoveryReport().cleanShutdown());
            assertEquals(model, Batches.values(log), "a full disk does not keep a log from opening");
            assertEquals(AppendResult.OUT_OF_SPACE, Batches.append(log, 1000, value(20)).status());
        }
        // and after a crash: no marker, an old recovery point, so recovery validates on the full disk
        Files.deleteIfExists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)); // the full disk kept the close from writing it
        Files.writeString(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT), "0\n1\nreopen 0 0\n");
        try (Log log = Log.options(dir).config(SMALL).storage(storage).open())
        {
            assertFalse(log.recoveryReport().cleanShutdown());
            assertEquals(1, log.recoveryReport().segmentsValidated());
            assertEquals(model, Batches.values(log));
            assertEquals(2, log.epochCache().latestEpoch());
            assertEquals(AppendResult.OUT_OF_SPACE, Batches.append(log, 1000, value(20)).status());
            storage.spaceLeft(Long.MAX_VALUE);
            assertEquals(20, Batches.append(log, 1000, value(20)).baseOffset());
            model.add(value(20));
            assertEquals(model, Batches.values(log));
        }
    }

    /**
     * @return descriptors this process holds on files under {@code dir}, or -1 without /proc.
     */
    private static long openFilesUnder(final Path dir) throws IOException
    {
        final Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds))
        {
            return -1;
        }
        long count = 0;
        try (Stream<Path> list = Files.list(fds))
        {
            for (final Path fd : list.toList())
            {
                try
                {
                    if (Files.readSymbolicLink(fd).startsWith(dir))
                    {
                        count++;
                    }
                }
                catch (final IOException ignore)
                {
                    // the descriptor closed while listing
                }
            }
        }
        return count;
    }

    /**
     * A real full disk: a small tmpfs mounted in a private mount namespace of a child JVM that appends
     * until the disk is full. It must see OUT_OF_SPACE (never a SIGBUS from a mapped write), read its
     * log back, close it and reopen it. (At 4160 KiB the disk fills during a roll and the close cannot
     * write its checkpoints, so the reopen is a recovery on a full disk.)
     */
    @ParameterizedTest
    @ValueSource(strings = { "4m", "4160k" })
    void shouldReportOutOfSpaceAndReopenWhenARealDiskFills(final String size) throws Exception
    {
        final Path mountPoint = mountableDir();
        final String output = inPrivateTmpfs(mountPoint, size, "exec \"$@\" clean");
        final long appended = assertFull(output, mountPoint);
        assertTrue(output.contains("CLOSED") && !output.contains("CLOSE_FAILED"), output);
        assertTrue(output.contains("REOPEN end=" + appended + " match=true"), "the log reopens with everything:\n" + output);
        assertTrue(output.contains("DONE"), output);
    }

    /**
     * The same, but the child halts without closing once the disk is full, and a second child
     * recovers the log on the still full disk: recovery must not touch a hole of the mapped segment
     * (on tmpfs even a read fault on a hole needs a free page).
     */
    @ParameterizedTest
    @ValueSource(strings = { "4m", "4160k" })
    void shouldRecoverALogThatCrashedOnAFullRealDisk(final String size) throws Exception
    {
        final Path mountPoint = mountableDir();
        final String output = inPrivateTmpfs(mountPoint, size, "\"$@\" crash; exec \"$@\" reopen");
        final long appended = assertFull(output, mountPoint);
        assertTrue(output.contains("HALT"), output);
        assertTrue(output.contains("REOPEN end=" + appended + " match=true clean=false"),
            "every record written before the crash is recovered:\n" + output);
        assertTrue(output.contains("NEXT status=OUT_OF_SPACE failure=null"), "still full, and said so:\n" + output);
        assertTrue(output.contains("DONE"), output);
    }

    private Path mountableDir() throws IOException, InterruptedException
    {
        final Path mountPoint = Files.createDirectories(tmp.resolve("tmpfs"));
        final String probe = run(List.of("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$1\"", "sh",
            mountPoint.toString()), 30);
        assumeTrue(probe.startsWith("exit=0"), "needs root and permission to mount a tmpfs in a private mount namespace " +
            "(unshare -m); the probe said: " + probe);
        return mountPoint;
    }

    /**
     * Runs {@code script} in a new mount namespace with a tmpfs of {@code size} on {@code mountPoint},
     * where {@code "$@"} is the command line of a {@link DiskFullChild} on that tmpfs.
     */
    private static String inPrivateTmpfs(final Path mountPoint, final String size, final String script)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
            "mount -t tmpfs -o size=" + size + " tmpfs \"$1\" && shift && " + script, "sh", mountPoint.toString()));
        command.addAll(ChildJvm.command(DiskFullChild.class, mountPoint.toString()));
        final String output = run(command, 120);
        System.out.println("disk-full child:\n" + output);
        assertTrue(output.startsWith("exit=0"), "the child must not crash:\n" + output);
        assertFalse(output.contains("SIGBUS") || output.contains("InternalError") || output.contains("Exception in thread"), output);
        return output;
    }

    /**
     * @return how many records were appended before the disk was full.
     */
    private static long assertFull(final String output, final Path mountPoint)
    {
        assertTrue(output.contains("FULL status=OUT_OF_SPACE kind=OUT_OF_SPACE path=" + mountPoint.resolve("full-0")),
            "the appender sees OUT_OF_SPACE naming the file:\n" + output);
        assertTrue(output.contains("failure=null"), "the log is not failed by a full disk:\n" + output);
        assertTrue(output.contains("AGAIN status=OUT_OF_SPACE"), output);
        final String full = output.substring(output.indexOf("appended=") + "appended=".length());
        final long appended = Long.parseLong(full.substring(0, full.indexOf(' ')));
        assertTrue(appended > 1000, "the disk filled with records: " + appended);
        assertTrue(output.contains("READ n=" + appended + " match=true"), "readable while full:\n" + output);
        return appended;
    }

    private static String run(final List<String> command, final long timeoutSeconds) throws IOException, InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            return "exit=-1 cannot start " + command.get(0) + ": " + ex.getMessage();
        }
        final byte[] out;
        try
        {
            final CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return process.getInputStream().readAllBytes();
                }
                catch (final IOException ex)
                {
                    return ex.toString().getBytes(StandardCharsets.UTF_8);
                }
            });
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail("child timed out after " + timeoutSeconds + " s: " + command);
            }
            out = reader.join();
        }
        finally
        {
            process.destroyForcibly();
        }
        return "exit=" + process.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
    }

    // ==============================================================================================
    // Failed fsync
    // ==============================================================================================

    @Test
    void shouldFailThePendingGroupCommitAndTheLogWhenAnFsyncFailsAndNeverRetryIt()
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#fsync"));
        final Path dir = tmp.resolve("sync-0");
        final List<String> synced = new ArrayList<>();
        final List<String> attempted = new ArrayList<>();
        try (Log log = Log.options(dir).config(SMALL).storage(storage).flushPolicy(FlushPolicy.BATCH)
            .writerMode(WriterMode.INVOKER).open())
        {
            for (int i = 0; i < 3; i++)
            {
                final AppendResult r = Batches.append(log, 1000, value(i));
                assertEquals(Durability.SYNCED, r.durability());
                synced.add(value(i));
            }
            storage.failForceAfter(1);
            final List<CompletableFuture<AppendResult>> group = new ArrayList<>();
            for (int i = 3; i < 7; i++)
            {
                final UnsafeBuffer batch = Batches.batch(1000, value(i));
                group.add(log.appendAsync(batch, 0, batch.capacity()));
                attempted.add(value(i));
            }
            log.writer().doWork();
            for (final CompletableFuture<AppendResult> f : group)
            {
                final AppendResult r = f.getNow(null);
                assertNotNull(r, "completed by the drain that tried to sync");
                assertEquals(AppendResult.STORAGE_ERROR, r.status(), r.toString());
                final StorageException se = assertInstanceOf(StorageException.class, r.error());
                assertEquals(StorageException.Kind.SYNC_FAILED, se.kind());
                assertEquals(dir.resolve(Segment.fileName(0, Segment.LOG_SUFFIX)), se.path());
            }
            assertEquals(1, storage.injectedFaults());
            final StorageException failure = log.failure();
            assertNotNull(failure, "the log is failed");
            assertEquals(StorageException.Kind.SYNC_FAILED, failure.kind());
            assertEquals(3, log.durableOffset(), "the failed sync made nothing durable");

            final AppendResult later = Batches.append(log, 1000, "later");
            assertEquals(AppendResult.STORAGE_ERROR, later.status(), "later appends fail fast");
            assertSame(failure, later.error());
            assertThrows(StorageException.class, log::flush);
            assertThrows(StorageException.class, log::roll);
            log.writer().doWork();
            assertEquals(1, storage.injectedFaults(), "the force is never tried again: the kernel may have dropped the pages");
            assertEquals(synced, Batches.values(log).subList(0, 3), "what was synced stays readable");
        }
        assertEquals(1, storage.injectedFaults(), "close does not sync a failed log either");
        assertFalse(Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "a failed log is not marked clean");
        try (Log log = Log.options(dir).config(SMALL).open())
        {
            assertFalse(log.recoveryReport().cleanShutdown());
            final List<String> recovered = Batches.values(log);
            assertTrue(recovered.size() >= synced.size(), "every synced record survives: " + recovered.size());
            final List<String> all = new ArrayList<>(synced);
            all.addAll(attempted);
            assertEquals(all.subList(0, recovered.size()), recovered, "a prefix of what was appended");
        }
    }

    @Test
    void shouldDiscardALogWithoutSyncingAnything()
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#discard"));
        final Path dir = tmp.resolve("discard-0");
        final Log log = Log.options(dir).config(SMALL).storage(storage).flushPolicy(FlushPolicy.NONE).writerMode(WriterMode.INVOKER).open();
        for (int i = 0; i < 5; i++)
        {
            assertEquals(AppendResult.OK, Batches.append(log, 1000, value(i)).status());
        }
        storage.failForces(true);
        log.discard();
        assertTrue(log.isClosed());
        assertEquals(0, storage.injectedFaults(), "discard neither syncs nor seals: no force was tried");
        assertNull(log.failure(), "so nothing failed");
        assertEquals(AppendResult.CLOSED, Batches.append(log, 1000, "late").status(), "appends after it fail");
        storage.failForces(false);
        log.discard(); // idempotent
        assertFalse(Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "a discarded log is never marked clean");
    }

    @Test
    void shouldTakeTheLogDirOfflineAndFailItsOtherLogsWhenAnFsyncFails()
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#offline"));
        final Path dir0 = tmp.resolve("d0");
        final Path dir1 = tmp.resolve("d1");
        final LogManagerConfig config = LogManagerConfig.builder(dir0, dir1)
            .storage(storage)
            .writerThreads(2)
            .defaultLogConfig(SMALL.toBuilder().flushPolicy(FlushPolicy.BATCH).build())
            .build();
        final Map<TopicPartition, Path> placement = new java.util.HashMap<>();
        try (LogManager manager = LogManager.open(config))
        {
            for (int p = 0; p < 4; p++)
            {
                final Log log = manager.getOrCreate(new TopicPartition("t", p));
                assertTrue(Batches.append(log, 1000, "first-" + p).succeeded());
                placement.put(log.topicPartition(), log.dir().getParent());
            }
            final List<Log> inDir0 = manager.logs().stream().filter(l -> l.dir().getParent().equals(dir0)).toList();
            final List<Log> inDir1 = manager.logs().stream().filter(l -> l.dir().getParent().equals(dir1)).toList();
            assertEquals(2, inDir0.size(), "partitions spread over both dirs");
            assertEquals(2, inDir1.size());

            storage.failForceAfter(1);
            final AppendResult r = Batches.append(inDir0.get(0), 1000, "doomed");
            storage.failForces(false);
            assertEquals(AppendResult.STORAGE_ERROR, r.status(), r.toString());
            assertEquals(1, storage.injectedFaults());

            final Map<Path, StorageException> offline = manager.offlineDirs();
            assertEquals(List.of(dir0), List.copyOf(offline.keySet()));
            assertEquals(StorageException.Kind.SYNC_FAILED, offline.get(dir0).kind());
            for (final Log log : inDir0)
            {
                assertNotNull(log.failure(), log + " fails with its dir");
                assertEquals(AppendResult.STORAGE_ERROR, Batches.append(log, 1000, "refused").status());
            }
            for (final Log log : inDir1)
            {
                assertNull(log.failure(), log + " is in a healthy dir");
                final AppendResult ok = Batches.append(log, 1000, "second");
                assertEquals(AppendResult.OK, ok.status(), ok.toString());
                assertEquals(Durability.SYNCED, ok.durability());
            }
            final Log created = manager.getOrCreate(new TopicPartition("t", 9));
            assertEquals(dir1, created.dir().getParent(), "new logs avoid the offline dir");
            assertEquals(1, storage.injectedFaults(), "no sync was retried");
        }
        assertFalse(Files.exists(dir0.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "the offline dir is not marked clean");
        assertTrue(Files.exists(dir1.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        try (LogManager reopened = LogManager.open(LogManagerConfig.builder(dir0, dir1).defaultLogConfig(SMALL).build()))
        {
            for (final Map.Entry<TopicPartition, Path> e : placement.entrySet())
            {
                final Log log = reopened.log(e.getKey());
                assertNotNull(log, e.getKey().toString());
                assertEquals(e.getValue().equals(dir1), log.recoveryReport().cleanShutdown(), e.getKey().toString());
                final List<String> values = Batches.values(log);
                assertEquals("first-" + e.getKey().partition(), values.get(0), "synced data survives in both dirs");
                if (e.getValue().equals(dir1))
                {
                    assertEquals(List.of("first-" + e.getKey().partition(), "second"), values);
                }
            }
        }
    }

    // ==============================================================================================
    // Short writes
    // ==============================================================================================

    @Test
    void shouldWriteCorrectCheckpointsWhenEveryWriteIsShort() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, Seeds.seed("StorageFailureTest#short"))
            .shortWrites(1.0);
        final Path dir = tmp.resolve("logs");
        final TopicPartition a = new TopicPartition("alpha", 0);
        final TopicPartition b = new TopicPartition("beta", 3);
        final LogManagerConfig config = LogManagerConfig.builder(dir)
            .storage(storage)
            .metaProperties(Map.of("node.id", "7"))
            .defaultLogConfig(SMALL)
            .build();
        try (LogManager manager = LogManager.open(config))
        {
            final Log logA = manager.getOrCreate(a);
            final Log logB = manager.getOrCreate(b);
            logA.leaderEpoch(3);
            for (int i = 0; i < 5; i++)
            {
                assertTrue(Batches.append(logA, 1000, "a" + i).succeeded());
            }
            logB.leaderEpoch(11);
            Batches.append(logB, 1000, "b0", "b1");
            logA.deleteRecordsBefore(2);
            logA.highWatermark(4);
            logB.highWatermark(1);
            logA.flush();
            manager.checkpoint();
            assertTrue(storage.injectedFaults() > 0, "writes were short");
            assertEquals("0\n2\nalpha 0 5\nbeta 3 0\n", read(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)));
            assertEquals("0\n2\nalpha 0 2\nbeta 3 0\n", read(dir.resolve(LogManager.LOG_START_CHECKPOINT)));
            assertEquals("0\n2\nalpha 0 4\nbeta 3 1\n", read(dir.resolve(LogManager.HIGH_WATERMARK_CHECKPOINT)));
            assertEquals("0\n1\n3 2\n", read(dir.resolve(a.dirName()).resolve(LogLoader.EPOCH_CHECKPOINT)));
            assertEquals("0\n1\n11 0\n", read(dir.resolve(b.dirName()).resolve(LogLoader.EPOCH_CHECKPOINT)));
            final Properties meta = manager.metaProperties(dir);
            assertEquals("7", meta.getProperty("node.id"));
            assertEquals("1", meta.getProperty("version"));
        }
        assertEquals("0\n2\nalpha 0 5\nbeta 3 2\n", read(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)), "written on close");
        try (LogManager reopened = LogManager.open(LogManagerConfig.builder(dir).metaProperties(Map.of("node.id", "7"))
            .defaultLogConfig(SMALL).build()))
        {
            final Log logA = reopened.log(a);
            assertTrue(logA.recoveryReport().cleanShutdown());
            assertEquals(2, logA.logStartOffset());
            assertEquals(4, logA.highWatermark());
            assertEquals(List.of("a2", "a3", "a4"), Batches.values(logA));
            assertEquals(3, logA.epochCache().latestEpoch());
            assertEquals(1, reopened.log(b).highWatermark());
            assertEquals(List.of("b0", "b1"), Batches.values(reopened.log(b)));
        }
    }

    private static String read(final Path path) throws IOException
    {
        return Files.readString(path, StandardCharsets.UTF_8);
    }
}
