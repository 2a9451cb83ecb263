package io.tidemark.testkit.fault;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultScheduleTest
{
    private static final List<String> NODES = List.of("broker-1", "broker-2", "broker-3");

    @Test
    void shouldGenerateTheSameScheduleFromTheSameSeed()
    {
        final FaultSchedule a = FaultSchedule.random(42, NODES, 60_000, EnumSet.allOf(FaultKind.class));
        final FaultSchedule b = FaultSchedule.random(42, NODES, 60_000, EnumSet.allOf(FaultKind.class));
        final FaultSchedule c = FaultSchedule.random(43, NODES, 60_000, EnumSet.allOf(FaultKind.class));

        assertEquals(a, b);
        assertEquals(a.toString(), b.toString());
        assertNotEquals(a.faults(), c.faults());
        assertEquals(42L, a.seed());
    }

    @Test
    void shouldKeepFaultsSequentialWellFormedAndHealedBeforeTheEnd()
    {
        final Set<FaultKind> seen = new HashSet<>();
        for (long seed = 0; seed < 200; seed++)
        {
            final FaultSchedule s = FaultSchedule.random(seed, NODES, 60_000, EnumSet.allOf(FaultKind.class));
            assertTrue(s.faults().size() >= 3, s::toString);
            long lastEnd = 0;
            for (final Fault f : s.faults())
            {
                seen.add(f.kind());
                assertTrue(f.startMs() > lastEnd, s::toString);
                assertTrue(f.durationMs() >= 2_000 && f.durationMs() <= 7_500, f::toString);
                lastEnd = f.endMs();
                assertTrue(NODES.containsAll(f.nodes()), f::toString);
                switch (f.kind().targets())
                {
                    case ONE -> assertEquals(1, f.nodes().size());
                    case TWO -> assertEquals(2, new HashSet<>(f.nodes()).size());
                    case ALL -> assertEquals(NODES, f.nodes());
                    case SIDES ->
                    {
                        final Set<String> both = new HashSet<>(f.side(0));
                        both.addAll(f.side(1));
                        assertEquals(new HashSet<>(NODES), both);
                        assertEquals(NODES.size(), f.side(0).size() + f.side(1).size());
                        assertTrue(f.side(0).size() <= f.side(1).size(), "the first side is the minority");
                    }
                    default -> throw new AssertionError();
                }
            }
            assertTrue(lastEnd <= 60_000 - 6_000, "the last tenth is calm: " + s);
        }
        assertEquals(EnumSet.allOf(FaultKind.class), seen);
    }

    @Test
    void shouldPrintAndParseBack()
    {
        final FaultSchedule s = FaultSchedule.random(7, NODES, 30_000, EnumSet.of(FaultKind.KILL, FaultKind.PARTITION));

        final String text = s.toString();

        assertTrue(text.startsWith("FaultSchedule seed=7 durationMs=30000"), text);
        assertEquals(s, FaultSchedule.parse(text));
        final FaultSchedule manual = FaultSchedule.of(10_000, List.of(Fault.parse("+100ms PAUSE broker-1 for 2000ms"),
            new Fault(FaultKind.PARTITION, "broker-1|broker-2,broker-3", 3_000, 1_000)));
        assertEquals(manual, FaultSchedule.parse(manual.toString()));
        assertEquals(List.of("broker-2", "broker-3"), manual.faults().get(1).side(1));
    }

    @Test
    void shouldRejectOverlappingOrLateFaults()
    {
        final Fault first = new Fault(FaultKind.KILL, "broker-1", 0, 1_000);
        assertThrows(IllegalArgumentException.class,
            () -> FaultSchedule.of(10_000, List.of(first, new Fault(FaultKind.KILL, "broker-2", 500, 100))));
        assertThrows(IllegalArgumentException.class, () -> FaultSchedule.of(500, List.of(first)));
        assertThrows(IllegalArgumentException.class, () -> new Fault(FaultKind.PARTITION, "broker-1", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Fault.parse("KILL broker-1"));
    }

    @Test
    void shouldSkipKindsThatNeedMoreNodes()
    {
        final FaultSchedule s = FaultSchedule.random(1, List.of("only"), 60_000, EnumSet.of(FaultKind.KILL, FaultKind.KILL_TWO));
        for (final Fault f : s.faults())
        {
            assertEquals(FaultKind.KILL, f.kind());
        }
        assertThrows(IllegalArgumentException.class,
            () -> FaultSchedule.random(1, List.of("only"), 60_000, EnumSet.of(FaultKind.PARTITION)));
    }
}
