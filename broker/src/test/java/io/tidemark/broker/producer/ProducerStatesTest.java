package io.tidemark.broker.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.tidemark.broker.config.ProducerStateSettings;
import io.tidemark.engine.AppendResult;
import io.tidemark.engine.Log;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.testkit.NoLeakedThreads;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer state surviving restarts: rebuilt from the latest snapshot plus a replay of the log after it;
 * snapshots above the log end or corrupt are deleted and the state still matches the log.
 */
@ExtendWith(NoLeakedThreads.class)
class ProducerStatesTest
{
    private static final long PID = 7;

    @TempDir
    Path dir;

    private final ProducerStates states = new ProducerStates(FileStorage.INSTANCE, SystemEpochClock.INSTANCE,
        new ProducerStateSettings(86_400_000L, 600_000L, 30_000L));

    private static AppendResult append(final Log log, final long pid, final int seq, final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder b = new RecordBatchBuilder(buffer).producer(pid, (short)0, seq);
        for (int i = 0; i < count; i++)
        {
            b.append(System.currentTimeMillis(), null, new byte[] { 1, 2, 3 });
        }
        return log.append(buffer, 0, b.build());
    }

    private long snapshots() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(".snapshot")).count();
        }
    }

    @Test
    void shouldReplayTheWholeLogWithoutSnapshotAndOnlyTheTailAfterOne() throws Exception
    {
        try (Log log = Log.open(dir))
        {
            states.install(log);
            for (int b = 0; b < 10; b++)
            {
                append(log, PID, 2 * b, 2).orThrow();
            }
        }
        try (Log log = Log.open(dir))
        {
            final ProducerStateManager m = states.install(log);
            assertEquals(new ProducerStates.LoadReport(-1, 10), states.loadReport(log.topicPartition()), "no snapshot: all 10 batches");
            assertEquals(19, m.lastSequenceOf(PID));
            assertEquals(1, states.snapshotAll());
            assertEquals(0, states.snapshotAll(), "nothing changed since");
            append(log, PID, 20, 2).orThrow();
            append(log, PID, 22, 2).orThrow();
        }
        try (Log log = Log.open(dir))
        {
            final ProducerStateManager m = states.install(log);
            assertEquals(new ProducerStates.LoadReport(20, 2), states.loadReport(log.topicPartition()),
                "the snapshot at offset 20 plus the two batches after it");
            assertEquals(23, m.lastSequenceOf(PID));
            assertEquals(AppendResult.DUPLICATE, append(log, PID, 18, 2).status(), "a batch from before the snapshot is still a duplicate");
            assertEquals(AppendResult.DUPLICATE, append(log, PID, 22, 2).status(), "and one from the replayed tail");
            assertEquals(AppendResult.REJECTED, append(log, PID, 30, 2).status(), "a gap is refused");
            assertEquals(24, log.logEndOffset());
        }
    }

    @Test
    void shouldDeleteSnapshotsAboveTheLogEndAndCorruptOnes() throws Exception
    {
        try (Log log = Log.open(dir))
        {
            states.install(log);
            append(log, PID, 0, 2).orThrow();
            states.snapshotAll();                               // at 2
            append(log, PID, 2, 2).orThrow();
            states.snapshotAll();                               // at 4
        }
        assertEquals(2, snapshots());
        // a snapshot claiming more than the log holds (the log lost an unsynced tail) and a corrupt newest one
        Files.write(dir.resolve(ProducerSnapshot.fileName(99)), new ProducerSnapshot(99, java.util.List.of()).encode());
        final byte[] bytes = Files.readAllBytes(dir.resolve(ProducerSnapshot.fileName(4)));
        bytes[bytes.length - 1] ^= 0x10;
        Files.write(dir.resolve(ProducerSnapshot.fileName(4)), bytes);
        try (Log log = Log.open(dir))
        {
            final ProducerStateManager m = states.install(log);
            assertEquals(new ProducerStates.LoadReport(2, 1), states.loadReport(log.topicPartition()),
                "fell back to the snapshot at 2 and replayed one batch");
            assertFalse(Files.exists(dir.resolve(ProducerSnapshot.fileName(99))));
            assertFalse(Files.exists(dir.resolve(ProducerSnapshot.fileName(4))));
            assertEquals(3, m.lastSequenceOf(PID));
            assertTrue(states.isInstalled(log));
        }
    }

    @Test
    void shouldKeepTwoSnapshotsAtMost() throws Exception
    {
        try (Log log = Log.open(dir))
        {
            states.install(log);
            for (int b = 0; b < 5; b++)
            {
                append(log, PID, b, 1).orThrow();
                states.snapshotAll();
            }
        }
        assertEquals(2, snapshots());
        assertTrue(Files.exists(dir.resolve(ProducerSnapshot.fileName(5))));
        assertTrue(Files.exists(dir.resolve(ProducerSnapshot.fileName(4))));
    }
}
