package io.tidemark.broker.producer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.tidemark.engine.AppendInterceptor;
import io.tidemark.engine.AppendResult;
import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.record.RecordBatchFlyweight;
import org.agrona.concurrent.EpochClock;
import org.agrona.collections.Long2ObjectHashMap;
import org.apache.kafka.common.protocol.Errors;

/**
 * The idempotent producers of one partition, checked and updated on the log's writer thread in log
 * order through the engine's {@link AppendInterceptor} (Kafka's {@code ProducerStateManager} and
 * {@code ProducerAppendInfo} rules):
 *
 * <ol>
 *   <li>same epoch and a retained batch with exactly the same sequence range: a duplicate, answered with
 *       the original offsets and not appended;</li>
 *   <li>an older epoch: {@code INVALID_PRODUCER_EPOCH};</li>
 *   <li>a newer epoch must start at sequence 0, else {@code OUT_OF_ORDER_SEQUENCE_NUMBER};</li>
 *   <li>the same epoch must continue the last sequence (wrapping after {@code Integer.MAX_VALUE}), else
 *       {@code OUT_OF_ORDER_SEQUENCE_NUMBER};</li>
 *   <li>an unknown producer id is accepted at any sequence (KIP-360) when this partition may have forgotten
 *       it: its state was restored from a snapshot or rebuilt from a log that no longer starts at 0, or a
 *       truncation or the expiration removed a producer. While the state holds the partition's whole history
 *       (a log that starts at 0 and nothing forgotten), an unknown producer must start at sequence 0, else
 *       {@code OUT_OF_ORDER_SEQUENCE_NUMBER}. {@code UNKNOWN_PRODUCER_ID} is never returned, as in Kafka.</li>
 * </ol>
 *
 * Why rule 5 is stricter than Kafka's while the history is whole: a client pipelines up to five batches; if
 * the first reaches a broker that has not applied its leadership yet (the client learnt it from another
 * broker's metadata) it is answered {@code NOT_LEADER_OR_FOLLOWER}, and the second, arriving a moment
 * later, would be accepted as the producer's first. The client then retries the first batch against a
 * state that has moved past it and gets {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until its delivery timeout,
 * because the Java client retries that error for a batch that is not the next in sequence. Refusing the
 * second batch instead keeps the client's batches in order: it retries both, first one first. The process
 * fault test found this on a freshly created topic.
 *
 * A rejection is reported with the Kafka error code as the interceptor's reject code. Batches without a
 * producer id pass untouched. The state is guarded by this object's lock: the writer thread updates it,
 * the snapshot task copies it.
 */
public final class ProducerStateManager implements AppendInterceptor
{
    private final TopicPartition topicPartition;
    private final EpochClock clock;
    private final Long2ObjectHashMap<ProducerEntry> producers = new Long2ObjectHashMap<>();
    private long mapEndOffset;
    private long lastSnapshotOffset = -1;
    private long duplicates;
    private boolean wholeHistory;

    ProducerStateManager(final TopicPartition topicPartition, final long mapEndOffset, final EpochClock clock)
    {
        this.topicPartition = topicPartition;
        this.mapEndOffset = mapEndOffset;
        this.clock = clock;
        this.wholeHistory = mapEndOffset == 0;
    }

    /**
     * @return the partition.
     */
    public TopicPartition topicPartition()
    {
        return topicPartition;
    }

    @Override
    public synchronized int check(final RecordBatchFlyweight batch, final long nextOffset, final AppendResult duplicateOut)
    {
        final long pid = batch.producerId();
        if (pid < 0)
        {
            return ACCEPT;
        }
        final ProducerEntry entry = producers.get(pid);
        if (entry == null)
        {
            return batch.baseSequence() == 0 || !wholeHistory ? ACCEPT : Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code();
        }
        final short epoch = batch.producerEpoch();
        final int first = batch.baseSequence();
        if (epoch == entry.epoch)
        {
            final int dup = entry.findDuplicate(first, batch.lastSequence());
            if (dup >= 0)
            {
                AppendInterceptor.setDuplicate(duplicateOut, entry.firstOffset(dup), entry.lastOffset(dup));
                duplicates++;
                return DUPLICATE;
            }
        }
        if (epoch < entry.epoch)
        {
            return Errors.INVALID_PRODUCER_EPOCH.code();
        }
        if (epoch != entry.epoch)
        {
            return first == 0 ? ACCEPT : Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code();
        }
        if (entry.size() == 0 || inSequence(entry.lastSeq(), first))
        {
            return ACCEPT;
        }
        return Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code();
    }

