package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import io.tidemark.testkit.NoLeakedThreads;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log directory's fsync statistics: one latency and one group-commit size per sync of its logs, read as
 * intervals; the log writer's back-pressure and ring figures.
 */
@ExtendWith(NoLeakedThreads.class)
class SyncStatsTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldRecordOneLatencyAndTheRecordsOfEachSyncOfTheDirectorysLogs()
    {
        final Path dir = tmp.resolve("d0");
        try (LogManager manager = LogManager.open(LogManagerConfig.builder(dir)
            .defaultLogConfig(LogConfig.builder().segmentBytes(64 * 1024).preallocateBytes(4096).flushPolicy(FlushPolicy.BATCH).build())
            .build()))
        {
            final Log log = manager.getOrCreate(new TopicPartition("synced", 0));
            for (int i = 0; i < 4; i++)
            {
                assertEquals(Durability.SYNCED, Batches.append(log, 1000, "a" + i, "b" + i, "c" + i).durability());
            }
            final SyncStats stats = manager.syncStats(manager.logDirs().get(0));
            final Histogram latency = stats.sampleLatencyUs(null);
            final Histogram groups = stats.sampleGroupCommitRecords(null);
            assertEquals(4, latency.getTotalCount(), "one fsync per acknowledged batch under the batch policy");
            assertEquals(4, groups.getTotalCount());
            assertEquals(3, groups.getMinValue(), "each sync made one batch of 3 records durable");
            assertEquals(3, groups.getMaxValue());
            assertTrue(latency.getMinValue() >= 1);
            assertEquals(0, stats.sampleLatencyUs(latency).getTotalCount(), "a sample holds what came after the previous one");
            assertNull(manager.syncStats(tmp.resolve("elsewhere")));
            assertEquals(0, manager.writerRingOccupancyBytes(), "nothing queued once the appends were answered");
            assertTrue(manager.writerRingCapacityBytes() > 0);
            assertEquals(0, manager.writerBackPressureEvents());
        }
    }
}
