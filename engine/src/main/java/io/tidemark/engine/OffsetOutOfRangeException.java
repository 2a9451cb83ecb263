package io.tidemark.engine;

/**
 * A read asked for an offset below the log start offset or above the log end offset.
 */
public final class OffsetOutOfRangeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final long logStartOffset;
    private final long logEndOffset;

    /**
     * @param offset         the requested offset.
     * @param logStartOffset the first offset available.
     * @param logEndOffset   the log end offset.
     */
    public OffsetOutOfRangeException(final long offset, final long logStartOffset, final long logEndOffset)
    {
        super("offset " + offset + " is out of range [" + logStartOffset + ", " + logEndOffset + "]");
        this.offset = offset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    /**
     * @return the requested offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * @return the first offset available when the read was made.
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * @return the log end offset when the read was made.
     */
    public long logEndOffset()
    {
        return logEndOffset;
    }
}
