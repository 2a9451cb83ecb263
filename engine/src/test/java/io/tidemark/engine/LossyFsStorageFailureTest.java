package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.testkit.Tags;
import io.tidemark.testkit.process.LossyFs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk faults of {@link StorageFailureTest}, now from a real filesystem (lossyfs, issue 17) under the
 * production {@code FileStorage}: a failed fsync (EIO from the kernel) fails the pending append and the log,
 * nothing acknowledged as synced is lost through a power cut; a full filesystem (ENOSPC) is an error to the
 * appender while the log keeps serving reads. Skipped, saying why, where FUSE cannot be used.
 */
@Tag(Tags.FAULT)
class LossyFsStorageFailureTest
{
    private static final LogConfig SMALL = LogConfig.builder()
        .segmentBytes(64 * 1024)
        .preallocateBytes(4096)
        .retentionMs(-1)
        .build();

    @TempDir
    Path tmp;
    private LossyFs fs;

    @BeforeEach
    void mount()
    {
        final String why = LossyFs.unavailable().orElse(null);
        assumeTrue(why == null, () -> "lossyfs disk faults skipped: " + why);
        fs = LossyFs.mount(tmp.resolve("backing"), tmp.resolve("trash"), tmp.resolve("mnt"), tmp.resolve("lossyfs.log"));
    }

    @AfterEach
    void unmount()
    {
        if (fs != null)
        {
            fs.close();
        }
    }

    private static String value(final int i)
    {
        return "value-" + i + "-" + "p".repeat(150);
    }

    @Test
    void shouldFailTheAppendAndTheLogWhenTheFilesystemFailsAnFsyncAndKeepEverySyncedRecordThroughACut()
    {
        final Path dir = fs.mountPoint().resolve("sync-0");
        final List<String> synced = new ArrayList<>();
        try (Log log = Log.options(dir).config(SMALL).flushPolicy(FlushPolicy.BATCH).open())
        {
            for (int i = 0; i < 3; i++)
            {
                final AppendResult r = Batches.append(log, 1000, value(i));
                assertEquals(Durability.SYNCED, r.durability(), r.toString());
                synced.add(value(i));
            }
            fs.failNextFsync("/sync-0/*.log");

            final AppendResult failed = Batches.append(log, 1000, value(3));
            assertEquals(AppendResult.STORAGE_ERROR, failed.status(), failed.toString());
            final StorageException se = assertInstanceOf(StorageException.class, failed.error());
            assertEquals(StorageException.Kind.SYNC_FAILED, se.kind(), se.toString());
            assertNotNull(log.failure(), "the log is failed");
            assertEquals(3, log.durableOffset(), "the failed sync made nothing durable");
            assertEquals(AppendResult.STORAGE_ERROR, Batches.append(log, 1000, "later").status(), "later appends fail fast");
        }
        fs.cut();
        fs.remount();
        try (Log log = Log.options(dir).config(SMALL).open())
        {
            assertFalse(log.recoveryReport().cleanShutdown());
            assertEquals(synced, Batches.values(log), "every synced record, and nothing the failed fsync covered");
        }
    }

    @Test
    void shouldRefuseAppendsWithOutOfSpaceWhenTheFilesystemIsFullAndKeepServingReads()
    {
        final Path dir = fs.mountPoint().resolve("full-0");
        final List<String> model = new ArrayList<>();
        try (Log log = Log.options(dir).config(SMALL).open())
        {
            for (int i = 0; i < 10; i++)
            {
                assertTrue(Batches.append(log, 1000, value(model.size())).succeeded());
                model.add(value(model.size()));
            }
            fs.enospc("/full-0/*");
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
            final StorageException se = assertInstanceOf(StorageException.class, r.error());
            assertEquals(StorageException.Kind.OUT_OF_SPACE, se.kind(), se.toString());
            assertNull(log.failure(), "a full disk does not fail the log");
            assertEquals(model, Batches.values(log), "the log stays readable and consistent");

            fs.clearFaults();
            final AppendResult after = Batches.append(log, 1000, value(model.size()));
            assertEquals(AppendResult.OK, after.status(), after.toString());
            assertEquals(model.size(), after.baseOffset(), "offsets stay dense");
            model.add(value(model.size()));
        }
        try (Log log = Log.options(dir).config(SMALL).open())
        {
            assertTrue(log.recoveryReport().cleanShutdown());
            assertEquals(model, Batches.values(log));
        }
    }
}
