package io.tidemark.engine;

import io.tidemark.engine.record.RecordBatchFlyweight;

/**
 * A hook run by the log's writer thread, in log order, around every append: the place where producer
 * state (idempotence: sequence numbers and duplicate detection) is checked and kept without locks.
 * Calls never overlap for one log.
 */
public interface AppendInterceptor
{
    /** Accept the batch. */
    int ACCEPT = 0;
    /** The batch is a duplicate; the interceptor has set the original offsets in the result. */
    int DUPLICATE = 1;

    /**
     * Checks a leader batch before it is written. Must not change state: the write may still fail.
     *
     * @param batch          the batch, offsets not yet assigned.
     * @param nextOffset     the base offset it would get.
     * @param duplicateOut   where to put the original offsets of a duplicate via
     *                       {@link #setDuplicate(AppendResult, long, long)}.
     * @return {@link #ACCEPT}, {@link #DUPLICATE}, or any other positive code to reject (it is
     *         reported as {@link AppendResult#rejectCode()}).
     */
    int check(RecordBatchFlyweight batch, long nextOffset, AppendResult duplicateOut);

    /**
     * A batch was written (leader or replica append), with its final offsets.
     *
     * @param batch    the batch as stored.
     * @param asLeader true for a leader append.
     */
    void onAppended(RecordBatchFlyweight batch, boolean asLeader);

    /**
     * The log was truncated; state derived from removed batches must be dropped or rebuilt.
     *
     * @param logEndOffset   the new log end offset.
     * @param logStartOffset the log start offset.
     */
    void onTruncated(long logEndOffset, long logStartOffset);

    /**
     * Records a duplicate's original offsets.
     *
     * @param out        the result being built.
     * @param baseOffset original first offset.
     * @param lastOffset original last offset.
     */
    static void setDuplicate(final AppendResult out, final long baseOffset, final long lastOffset)
    {
        out.baseOffset = baseOffset;
        out.lastOffset = lastOffset;
    }
}
