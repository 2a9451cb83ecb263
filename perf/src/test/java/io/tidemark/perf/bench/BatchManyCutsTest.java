package io.tidemark.perf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract the lab's verdict states, under many cuts: acks=all + {@code batch} on three replicas loses
 * no acknowledged record whether one node or every node loses power (5 seeds x both modes), and offsets
 * of acknowledged records never move. Slow: run with {@code -Pslow}.
 */
@Tag(Tags.SLOW)
class BatchManyCutsTest
{
    @TempDir
    Path work;

    @Test
    void shouldLoseNoAcknowledgedRecordUnderAcksAllAndBatchAcrossManyPowerCuts() throws Exception
    {
        final long seed = Seeds.seed("BatchManyCutsTest") % SweepPlan.MAX_SEED;
        final SweepPlan plan = new SweepPlan(List.of(new Cell("batch", "all", 3, 100)), 3000, 1000, 200, 5, Math.abs(seed),
            List.of("one", "all"), 1, "many cuts");
        final SweepResult result = new Lab(plan, Lab.embedded(work, 3), Progress.quiet()).run(null, "test");
        final CellResult cell = result.cells().get(0);
        assertEquals(10, cell.cuts().size());
        for (final CutRecord c : cell.cuts())
        {
            assertTrue(c.ackedAtCut() > 0, "cut under load: " + c);
            assertEquals(0, c.lost(), "seed " + plan.seed() + ": " + c);
            assertEquals(0, c.moved(), "seed " + plan.seed() + ": " + c);
        }
    }
}
