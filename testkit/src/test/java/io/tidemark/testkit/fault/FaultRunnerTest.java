package io.tidemark.testkit.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.history.History;
import io.tidemark.testkit.history.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeakedThreads.class)
class FaultRunnerTest
{
    /** Records calls; fails the start of faults whose target is "bad". */
    private static final class Recorder implements FaultInjector
    {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void start(final Fault fault)
        {
            calls.add("start " + fault.target());
            if (fault.target().equals("bad"))
            {
                throw new IllegalStateException("cannot break " + fault.target());
            }
        }

        @Override
        public void heal(final Fault fault)
        {
            calls.add("heal " + fault.target());
        }

        @Override
        public boolean supports(final FaultKind kind)
        {
            return kind != FaultKind.CLOCK_JUMP;
        }
    }

    @Test
    void shouldPlayEveryFaultInOrderAndRecordItsWindow()
    {
        final FaultSchedule schedule = FaultSchedule.of(300, List.of(
            new Fault(FaultKind.KILL, "a", 10, 30),
            new Fault(FaultKind.PAUSE, "b", 60, 30),
            new Fault(FaultKind.ISOLATE, "c", 120, 30)));
        final Recorder recorder = new Recorder();
        final History history = new History();

        try (FaultRunner runner = FaultRunner.start(schedule, recorder, history))
        {
            runner.awaitCompletion(Duration.ofSeconds(10));
            assertEquals(6, runner.log().size());
        }

        assertEquals(List.of("start a", "heal a", "start b", "heal b", "start c", "heal c"), recorder.calls);
        final List<Op> ops = history.ops();
        assertEquals(6, ops.size());
        assertEquals("KILL a", ops.get(0).error());
        assertEquals(Op.Type.INVOKE, ops.get(0).type());
        assertEquals(Op.Type.OK, ops.get(1).type());
        assertTrue(ops.get(1).timeNanos() - ops.get(0).timeNanos() >= 30_000_000L, "the fault lasted its duration");
    }

    @Test
    void shouldHealTheActiveFaultAtOnceWhenClosedEarly()
    {
        final FaultSchedule schedule = FaultSchedule.of(600_000, List.of(
            new Fault(FaultKind.PARTITION, "a|b", 0, 500_000),
            new Fault(FaultKind.KILL, "never", 550_000, 10)));
        final Recorder recorder = new Recorder();
        final FaultRunner runner = FaultRunner.start(schedule, recorder, null);
        Await.await("partition started", Duration.ofSeconds(10), () -> recorder.calls.contains("start a|b"));

        runner.close();

        assertEquals(List.of("start a|b", "heal a|b"), recorder.calls);
        assertTrue(runner.finished());
    }

    @Test
    void shouldHealAndReportAFaultThatFailedToStartThenStop()
    {
        final FaultSchedule schedule = FaultSchedule.of(10_000, List.of(
            new Fault(FaultKind.KILL, "bad", 0, 10),
            new Fault(FaultKind.KILL, "later", 20, 10)));
        final Recorder recorder = new Recorder();
        final FaultRunner runner = FaultRunner.start(schedule, recorder, null);

        final AssertionError e = assertThrows(AssertionError.class, () -> runner.awaitCompletion(Duration.ofSeconds(10)));

        assertTrue(e.getMessage().contains("cannot start +0ms KILL bad for 10ms"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertEquals(List.of("start bad", "heal bad"), recorder.calls, "healed, and nothing more started");
        assertThrows(AssertionError.class, runner::close);
    }

    @Test
    void shouldRefuseScheduleWithKindsTheInjectorCannotDo()
    {
        final FaultSchedule schedule = FaultSchedule.of(100, List.of(new Fault(FaultKind.CLOCK_JUMP, "a", 0, 10)));
        assertThrows(IllegalArgumentException.class, () -> FaultRunner.start(schedule, new Recorder(), null));
    }
}
