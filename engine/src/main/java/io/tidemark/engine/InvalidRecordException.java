package io.tidemark.engine;

/**
 * An append was refused because its bytes are not acceptable record batches (bad CRC, bad framing,
 * too large, wrong offsets). Nothing of it was written.
 */
public final class InvalidRecordException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status  the {@link AppendOutcome} status.
     * @param message what is wrong.
     */
    public InvalidRecordException(final int status, final String message)
    {
        super(message);
        this.status = status;
    }

    /**
     * @return the {@link AppendOutcome} status.
     */
    public int status()
    {
        return status;
    }
}
