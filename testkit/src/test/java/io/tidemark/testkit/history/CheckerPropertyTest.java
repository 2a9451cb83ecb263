package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded property tests: histories of a simulated correct log always pass, under the contract that
 * matches the simulation; the same histories with one defect planted in the final read never do.
 */
@Tag(Tags.FAULT)
class CheckerPropertyTest
{
    private static final int RUNS = 30;
    private static final int STEPS = 3_000;

    @Test
    void shouldAcceptEveryHistoryOfACorrectLog()
    {
        final long seed = Seeds.seed("CheckerPropertyTest.correct");
        final Random seeds = new Random(seed);
        long duplicated = 0;
        long failed = 0;
        long indeterminate = 0;
        long recoveries = 0;
        for (int run = 0; run < RUNS; run++)
        {
            final long runSeed = seeds.nextLong();
            final boolean idempotent = run % 2 == 1;
            final CorrectLogSimulation sim = new CorrectLogSimulation(runSeed, idempotent).run(STEPS);
            final Contract contract = Contract.acksAll().toBuilder().idempotent(idempotent).build();

            final Report report = new Checker(contract).seed(runSeed).check(sim.history, sim.finalRead());

            assertTrue(report.valid(), () -> "seed " + seed + " run seed " + runSeed + System.lineSeparator() + report);
            for (final AnomalyKind k : AnomalyKind.values())
            {
                if (k != AnomalyKind.DUPLICATE && k != AnomalyKind.UNSEEN_ACKED)
                {
                    assertEquals(0, report.count(k), () -> k + " in run seed " + runSeed + System.lineSeparator() + report);
                }
            }
            assertTrue(report.acknowledged() > 100 && report.polledRecords() > 100, report::toString);
            if (idempotent)
            {
                assertEquals(0, report.duplicated());
            }
            duplicated += report.duplicated();
            failed += report.failed();
            indeterminate += report.indeterminate();
            recoveries += report.recoveries().size();
        }
        // the simulation does exercise the interesting cases
        assertTrue(duplicated > 0 && failed > 0 && indeterminate > 0 && recoveries > 0,
            "duplicated " + duplicated + " failed " + failed + " indeterminate " + indeterminate + " recoveries " + recoveries);
    }

    /** @return an offset below the last whose value was acknowledged there and appears nowhere else. */
    private static int acknowledgedUniqueOffset(final CorrectLogSimulation sim, final int p, final List<Long> log,
        final Random r)
    {
        final List<Integer> candidates = new ArrayList<>();
        for (final Op op : sim.history.ops())
        {
            if (op.f() == Op.Fn.SEND && op.type() == Op.Type.OK && op.partition() == p && op.offset() < log.size() - 1
                && log.indexOf(op.value()) == log.lastIndexOf(op.value()))
            {
                candidates.add((int)op.offset());
            }
        }
        return candidates.get(r.nextInt(candidates.size()));
    }

    @Test
    void shouldRejectEveryHistoryWithAPlantedDefect()
    {
        final long seed = Seeds.seed("CheckerPropertyTest.planted");
        final Random seeds = new Random(seed);
        for (int run = 0; run < RUNS; run++)
        {
            final long runSeed = seeds.nextLong();
            final CorrectLogSimulation sim = new CorrectLogSimulation(runSeed, false).run(STEPS);
            final Map<Integer, List<Long>> logs = sim.logs();
            final Random r = new Random(runSeed);
            final int p = r.nextInt(CorrectLogSimulation.PARTITIONS);
            final List<Long> log = logs.get(p);
            final int at = acknowledgedUniqueOffset(sim, p, log, r);
            final int defect = run % 3;
            switch (defect)
            {
                case 0 -> log.remove(at); // a record vanishes and later ones move down
                case 1 -> log.set(at, log.get(at + 1)); // one record overwritten by its neighbour
                default -> log.set(at, 1L << 62); // a value nobody sent
            }
            final FinalRead.Builder b = FinalRead.builder();
            logs.forEach((partition, values) ->
            {
                final FinalRead.LogBuilder l = b.partition(partition, 0, values.size());
                for (int o = 0; o < values.size(); o++)
                {
                    l.add(o, values.get(o));
                }
            });

            final Report report = new Checker(Contract.acksAll()).seed(runSeed).check(sim.history, b.build());

            assertFalse(report.valid(), () -> "defect " + defect + " at p" + p + "@" + at + " not found, run seed " + runSeed
                + System.lineSeparator() + report);
        }
    }
}
