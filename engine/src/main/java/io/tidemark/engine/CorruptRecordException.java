package io.tidemark.engine;

import java.nio.file.Path;

/**
 * A record batch in data that was known to be durable failed validation: corruption, not a torn
 * write. Recovery refuses to skip over it unless configured to truncate.
 */
public final class CorruptRecordException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final long position;
    private final long expectedOffset;
    private final String reason;

    /**
     * @param path           the segment file.
     * @param position       the byte position of the bad batch.
     * @param expectedOffset the offset the batch should start at.
     * @param reason         what is wrong with it.
     * @param detail         more context.
     */
    public CorruptRecordException(
        final Path path, final long position, final long expectedOffset, final String reason, final String detail)
    {
        super("corrupt record batch in " + path + " at position " + position + " (expected offset " +
            expectedOffset + "): " + reason + (detail.isEmpty() ? "" : "; " + detail));
        this.path = path;
        this.position = position;
        this.expectedOffset = expectedOffset;
        this.reason = reason;
    }

    /**
     * @return the segment file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the byte position of the bad batch.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the offset the bad batch should have started at.
     */
    public long expectedOffset()
    {
        return expectedOffset;
    }

    /**
     * @return what is wrong.
     */
    public String reason()
    {
        return reason;
    }
}
