package io.tidemark.broker.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidemark.engine.AppendInterceptor;
import io.tidemark.engine.AppendResult;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The idempotence rules of one partition, driven directly through the append interceptor calls the log's
 * writer makes: check, then (if accepted) onAppended with offsets assigned.
 */
class ProducerStateManagerTest
{
    private static final long PID = 42;

    private final long[] now = { 1_000_000 };
    private ProducerStateManager state = new ProducerStateManager(new TopicPartition("t", 0), 0, () -> now[0]);
    private long nextOffset;

    private static RecordBatchFlyweight batch(final long pid, final short epoch, final int baseSequence, final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        if (pid >= 0)
        {
            builder.producer(pid, epoch, baseSequence);
        }
        for (int i = 0; i < count; i++)
        {
            builder.append(5L, null, new byte[] { (byte)i });
        }
        builder.build();
        return new RecordBatchFlyweight().wrap(buffer, 0);
    }

    /**
     * @return the verdict; accepted batches are "written" at the next offsets.
     */
    private int write(final RecordBatchFlyweight b, final AppendResult out)
    {
        final int verdict = state.check(b, nextOffset, out);
        if (verdict == AppendInterceptor.ACCEPT)
        {
            b.baseOffset(nextOffset);
            nextOffset = b.lastOffset() + 1;
            state.onAppended(b, true);
        }
        return verdict;
    }

    private int write(final long pid, final int epoch, final int seq, final int count)
    {
        return write(batch(pid, (short)epoch, seq, count), new AppendResult());
    }

    /** The state of a partition whose log starts at {@code start}: the producers of earlier offsets may be forgotten. */
    private void startAt(final long start)
    {
        state = new ProducerStateManager(new TopicPartition("t", 0), start, () -> now[0]);
        nextOffset = start;
    }

