package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.tidemark.engine.storage.CrashSimulatingStorage;
import io.tidemark.testkit.NoLeakedThreads;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log manager's directory layout and lifecycle: placement over log dirs, the lock, meta.properties,
 * checkpoints and the clean-shutdown marker, deletion, and what survives a reopen.
 */
@ExtendWith(NoLeakedThreads.class)
class LogManagerTest
{
    private static final LogConfig SMALL = LogConfig.builder()
        .segmentBytes(16 * 1024)
        .preallocateBytes(4096)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;

    private Path dir0;
    private Path dir1;

    private LogManagerConfig.Builder config(final Path... dirs)
    {
        return LogManagerConfig.builder(dirs).defaultLogConfig(SMALL);
    }

    private LogManager open()
    {
        dir0 = tmp.resolve("d0");
        dir1 = tmp.resolve("d1");
        return LogManager.open(config(dir0, dir1).build());
    }

    private static String read(final Path path) throws IOException
    {
        return Files.readString(path, StandardCharsets.UTF_8);
    }

    @Test
    void shouldSpreadPartitionsOverTheLogDirs()
    {
        try (LogManager manager = open())
        {
            for (int p = 0; p < 6; p++)
            {
                final Log log = manager.getOrCreate(new TopicPartition("spread", p));
                assertEquals(new TopicPartition("spread", p).dirName(), log.dir().getFileName().toString());
                assertSame(log, manager.getOrCreate(new TopicPartition("spread", p)), "one log per partition");
            }
            assertEquals(6, manager.logs().size());
            assertEquals(3, manager.logs().stream().filter(l -> l.dir().getParent().equals(dir0)).count());
            assertEquals(3, manager.logs().stream().filter(l -> l.dir().getParent().equals(dir1)).count());
            for (final Log log : manager.logs())
            {
                assertTrue(Files.isDirectory(log.dir()));
            }
        }
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameDirsOnTheLock()
    {
        try (LogManager manager = open())
        {
            final Log log = manager.getOrCreate(new TopicPartition("locked", 0));
            final StorageException ex = assertThrows(StorageException.class, () -> LogManager.open(config(dir0, dir1).build()));
            assertTrue(ex.getMessage().contains("lock"), ex.getMessage());
            assertTrue(ex.getMessage().contains(dir0.toString()), ex.getMessage());

            // a fresh dir listed before a held one: the failed open must release the fresh dir's lock too
            final Path fresh = tmp.resolve("fresh");
            assertThrows(StorageException.class, () -> LogManager.open(config(fresh, dir1).build()));
            try (LogManager other = LogManager.open(config(fresh).build()))
            {
                assertEquals(0, other.logs().size());
            }
            assertTrue(Batches.append(log, 1000, "still mine").succeeded(), "the first manager is unaffected");
        }
        try (LogManager again = open())
        {
            assertEquals(List.of("still mine"), Batches.values(again.log(new TopicPartition("locked", 0))));
        }
    }

    @Test
    void shouldWriteMetaPropertiesAndRefuseAMismatchingNodeId() throws IOException
    {
        dir0 = tmp.resolve("d0");
        dir1 = tmp.resolve("d1");
        final Map<String, String> directoryIds = new HashMap<>();
        try (LogManager manager = LogManager.open(config(dir0, dir1).metaProperties(Map.of("node.id", "1", "cluster.id", "c1")).build()))
        {
            for (final Path dir : List.of(dir0, dir1))
            {
                final Properties meta = manager.metaProperties(dir);
                assertEquals("1", meta.getProperty("version"));
                assertEquals("1", meta.getProperty("node.id"));
                assertEquals("c1", meta.getProperty("cluster.id"));
                assertNotNull(meta.getProperty("directory.id"));
                directoryIds.put(dir.toString(), meta.getProperty("directory.id"));
                assertTrue(read(dir.resolve(LogManager.META_PROPERTIES)).contains("node.id=1"));
            }
            assertNotEquals(directoryIds.get(dir0.toString()), directoryIds.get(dir1.toString()), "each dir has its own id");
        }
        final StorageException ex = assertThrows(StorageException.class,
            () -> LogManager.open(config(dir0, dir1).metaProperties(Map.of("node.id", "2", "cluster.id", "c1")).build()));
        assertTrue(ex.getMessage().contains("node.id=1"), ex.getMessage());
        assertTrue(ex.getMessage().contains(LogManager.META_PROPERTIES), ex.getMessage());
        assertThrows(StorageException.class,
            () -> LogManager.open(config(dir0, dir1).metaProperties(Map.of("node.id", "1", "cluster.id", "c2")).build()));
        try (LogManager manager = LogManager.open(config(dir0, dir1).metaProperties(Map.of("node.id", "1")).build()))
        {
            for (final Path dir : List.of(dir0, dir1))
            {
                assertEquals(directoryIds.get(dir.toString()), manager.metaProperties(dir).getProperty("directory.id"),
                    "the directory id is stable, and the refused opens released the locks");
            }
        }
    }

    @Test
    void shouldWriteCheckpointsOnCloseAndSkipValidationAfterACleanShutdown() throws IOException
    {
        final TopicPartition a = new TopicPartition("alpha", 0);
        final TopicPartition b = new TopicPartition("beta", 1);
        try (LogManager manager = open())
        {
            Batches.append(manager.getOrCreate(a), 1000, "a0", "a1", "a2");
            Batches.append(manager.getOrCreate(b), 1000, "b0");
            manager.log(a).highWatermark(2);
            assertFalse(Files.exists(dir0.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        }
        final Path dirA = Files.exists(dir0.resolve(a.dirName())) ? dir0 : dir1;
        final Path dirB = dirA.equals(dir0) ? dir1 : dir0;
        assertTrue(Files.isDirectory(dirB.resolve(b.dirName())), "one partition in each dir");
        assertEquals("0\n1\nalpha 0 3\n", read(dirA.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)));
        assertEquals("0\n1\nbeta 1 1\n", read(dirB.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)));
        assertEquals("0\n1\nalpha 0 0\n", read(dirA.resolve(LogManager.LOG_START_CHECKPOINT)));
        assertEquals("0\n1\nalpha 0 2\n", read(dirA.resolve(LogManager.HIGH_WATERMARK_CHECKPOINT)));
        assertTrue(Files.exists(dir0.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        assertTrue(Files.exists(dir1.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
        try (LogManager manager = open())
        {
            for (final TopicPartition tp : List.of(a, b))
            {
                final RecoveryReport report = manager.recoveryReports().get(tp);
                assertTrue(report.cleanShutdown(), report.toString());
                assertEquals(0, report.segmentsValidated(), "nothing validated after a clean shutdown");
            }
            assertFalse(Files.exists(dir0.resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "from now on a crash is unclean");
            assertFalse(Files.exists(dir1.resolve(LogManager.CLEAN_SHUTDOWN_FILE)));
            assertEquals(List.of("a0", "a1", "a2"), Batches.values(manager.log(a)));
        }
    }

    @Test
    void shouldValidateAfterACrash()
    {
        final CrashSimulatingStorage storage = new CrashSimulatingStorage();
        final CachedNanoClock nanoClock = new CachedNanoClock();
        final CachedEpochClock epochClock = new CachedEpochClock();
        final Path dir = Path.of("/sim/logs");
        final TopicPartition tp = new TopicPartition("crashed", 0);
        final LogManager manager = LogManager.open(LogManagerConfig.builder(dir).storage(storage)
            .writerMode(WriterMode.INVOKER).nanoClock(nanoClock).epochClock(epochClock)
            .defaultLogConfig(SMALL.toBuilder().flushPolicy(FlushPolicy.BATCH).build()).build());
        final Log log = manager.getOrCreate(tp);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(Durability.SYNCED, Batches.append(log, 1000, "v" + i).durability());
        }
        log.highWatermark(4);
        assertEquals(1, log.deleteRecordsBefore(1));
        manager.checkpoint();
        // no close: the power goes
        final CrashSimulatingStorage after = storage.powerCut(42);
        try (LogManager reopened = LogManager.open(LogManagerConfig.builder(dir).storage(after)
            .writerMode(WriterMode.INVOKER).nanoClock(nanoClock).epochClock(epochClock).defaultLogConfig(SMALL).build()))
        {
            final RecoveryReport report = reopened.recoveryReports().get(tp);
            assertFalse(report.cleanShutdown(), report.toString());
            assertEquals(1, report.segmentsValidated(), report.toString());
            assertEquals(5, report.batchesValidated(), report.toString());
            final Log recovered = reopened.log(tp);
            assertEquals(List.of("v1", "v2", "v3", "v4"), Batches.values(recovered));
            assertEquals(1, recovered.logStartOffset(), "from the checkpoint");
            assertEquals(4, recovered.highWatermark(), "from the checkpoint");
        }
    }

    @Test
    void shouldRenameADeletedLogAtOnceAndLeaveItsFilesToTheRemoverOrTheNextOpen() throws IOException
    {
        final TopicPartition doomed = new TopicPartition("later", 0);
        final List<Runnable> removals = new java.util.ArrayList<>();
        final Path parent;
        try (LogManager manager = open())
        {
            final Log log = manager.getOrCreate(doomed);
            Batches.append(log, 1000, "x");
            final Path partitionDir = log.dir();
            parent = partitionDir.getParent();
            assertTrue(manager.delete(doomed, removals::add));
            assertTrue(log.isClosed());
            assertFalse(Files.exists(partitionDir), "renamed at once");
            assertNull(manager.log(doomed));
            assertEquals(1, removals.size(), "the removal was handed over, not run");
            assertEquals(1, renamedForDeletion(parent, doomed), "the files wait under the -delete name");
            removals.get(0).run();
            assertEquals(0, renamedForDeletion(parent, doomed), "the remover removed them");

            assertTrue(manager.delete(manager.getOrCreate(doomed).topicPartition(), r -> { }), "deleted again, the remover never runs");
            assertEquals(1, renamedForDeletion(parent, doomed));
        }
        try (LogManager manager = open())
        {
            assertNull(manager.log(doomed), "a deleted partition does not come back");
            assertEquals(0, renamedForDeletion(parent, doomed), "a left-over renamed directory is removed when the directory is opened");
        }
    }

    private static long renamedForDeletion(final Path parent, final TopicPartition tp) throws IOException
    {
        try (var siblings = Files.list(parent))
        {
            return siblings.filter(p -> p.getFileName().toString().startsWith(tp.dirName() + ".") &&
                p.getFileName().toString().endsWith(LogManager.DELETE_DIR_SUFFIX)).count();
        }
    }

    @Test
    void shouldRemoveThePartitionDirectoryWhenALogIsDeleted() throws IOException
    {
        final TopicPartition doomed = new TopicPartition("doomed", 0);
        final TopicPartition kept = new TopicPartition("kept", 0);
        try (LogManager manager = open())
        {
            final Log log = manager.getOrCreate(doomed);
            Batches.append(log, 1000, "x");
            Batches.append(manager.getOrCreate(kept), 1000, "y");
            final Path partitionDir = log.dir();
            assertTrue(manager.delete(doomed));
            assertTrue(log.isClosed());
            assertFalse(Files.exists(partitionDir), "the directory is gone");
            try (var siblings = Files.list(partitionDir.getParent()))
            {
                assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(doomed.dirName())),
                    "nothing renamed is left behind either");
            }
            assertNull(manager.log(doomed));
            assertFalse(manager.delete(doomed), "already gone");
            assertEquals(AppendResult.CLOSED, Batches.append(log, 1000, "late").status());
        }
        try (LogManager manager = open())
        {
            assertNull(manager.log(doomed), "a deleted partition does not come back");
            assertEquals(List.of("y"), Batches.values(manager.log(kept)));
        }
    }

    @Test
    void shouldForgetTheRecoveryReportOfADeletedLogWhenTopicsChurn() throws IOException
    {
        // issue 12, finding 2: the process fuzzer's topic churn left one report per partition ever created
        try (LogManager manager = open())
        {
            for (int i = 0; i < 50; i++)
            {
                final TopicPartition churned = new TopicPartition("churn-" + i, 0);
                manager.getOrCreate(churned);
                assertTrue(manager.recoveryReports().containsKey(churned));
                assertTrue(manager.delete(churned));
                assertFalse(manager.recoveryReports().containsKey(churned), "the report goes with the log");
            }
            assertEquals(Map.of(), manager.recoveryReports());
        }
    }

    @Test
    void shouldRemoveLeftoversOfAnInterruptedDeleteAndCheckpointReplace() throws IOException
    {
        try (LogManager manager = open())
        {
            Batches.append(manager.getOrCreate(new TopicPartition("live", 0)), 1000, "v");
        }
        final Path halfDeleted = Files.createDirectories(dir0.resolve("gone-0.0123456789abcdef" + LogManager.DELETE_DIR_SUFFIX));
        Files.writeString(halfDeleted.resolve(Segment.fileName(0, Segment.LOG_SUFFIX)), "stale");
        final Path tmpCheckpoint = dir1.resolve(LogManager.RECOVERY_POINT_CHECKPOINT + CheckpointFile.TMP_SUFFIX);
        Files.writeString(tmpCheckpoint, "0\n1\nlive 0 99\n");
        try (LogManager manager = open())
        {
            assertFalse(Files.exists(halfDeleted));
            assertFalse(Files.exists(tmpCheckpoint));
            assertEquals(1, manager.logs().size());
            assertEquals(List.of("v"), Batches.values(manager.log(new TopicPartition("live", 0))));
        }
    }

    @Test
    void shouldKeepEveryPartitionsDataLogStartAndHighWatermarkAcrossReopen()
    {
        final Map<TopicPartition, List<String>> data = new HashMap<>();
        final Map<TopicPartition, long[]> offsets = new HashMap<>();
        try (LogManager manager = open())
        {
            for (int p = 0; p < 5; p++)
            {
                final TopicPartition tp = new TopicPartition("keep", p);
                final Log log = manager.getOrCreate(tp);
                final List<String> values = new ArrayList<>();
                for (int i = 0; i < 20 + p * 10; i++)
                {
                    final String v = tp + "-" + i + "-" + "q".repeat(300);
                    assertTrue(Batches.append(log, 1000 + i, v).succeeded());
                    values.add(v);
                }
                final long start = p;
                assertEquals(start, log.deleteRecordsBefore(start));
                log.highWatermark(log.logEndOffset() - p);
                data.put(tp, values.subList((int)start, values.size()));
                offsets.put(tp, new long[] { log.logStartOffset(), log.highWatermark(), log.logEndOffset(), log.segmentCount() });
            }
        }
        try (LogManager manager = open())
        {
            assertEquals(5, manager.logs().size());
            for (final Map.Entry<TopicPartition, List<String>> e : data.entrySet())
            {
                final Log log = manager.log(e.getKey());
                final long[] expected = offsets.get(e.getKey());
                assertEquals(expected[0], log.logStartOffset(), e.getKey() + " log start");
                assertEquals(expected[1], log.highWatermark(), e.getKey() + " high watermark");
                assertEquals(expected[2], log.logEndOffset(), e.getKey() + " log end");
                assertEquals(expected[3], log.segmentCount(), e.getKey() + " segments");
                assertEquals(e.getValue(), Batches.values(log), e.getKey() + " data");
            }
        }
    }
}