    /**
     * @param lastSeq the last sequence written.
     * @param nextSeq the first sequence of the next batch.
     * @return true if it follows, wrapping after {@code Integer.MAX_VALUE}.
     */
    static boolean inSequence(final int lastSeq, final int nextSeq)
    {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    @Override
    public synchronized void onAppended(final RecordBatchFlyweight batch, final boolean asLeader)
    {
        apply(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(), batch.baseOffset(),
            batch.lastOffset(), batch.maxTimestamp(), clock.time());
    }

    /**
     * Applies a batch as stored (appends, and replay on load): no checks.
     *
     * @param seenMs wall time the broker saw the producer (expiration counts from it, not from the client's
     *               timestamps, which may be missing or skewed).
     */
    synchronized void apply(final long pid, final short epoch, final int firstSeq, final int lastSeq, final long baseOffset,
        final long lastOffset, final long maxTimestamp, final long seenMs)
    {
        mapEndOffset = Math.max(mapEndOffset, lastOffset + 1);
        if (pid < 0)
        {
            return;
        }
        ProducerEntry entry = producers.get(pid);
        if (entry == null)
        {
            entry = new ProducerEntry(pid, epoch);
            producers.put(pid, entry);
        }
        if (entry.epoch != epoch)
        {
            entry.epoch = epoch;
            entry.clearBatches();
        }
        entry.add(firstSeq, lastSeq, baseOffset, lastOffset, maxTimestamp);
        entry.lastSeenMs = Math.max(entry.lastSeenMs, seenMs);
    }

    @Override
    public synchronized void onTruncated(final long logEndOffset, final long logStartOffset)
    {
        // batches removed from the log must never be reported as duplicates; a producer whose retained batches
        // are all gone becomes unknown (any sequence accepted from then on), as after Kafka's retention of its
        // last batch
        final Iterator<ProducerEntry> it = producers.values().iterator();
        while (it.hasNext())
        {
            final ProducerEntry e = it.next();
            e.truncateTo(logEndOffset);
            if (e.size() == 0)
            {
                it.remove();
                wholeHistory = false;
            }
        }
        mapEndOffset = Math.min(mapEndOffset, logEndOffset);
        if (logStartOffset > 0)
        {
            wholeHistory = false;
        }
        if (lastSnapshotOffset > logEndOffset)
        {
            lastSnapshotOffset = -1;
        }
    }

    /**
     * @return the offset after the last batch applied.
     */
    public synchronized long mapEndOffset()
    {
        return mapEndOffset;
    }

    /**
     * @return duplicate batches answered with their original offsets since the state was loaded.
     */
    public synchronized long duplicates()
    {
        return duplicates;
    }

    /**
     * @return true while the state holds every producer of the partition's history (an unknown producer
     *         must then start at sequence 0).
     */
    public synchronized boolean wholeHistory()
    {
        return wholeHistory;
    }

    /**
     * @return producer ids known.
     */
    public synchronized int producerCount()
    {
        return producers.size();
    }

    /**
     * @param pid a producer id.
     * @return its epoch, or -1 if unknown.
     */
    public synchronized short epochOf(final long pid)
    {
        final ProducerEntry e = producers.get(pid);
        return e == null ? -1 : e.epoch;
    }

    /**
     * @param pid a producer id.
     * @return the last sequence written, or -1 if unknown.
     */
    public synchronized int lastSequenceOf(final long pid)
    {
        final ProducerEntry e = producers.get(pid);
        return e == null || e.size() == 0 ? -1 : e.lastSeq();
    }

    /**
     * Forgets producers not seen (no batch appended, or replayed at load) for the expiration time.
     *
     * @param nowMs        wall time.
     * @param expirationMs {@code producer.id.expiration.ms}.
     * @return how many were forgotten.
     */
    public synchronized int expire(final long nowMs, final long expirationMs)
    {
        int removed = 0;
        final Iterator<ProducerEntry> it = producers.values().iterator();
        while (it.hasNext())
        {
            if (nowMs - it.next().lastSeenMs >= expirationMs)
            {
                it.remove();
                removed++;
                wholeHistory = false;
            }
        }
        return removed;
    }

    /**
     * @return a consistent copy of the state, or null if nothing changed since the last snapshot.
     */
    synchronized ProducerSnapshot snapshotIfChanged()
    {
        if (mapEndOffset == lastSnapshotOffset)
        {
            return null;
        }
        return copy();
    }

    synchronized ProducerSnapshot copy()
    {
        final List<ProducerSnapshot.Producer> list = new ArrayList<>(producers.size());
        for (final ProducerEntry e : producers.values())
        {
            final List<ProducerSnapshot.Batch> batches = new ArrayList<>(e.size());
            for (int i = 0; i < e.size(); i++)
            {
                batches.add(new ProducerSnapshot.Batch(e.firstSeq(i), e.lastSeq(i), e.firstOffset(i), e.lastOffset(i), e.timestamp(i)));
            }
            list.add(new ProducerSnapshot.Producer(e.producerId, e.epoch, e.lastSeenMs, batches));
        }
        return new ProducerSnapshot(mapEndOffset, list);
    }

    synchronized void snapshotWritten(final long offset)
    {
        lastSnapshotOffset = Math.max(lastSnapshotOffset, offset);
    }

    synchronized void restore(final ProducerSnapshot snapshot)
    {
        // a snapshot does not say whether producers were forgotten before it was taken
        wholeHistory = false;
        producers.clear();
        for (final ProducerSnapshot.Producer p : snapshot.producers())
        {
            final ProducerEntry e = new ProducerEntry(p.producerId(), p.epoch());
            for (final ProducerSnapshot.Batch b : p.batches())
            {
                e.add(b.firstSeq(), b.lastSeq(), b.firstOffset(), b.lastOffset(), b.timestamp());
            }
            e.lastSeenMs = p.lastSeenMs();
            producers.put(p.producerId(), e);
        }
        mapEndOffset = snapshot.offset();
        lastSnapshotOffset = snapshot.offset();
    }
}