    @Test
    void shouldAcceptAnUnknownProducerOnlyAtSequenceZeroWhileTheStateHoldsTheWholeHistory()
    {
        assertTrue(state.wholeHistory());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 0, 100, 3),
            "a pipelined later batch of a producer this partition never saw: its first batch must come first");
        assertEquals(0, nextOffset, "nothing written");
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 0, 100));
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 100, 3));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 0, 105, 1));
        assertEquals(102, state.lastSequenceOf(PID));
    }

    @Test
    void shouldAcceptAnUnknownProducerAtAnySequenceWhenTheStateMayHaveForgottenItThenRequireTheNext()
    {
        startAt(500);
        assertFalse(state.wholeHistory(), "a log that no longer starts at 0");
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 100, 3));
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 103, 1));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 0, 105, 1));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 0, 102, 2), "overlapping but not identical: not a duplicate");
        assertEquals(103, state.lastSequenceOf(PID));
    }

    @Test
    void shouldReportDuplicatesWithTheirOriginalOffsets()
    {
        write(PID, 0, 0, 3);
        write(PID, 0, 3, 2);
        final AppendResult out = new AppendResult();
        assertEquals(AppendInterceptor.DUPLICATE, write(batch(PID, (short)0, 0, 3), out));
        assertEquals(0, out.baseOffset());
        assertEquals(2, out.lastOffset());
        assertEquals(AppendInterceptor.DUPLICATE, write(batch(PID, (short)0, 3, 2), out));
        assertEquals(3, out.baseOffset());
        assertEquals(5, nextOffset, "duplicates are not written");
        assertEquals(2, state.duplicates());
    }

    @Test
    void shouldRememberExactlyTheLastFiveBatches()
    {
        for (int b = 0; b < 7; b++)
        {
            assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, b, 1));
        }
        for (int b = 2; b < 7; b++)
        {
            assertEquals(AppendInterceptor.DUPLICATE, write(PID, 0, b, 1), "batch " + b);
        }
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 0, 1, 1));
    }

    @Test
    void shouldFenceOlderEpochsAndStartNewOnesAtZero()
    {
        write(PID, 3, 0, 2);
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), write(PID, 2, 2, 1));
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), write(PID, 2, 0, 2), "even an identical older batch");
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 4, 2, 1));
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 4, 0, 1));
        assertEquals(4, state.epochOf(PID));
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), write(PID, 4, 0, 2), "the old epoch's batches are forgotten");
    }

    @Test
    void shouldWrapAfterIntegerMaxValue()
    {
        startAt(1_000);
        write(PID, 0, Integer.MAX_VALUE - 1, 2);
        assertEquals(Integer.MAX_VALUE, state.lastSequenceOf(PID));
        assertTrue(ProducerStateManager.inSequence(Integer.MAX_VALUE, 0));
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 0, 1));
    }

    @Test
    void shouldIgnoreBatchesWithoutProducerId()
    {
        assertEquals(AppendInterceptor.ACCEPT, write(-1, -1, -1, 3));
        assertEquals(AppendInterceptor.ACCEPT, write(-1, -1, -1, 3));
        assertEquals(0, state.producerCount());
        assertEquals(6, state.mapEndOffset());
    }

    @Test
    void shouldForgetTruncatedBatchesSoTheyAreNeverReportedAsDuplicates()
    {
        write(PID, 0, 0, 2);  // offsets 0-1
        write(PID, 0, 2, 2);  // offsets 2-3
        state.onTruncated(2, 0);
        nextOffset = 2;
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 2, 2), "written again after the truncation, not a duplicate");
        assertTrue(state.wholeHistory(), "nothing forgotten yet");
        state.onTruncated(0, 0);
        nextOffset = 0;
        assertEquals(0, state.producerCount(), "a producer whose every batch is gone is forgotten");
        assertFalse(state.wholeHistory(), "so any sequence is accepted from then on");
        assertEquals(AppendInterceptor.ACCEPT, write(PID, 0, 9, 1));
    }

    @Test
    void shouldExpireProducersNotSeenForTheExpirationTime()
    {
        write(PID, 0, 0, 1);
        now[0] += 5_000;
        write(PID + 1, 0, 0, 1);
        assertEquals(0, state.expire(now[0] + 4_999, 10_000));
        assertTrue(state.wholeHistory());
        assertEquals(1, state.expire(now[0] + 5_000, 10_000));
        assertFalse(state.wholeHistory(), "an expired producer is forgotten");
        assertEquals(-1, state.epochOf(PID));
        assertEquals(0, state.epochOf(PID + 1));
    }

    @Test
    void shouldRoundTripThroughASnapshotAndRejectACorruptOne()
    {
        for (int b = 0; b < 7; b++)
        {
            write(PID, 2, 10 * b, 10);
        }
        write(PID + 1, 0, 0, 1);
        final ProducerSnapshot snapshot = state.copy();
        final byte[] bytes = snapshot.encode();
        final ProducerStateManager restored = new ProducerStateManager(new TopicPartition("t", 0), 0, () -> now[0]);
        restored.restore(ProducerSnapshot.decode(bytes));
        assertEquals(state.mapEndOffset(), restored.mapEndOffset());
        assertEquals(69, restored.lastSequenceOf(PID));
        final AppendResult out = new AppendResult();
        assertEquals(AppendInterceptor.DUPLICATE, restored.check(batch(PID, (short)2, 20, 10), 0, out),
            "duplicate detection after a restart covers the last five batches");
        assertEquals(20, out.baseOffset());
        bytes[bytes.length - 3] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> ProducerSnapshot.decode(bytes));
        assertThrows(IllegalArgumentException.class, () -> ProducerSnapshot.decode(java.util.Arrays.copyOf(snapshot.encode(), 30)));
        assertEquals("00000000000000000071.snapshot", ProducerSnapshot.fileName(71));
        assertEquals(71, ProducerSnapshot.parseFileName("00000000000000000071.snapshot"));
        assertEquals(-1, ProducerSnapshot.parseFileName("00000000000000000071.log"));
    }
}
