package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSmokeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAppendReadAndReopen()
    {
        try (Log log = Log.open(dir.resolve("events-0")))
        {
            final AppendResult r1 = Batches.append(log, 1000, "a", "b", "c");
            assertEquals(AppendResult.OK, r1.status(), r1.toString());
            assertEquals(0, r1.baseOffset());
            assertEquals(2, r1.lastOffset());
            final AppendResult r2 = Batches.append(log, 2000, "d");
            assertEquals(3, r2.baseOffset());
            assertEquals(List.of("a", "b", "c", "d"), Batches.values(log));
        }
        try (Log log = Log.open(dir.resolve("events-0")))
        {
            assertTrue(log.recoveryReport().cleanShutdown(), log.recoveryReport().toString());
            assertEquals(4, log.logEndOffset());
            assertEquals(List.of("a", "b", "c", "d"), Batches.values(log));
            Batches.append(log, 3000, "e");
            assertEquals(List.of("a", "b", "c", "d", "e"), Batches.values(log));
        }
    }
}
