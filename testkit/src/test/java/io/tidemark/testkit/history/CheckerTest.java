package io.tidemark.testkit.history;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Synthetic histories with exactly one anomaly each (and clean ones): each is found, classified as the
 * right kind, and fatal or counted as the contract says.
 */
class CheckerTest
{
    private static final long A = 10;
    private static final long B = 11;
    private static final long C = 12;

    /** Asserts that the report holds exactly {@code n} anomalies of {@code kind} and none of any other kind. */
    private static void assertOnly(final Report report, final Set<AnomalyKind> kinds)
    {
        for (final AnomalyKind k : AnomalyKind.values())
        {
            if (!kinds.contains(k))
            {
                assertEquals(0, report.count(k), () -> "unexpected " + k + System.lineSeparator() + report);
            }
            else
            {
                assertTrue(report.count(k) > 0, () -> "expected " + k + System.lineSeparator() + report);
            }
        }
    }

    private static void assertOnly(final Report report, final AnomalyKind kind, final long n)
    {
        assertOnly(report, EnumSet.of(kind));
        assertEquals(n, report.count(kind), report::toString);
    }

    /** a@0 b@1 c@2 acknowledged; consumer 100 reads everything; the final read holds it all. */
    private static Scenario clean()
    {
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).ack(C, 2);
        s.poll(100, null, 0, A, 1, B).poll(100, null, 2, C);
        return s;
    }

    @Test
    void shouldFindNothingInCleanHistoryUnderEveryContract()
    {
        for (final Contract contract : List.of(Contract.acksAll(), Contract.acks1(), Contract.acks0(),
            Contract.acksAll().toBuilder().idempotent(true).build()))
        {
            final Scenario s = clean();
            s.finalLog(3, 0, A, 1, B, 2, C);

            final Report report = s.check(contract);

            assertOnly(report, EnumSet.noneOf(AnomalyKind.class));
            assertTrue(report.valid(), report::toString);
            assertEquals(3, report.acknowledged());
            assertEquals(2, report.polls());
            assertEquals(3, report.polledRecords());
            assertEquals(7L, report.seed());
        }
    }

    @Test
    void shouldFindTwoValuesAtOneOffsetAcrossPolls()
    {
        final Scenario s = clean();
        s.poll(101, null, 0, A, 1, C); // another consumer saw c at offset 1
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acks0());

        assertOnly(report, AnomalyKind.INCONSISTENT_OFFSET, 1);
        final Anomaly a = report.anomalies(AnomalyKind.INCONSISTENT_OFFSET).get(0);
        assertEquals(1, a.offset());
        assertTrue(a.detail().contains("[" + B + ", " + C + "]"), a.detail());
        assertFalse(report.valid(), "always fatal, even under acks=0");
    }

    @Test
    void shouldFindAcknowledgedValueAtAnotherOffset()
    {
        final Scenario s = new Scenario().ack(A, 0).ack(B, 2); // acknowledged at 2, the log has it at 1
        s.info(C);
        s.poll(100, null, 0, A, 1, B, 2, C);
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.INCONSISTENT_OFFSET, 1);
        assertFalse(report.valid());
    }

    @Test
    void shouldFindLostAcknowledgedWriteFatalUnderAcksAllCountedUnderAcks1()
    {
        for (final boolean acksAll : new boolean[] {true, false})
        {
            final Scenario s = new Scenario().ack(A, 0).ack(B, 1).ack(C, 2);
            s.poll(100, null, 0, A, 1, B);
            s.finalLog(2, 0, A, 1, B); // c is gone

            final Report report = s.check(acksAll ? Contract.acksAll() : Contract.acks1());

            assertOnly(report, AnomalyKind.LOST_ACKED, 1);
            assertEquals(C, report.anomalies(AnomalyKind.LOST_ACKED).get(0).value());
            assertEquals(1, report.lost());
            assertEquals(!acksAll, report.valid(), report::toString);
        }
    }

    @Test
    void shouldNotJudgeAcknowledgedWritesBelowTheLogStart()
    {
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).ack(C, 2);
        s.poll(100, null, 1, B, 2, C);
        s.finalRead.partition(Scenario.P, 1, 3).add(1, B).add(2, C); // offset 0 removed by retention

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, EnumSet.noneOf(AnomalyKind.class));
        assertEquals(1, report.pruned());
    }

    @Test
    void shouldFindReadThenLostInsideTheLogAsFatalWithTheHoleItLeaves()
    {
        final Scenario s = new Scenario().ack(A, 0).info(B).ack(C, 2);
        s.poll(100, null, 0, A, 1, B, 2, C);
        s.finalLog(3, 0, A, 2, C); // b was read at 1, then vanished

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, EnumSet.of(AnomalyKind.READ_THEN_LOST, AnomalyKind.HOLE));
        assertEquals(1, report.readThenLost());
        assertTrue(report.fatalKinds().contains(AnomalyKind.READ_THEN_LOST));
    }

    @Test
    void shouldCountReadThenLostAfterAllNodePowerLossWithoutBatch()
    {
        final Contract powerLoss = Contract.acksAll().toBuilder().allNodePowerLossWithoutBatch(true).build();
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).info(C);
        s.poll(100, null, 0, A, 1, B, 2, C);
        s.finalLog(2, 0, A, 1, B); // committed c was read, then every node lost power

        final Report report = s.check(powerLoss);

        assertOnly(report, AnomalyKind.READ_THEN_LOST, 1);
        assertTrue(report.valid(), report::toString);
    }

    @Test
    void shouldCallAPolledOffsetBeyondTheFinalReadAReadBeyondHwWithoutPowerLoss()
    {
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).info(C);
        s.poll(100, null, 0, A, 1, B, 2, C);
        s.finalLog(2, 0, A, 1, B);

        final Report report = s.check(Contract.acks1());

        assertOnly(report, AnomalyKind.READ_BEYOND_HW, 1);
        assertFalse(report.valid());
    }

    @Test
    void shouldFindReadBeyondTheHighWatermarkReportedWithThePoll()
    {
        final Scenario s = clean();
        s.pollWithHw(101, null, 2, 0, A, 1, B, 2, C); // offset 2 returned while the HW was 2
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acks0());

        assertOnly(report, AnomalyKind.READ_BEYOND_HW, 1);
        assertEquals(2, report.anomalies(AnomalyKind.READ_BEYOND_HW).get(0).offset());
        assertFalse(report.valid());
    }

    @Test
    void shouldCountDuplicatesUnlessIdempotent()
    {
        for (final boolean idempotent : new boolean[] {false, true})
        {
            final Scenario s = new Scenario().ack(A, 0).ack(B, 2); // b's first attempt landed at 1, its retry at 2
            s.poll(100, null, 0, A, 1, B, 2, B);
            s.finalLog(3, 0, A, 1, B, 2, B);

            final Report report = s.check(Contract.acksAll().toBuilder().idempotent(idempotent).build());

            assertOnly(report, AnomalyKind.DUPLICATE, 1);
            assertEquals(1, report.duplicated());
            assertTrue(report.anomalies(AnomalyKind.DUPLICATE).get(0).detail().contains("[1, 2]"));
            assertEquals(!idempotent, report.valid(), report::toString);
        }
    }

    @Test
    void shouldFindSendThatLandedBeforeAnEarlierAcknowledgedSend()
    {
        // producer 1's a is acknowledged at 1; producer 2 then sends b, which lands at 0
        final Scenario s = new Scenario().ack(A, 1);
        final History.Send b = s.invoke(2, B);
        s.clock.advanceMs(1);
        b.ok(0);
        s.poll(100, null, 0, B, 1, A);
        s.finalLog(2, 0, B, 1, A);

        final Report all = s.check(Contract.acksAll());
        assertOnly(all, AnomalyKind.REORDERED, 1);
        assertFalse(all.valid());

        final Report perProducer = s.check(Contract.acksAll().toBuilder()
            .realTimeOrder(Contract.RealTimeOrder.PER_PRODUCER).build());
        assertOnly(perProducer, EnumSet.noneOf(AnomalyKind.class));
    }

    @Test
    void shouldCheckPipelinedSendOrderOnlyForIdempotentProducers()
    {
        final Scenario s = new Scenario();
        final History.Send a = s.invoke(1, A);
        final History.Send b = s.invoke(1, B); // pipelined: b invoked before a is acknowledged
        s.clock.advanceMs(1);
        b.ok(0);
        a.ok(1);
        s.poll(100, null, 0, B, 1, A);
        s.finalLog(2, 0, B, 1, A);

        assertOnly(s.check(Contract.acksAll()), EnumSet.noneOf(AnomalyKind.class));
        final Report idempotent = s.check(Contract.acksAll().toBuilder().idempotent(true).build());
        assertOnly(idempotent, AnomalyKind.REORDERED, 1);
        assertFalse(idempotent.valid());
    }

    @Test
    void shouldFindHolesButNotDeclaredControlRecords()
    {
        final Scenario s = new Scenario().ack(A, 0).fail(B).ack(C, 2);
        s.poll(100, null, 0, A, 2, C);
        s.finalLog(3, 0, A, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.HOLE, 1);
        assertEquals(1, report.holeOffsets());
        assertFalse(report.valid());

        final Scenario marked = new Scenario().ack(A, 0).fail(B).ack(C, 2);
        marked.poll(100, null, 0, A, 2, C);
        marked.finalLog(3, 0, A, 2, C).skip(1);
        assertOnly(marked.check(Contract.acksAll()), EnumSet.noneOf(AnomalyKind.class));
    }

    @Test
    void shouldFindValueNeverSent()
    {
        final Scenario s = clean();
        s.finalLog(4, 0, A, 1, B, 2, C, 3, 999);

        final Report report = s.check(Contract.acks0());

        assertOnly(report, AnomalyKind.UNKNOWN_VALUE, 1);
        assertEquals(999, report.anomalies(AnomalyKind.UNKNOWN_VALUE).get(0).value());
        assertFalse(report.valid());
    }

    @Test
    void shouldFindValueSentToAnotherPartition()
    {
        final Scenario s = clean();
        final History.Send elsewhere = s.history.invokeSend(1, 5, 77);
        elsewhere.info("timeout");
        s.finalLog(4, 0, A, 1, B, 2, C, 3, 77);
        s.finalRead.partition(5, 0, 0);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.UNKNOWN_VALUE, 1);
        assertTrue(report.anomalies(AnomalyKind.UNKNOWN_VALUE).get(0).detail().contains("sent to partition 5"));
    }

    @Test
    void shouldFindCorruptValuesInFinalReadAndPolls()
    {
        final byte[] corrupt = Values.encode(C);
        corrupt[9] ^= 4;
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).info(C);
        s.clock.advanceMs(1);
        final History.Poll poll = s.history.invokePoll(100);
        poll.ok(PollRecords.builder().addRaw(Scenario.P, 0, Values.encode(A)).addRaw(Scenario.P, 1, Values.encode(B))
            .addRaw(Scenario.P, 2, corrupt).build());
        s.finalLog(3, 0, A, 1, B).addRaw(2, corrupt);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.CORRUPT_VALUE, 2);
        assertFalse(report.valid());
    }

    @Test
    void shouldFindDefinitelyFailedWriteThatIsVisible()
    {
        final Scenario s = new Scenario().ack(A, 0).fail(B).ack(C, 2);
        s.poll(100, null, 0, A, 1, B, 2, C);
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acks1());

        assertOnly(report, AnomalyKind.FAILED_WRITE_VISIBLE, 1);
        assertEquals(B, report.anomalies(AnomalyKind.FAILED_WRITE_VISIBLE).get(0).value());
        assertFalse(report.valid());
    }

    @Test
    void shouldFindPollThatSkipsRecords()
    {
        final Scenario s = clean();
        s.poll(101, null, 0, A).poll(101, null, 2, C); // offset 1 holds b, consumer 101 never got it

        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report checked = s.check(Contract.acksAll());

        assertOnly(checked, AnomalyKind.POLL_SKIP, 1);
        assertEquals(101, checked.anomalies(AnomalyKind.POLL_SKIP).get(0).process());
        assertFalse(checked.valid());
    }

    @Test
    void shouldFindNonMonotonicPollButAcceptSeekBack()
    {
        final Scenario s = clean();
        s.poll(101, null, 0, A, 1, B).poll(101, null, 1, B);
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.NONMONOTONIC_POLL, 1);
        assertFalse(report.valid());

        final Scenario seek = clean();
        seek.poll(101, null, 0, A, 1, B);
        seek.history.seek(101, Scenario.P, 1);
        seek.poll(101, null, 1, B);
        seek.finalLog(3, 0, A, 1, B, 2, C);
        assertOnly(seek.check(Contract.acksAll()), EnumSet.noneOf(AnomalyKind.class));
    }

    @Test
    void shouldNotCheckPositionsAcrossANewAssignment()
    {
        final Scenario s = clean();
        s.poll(101, "g", 0, A, 1, B);
        s.history.assign(101, "g", List.of(Scenario.P));
        s.poll(101, "g", 0, A);
        s.finalLog(3, 0, A, 1, B, 2, C);

        assertOnly(s.check(Contract.acksAll()), EnumSet.noneOf(AnomalyKind.class));
    }

    @Test
    void shouldFindGroupCommitThatRegresses()
    {
        final Scenario s = clean();
        s.poll(200, "g", 0, A, 1, B, 2, C).commit(200, "g", 3).commit(201, "g", 1);
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.COMMIT_REGRESS, 1);
        assertFalse(report.valid());
    }

    @Test
    void shouldFindFinalCommittedOffsetBelowAnAcknowledgedCommit()
    {
        final Scenario s = clean();
        s.poll(200, "g", 0, A, 1, B, 2, C).commit(200, "g", 3);
        s.finalLog(3, 0, A, 1, B, 2, C);
        s.finalRead.committed("g", Scenario.P, 2);

        assertOnly(s.check(Contract.acksAll()), AnomalyKind.COMMIT_REGRESS, 1);
    }

    @Test
    void shouldFindGroupCommitPastUnreadRecords()
    {
        final Scenario s = clean();
        s.poll(200, "g", 0, A).commit(200, "g", 3); // b and c were never polled by the group
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.COMMIT_SKIP, 1);
        assertEquals(1, report.anomalies(AnomalyKind.COMMIT_SKIP).get(0).offset());
        assertFalse(report.valid());
    }

    @Test
    void shouldFindDivergedAndUnconvergedReplicas()
    {
        final Scenario s = clean();
        s.finalLog(3, 0, A, 1, B, 2, C);
        s.finalRead.replica(Scenario.P, "broker-1", 0, 3, 3).add(0, A).add(1, B).add(2, C);
        s.finalRead.replica(Scenario.P, "broker-2", 0, 3, 3).add(0, A).add(1, C).add(2, C);
        s.finalRead.replica(Scenario.P, "broker-3", 0, 2, 2).add(0, A).add(1, B);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.REPLICA_DIVERGENCE, 2);
        assertTrue(report.anomalies(AnomalyKind.REPLICA_DIVERGENCE).toString().contains("broker-2 has " + C));
        assertTrue(report.anomalies(AnomalyKind.REPLICA_DIVERGENCE).toString().contains("log end offset 3 on broker-1, 2 on broker-3"));
        assertFalse(report.valid());
    }

    @Test
    void shouldCountAcknowledgedWritesNoPollReturned()
    {
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).ack(C, 2);
        s.poll(100, null, 0, A, 1, B);
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertOnly(report, AnomalyKind.UNSEEN_ACKED, 1);
        assertTrue(report.valid());
    }

    @Test
    void shouldMeasureRecoveryAndFailSlowRecoveryAgainstTheBound()
    {
        final Scenario s = new Scenario().ack(A, 0);
        final History.Fault fault = s.history.faultStarted("KILL broker-1");
        final History.Send b = s.invoke(1, B);
        s.clock.advanceMs(10_000);
        fault.healed();
        s.clock.advanceMs(5_000);
        b.ok(1);
        s.poll(100, null, 0, A, 1, B);
        s.finalLog(2, 0, A, 1, B);

        final Report unbounded = s.check(Contract.acksAll());
        assertOnly(unbounded, EnumSet.noneOf(AnomalyKind.class));
        assertEquals(1, unbounded.recoveries().size());
        assertEquals(5_000_000_000L, unbounded.recoveries().get(0).recoveryNanos());
        assertTrue(unbounded.unavailableSeconds() >= 14, unbounded::toString);

        final Report bounded = s.check(Contract.acksAll().toBuilder().recoveryBoundMs(2_000).build());
        assertOnly(bounded, AnomalyKind.SLOW_RECOVERY, 1);
        assertFalse(bounded.valid());

        assertTrue(s.check(Contract.acksAll().toBuilder().recoveryBoundMs(6_000).build()).valid());
    }

    @Test
    void shouldSplitLatencyBetweenNormalAndFaultWindows()
    {
        final Scenario s = new Scenario();
        long offset = 0;
        for (int i = 0; i < 10; i++)
        {
            final History.Send send = s.invoke(1, 100 + i);
            s.clock.advanceMs(2);
            send.ok(offset++);
        }
        final History.Fault fault = s.history.faultStarted("PAUSE broker-2");
        for (int i = 0; i < 5; i++)
        {
            final History.Send send = s.invoke(1, 200 + i);
            s.clock.advanceMs(50);
            send.ok(offset++);
        }
        fault.healed();
        final FinalRead.LogBuilder log = s.finalLog(offset);
        for (int i = 0; i < 10; i++)
        {
            log.add(i, 100 + i);
        }
        for (int i = 0; i < 5; i++)
        {
            log.add(10 + i, 200 + i);
        }

        final Report report = s.check(Contract.acksAll());

        assertEquals(10, report.normalLatency().count());
        assertEquals(5, report.faultLatency().count());
        assertTrue(report.normalLatency().p99Micros() <= 2_010, report::toString);
        assertTrue(report.faultLatency().p50Micros() >= 49_000, report::toString);
        assertTrue(report.faultLatency().maxMicros() >= 50_000 - 100);
    }

    @Test
    void shouldReportUnhealedFault()
    {
        final Scenario s = clean();
        s.history.faultStarted("PARTITION broker-1|broker-2,broker-3");
        s.finalLog(3, 0, A, 1, B, 2, C);

        final Report report = s.check(Contract.acksAll());

        assertEquals(List.of("PARTITION broker-1|broker-2,broker-3"), report.unhealedFaults());
        assertTrue(report.toString().contains("NEVER HEALED"));
    }

    @Test
    void shouldRejectMalformedHistories()
    {
        final Scenario twice = new Scenario().ack(A, 0).ack(A, 1);
        twice.finalLog(2, 0, A, 1, A);
        assertThrows(IllegalArgumentException.class, () -> twice.check(Contract.acksAll()), "a value sent twice");

        final Scenario unread = new Scenario().ack(A, 0);
        assertThrows(IllegalArgumentException.class, () -> unread.check(Contract.acksAll()), "partition missing from final read");
    }

    @Test
    void shouldRefuseToCountAlwaysFatalKinds()
    {
        assertThrows(IllegalArgumentException.class,
            () -> Contract.acks0().toBuilder().counted(AnomalyKind.INCONSISTENT_OFFSET));
        assertThrows(IllegalArgumentException.class, () -> Contract.acks0().toBuilder().counted(AnomalyKind.READ_BEYOND_HW));
    }

    @Test
    void shouldPrintVerdictSeedAndFirstExamples()
    {
        final Scenario s = new Scenario().ack(A, 0).ack(B, 1).ack(C, 2);
        s.poll(100, null, 0, A);
        s.finalLog(1, 0, A);

        final String text = s.check(Contract.acksAll()).toString();

        assertTrue(text.startsWith("Tidemark check: INVALID ([LOST_ACKED])"), text);
        assertTrue(text.contains("seed 7"), text);
        assertTrue(text.contains("FATAL   LOST_ACKED           2"), text);
        assertTrue(text.contains("LOST_ACKED p0@1 value=" + B), text);
        assertTrue(text.contains("counts: lost 2"), text);
    }

    @Test
    void shouldUseUnavailabilityBucketOption()
    {
        final Scenario s = new Scenario();
        final History.Send a = s.invoke(1, A);
        s.clock.advanceMs(3_000);
        a.ok(0);
        s.finalLog(1, 0, A);

        final Report coarse = new Checker(Contract.acksAll()).check(s.history, s.finalRead.build());
        final FinalRead.Builder again = FinalRead.builder();
        again.partition(Scenario.P, 0, 1).add(0, A);
        final Report fine = new Checker(Contract.acksAll()).unavailabilityBucket(Duration.ofMillis(100))
            .check(s.history.ops(), again.build());

        assertEquals(3.0, coarse.unavailableSeconds(), 0.001, coarse::toString);
        assertEquals(3.0, fine.unavailableSeconds(), 0.11, fine::toString);
    }
}
