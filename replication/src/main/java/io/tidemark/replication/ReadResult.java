package io.tidemark.replication;

import io.tidemark.engine.FileSlice;

/**
 * The outcome of reading one partition for a fetch.
 *
 * @param error          NONE on success.
 * @param slice          whole batches to send zero-copy (close after sending), or null if none.
 * @param highWatermark  the partition's high watermark.
 * @param logStartOffset the log start offset.
 * @param logEndOffset   the log end offset.
 * @param leaderEpoch    the partition's current leader epoch.
 */
public record ReadResult(
    ReplicationError error,
    FileSlice slice,
    long highWatermark,
    long logStartOffset,
    long logEndOffset,
    int leaderEpoch)
{
    /**
     * @return bytes in the slice.
     */
    public int bytes()
    {
        return slice == null ? 0 : slice.length();
    }

    /**
     * @param error the error.
     * @return a result with only the error.
     */
    public static ReadResult failed(final ReplicationError error)
    {
        return new ReadResult(error, null, -1, -1, -1, -1);
    }
}
