package io.tidemark.engine;

/**
 * The outcome of an append: its status, the offsets assigned and the durability reached.
 *
 * <p>Listeners receive a reused instance valid only during the callback ({@link #copy()} it to keep
 * it); the blocking {@code append} methods return a fresh instance or fill one the caller owns.
 */
public final class AppendResult
{
    /** Appended. */
    public static final int OK = 0;
    /** An idempotent producer's batch that the log already holds: offsets are the original ones. */
    public static final int DUPLICATE = 1;
    /** Refused by the append interceptor; see {@link #rejectCode()}. */
    public static final int REJECTED = 2;
    /** The bytes are not acceptable record batches. */
    public static final int INVALID_RECORD = 3;
    /** A batch is larger than {@code max.message.bytes}. */
    public static final int RECORD_TOO_LARGE = 4;
    /** The disk is full; nothing was written. */
    public static final int OUT_OF_SPACE = 5;
    /** The log failed (for example an fsync failed); see {@link #error()}. */
    public static final int STORAGE_ERROR = 6;
    /** The log is closed. */
    public static final int CLOSED = 7;
    /** A replica append did not start at the log end offset. */
    public static final int OFFSET_MISMATCH = 8;

    private static final String[] NAMES =
        { "OK", "DUPLICATE", "REJECTED", "INVALID_RECORD", "RECORD_TOO_LARGE", "OUT_OF_SPACE", "STORAGE_ERROR",
          "CLOSED", "OFFSET_MISMATCH" };

    int status;
    long baseOffset = -1;
    long lastOffset = -1;
    Durability durability = Durability.NONE;
    long logAppendTimeMs = -1;
    int rejectCode;
    Throwable error;

    /**
     * An empty result to be filled by a blocking append.
     */
    public AppendResult()
    {
    }

    void reset()
    {
        status = OK;
        baseOffset = -1;
        lastOffset = -1;
        durability = Durability.NONE;
        logAppendTimeMs = -1;
        rejectCode = 0;
        error = null;
    }

    void fail(final int status, final Throwable error)
    {
        this.status = status;
        this.error = error;
        this.durability = Durability.NONE;
    }

    /**
     * @param status a status code.
     * @return its name.
     */
    public static String statusName(final int status)
    {
        return status >= 0 && status < NAMES.length ? NAMES[status] : "UNKNOWN(" + status + ")";
    }

    /**
     * @return the status, {@link #OK} on success.
     */
    public int status()
    {
        return status;
    }

    /**
     * @return true for {@link #OK} and {@link #DUPLICATE}: the records are in the log.
     */
    public boolean succeeded()
    {
        return status == OK || status == DUPLICATE;
    }

    /**
     * @return first offset assigned, or -1.
     */
    public long baseOffset()
    {
        return baseOffset;
    }

    /**
     * @return last offset assigned, or -1.
     */
    public long lastOffset()
    {
        return lastOffset;
    }

    /**
     * @return the durability reached.
     */
    public Durability durability()
    {
        return durability;
    }

    /**
     * @return the log append time stamped into the batch, or -1 under create time.
     */
    public long logAppendTimeMs()
    {
        return logAppendTimeMs;
    }

    /**
     * @return the interceptor's code when {@link #status()} is {@link #REJECTED}.
     */
    public int rejectCode()
    {
        return rejectCode;
    }

    /**
     * @return the failure cause, or null.
     */
    public Throwable error()
    {
        return error;
    }

    /**
     * @param other the result to copy.
     * @return this.
     */
    public AppendResult copyFrom(final AppendResult other)
    {
        status = other.status;
        baseOffset = other.baseOffset;
        lastOffset = other.lastOffset;
        durability = other.durability;
        logAppendTimeMs = other.logAppendTimeMs;
        rejectCode = other.rejectCode;
        error = other.error;
        return this;
    }

    /**
     * @return a copy safe to keep.
     */
    public AppendResult copy()
    {
        return new AppendResult().copyFrom(this);
    }

    /**
     * Throws the failure as an exception when the append did not succeed.
     *
     * @return this.
     * @throws InvalidRecordException for refused bytes.
     * @throws StorageException       for storage failures.
     * @throws IllegalStateException  for a closed log or a rejection.
     */
    public AppendResult orThrow()
    {
        switch (status)
        {
            case OK, DUPLICATE ->
            {
                return this;
            }
            case INVALID_RECORD, RECORD_TOO_LARGE, OFFSET_MISMATCH ->
                throw new InvalidRecordException(status, error != null ? error.getMessage() : statusName(status));
            case OUT_OF_SPACE, STORAGE_ERROR ->
            {
                if (error instanceof StorageException se)
                {
                    throw se;
                }
                throw new StorageException(StorageException.Kind.IO, null, "append", -1, -1, statusName(status), error);
            }
            default -> throw new IllegalStateException("append " + statusName(status) +
                (status == REJECTED ? " code " + rejectCode : "") + (error != null ? ": " + error.getMessage() : ""), error);
        }
    }

    @Override
    public String toString()
    {
        return "AppendResult{" + statusName(status) + ", baseOffset=" + baseOffset + ", lastOffset=" + lastOffset +
            ", durability=" + durability + (error != null ? ", error=" + error : "") + '}';
    }
}
