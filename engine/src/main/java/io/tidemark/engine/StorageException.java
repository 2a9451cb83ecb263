package io.tidemark.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A storage operation failed. Carries the file, the operation, and where known the offset and byte
 * position, so the message alone says what happened where.
 */
public final class StorageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    public enum Kind
    {
        /** The disk is full (ENOSPC): the append was refused, the log stays readable. */
        OUT_OF_SPACE,
        /** An fsync failed: the data's durability is unknown and the log is failed. */
        SYNC_FAILED,
        /** The log was failed earlier and takes no more writes. */
        LOG_FAILED,
        /** Any other I/O failure. */
        IO
    }

    private final Kind kind;
    private final transient Path path;
    private final String operation;
    private final long offset;
    private final long position;

    /**
     * @param kind      the kind.
     * @param path      the file, may be null.
     * @param operation the operation, such as "append", "force", "roll".
     * @param offset    the log offset involved, or -1.
     * @param position  the byte position involved, or -1.
     * @param message   what happened.
     * @param cause     the underlying error, may be null.
     */
    public StorageException(
        final Kind kind,
        final Path path,
        final String operation,
        final long offset,
        final long position,
        final String message,
        final Throwable cause)
    {
        super(kind + " during " + operation + (path != null ? " of " + path : "") +
            (offset >= 0 ? " at offset " + offset : "") + (position >= 0 ? " position " + position : "") +
            ": " + message, cause);
        this.kind = kind;
        this.path = path;
        this.operation = operation;
        this.offset = offset;
        this.position = position;
    }

    /**
     * Classifies an {@link IOException}: ENOSPC becomes {@link Kind#OUT_OF_SPACE}.
     *
     * @param ex        the failure.
     * @param path      the file.
     * @param operation the operation.
     * @param offset    the offset or -1.
     * @param position  the position or -1.
     * @return the exception to throw.
     */
    public static StorageException of(
        final IOException ex, final Path path, final String operation, final long offset, final long position)
    {
        final Kind kind = isOutOfSpace(ex) ? Kind.OUT_OF_SPACE : Kind.IO;
        return new StorageException(kind, path, operation, offset, position, String.valueOf(ex.getMessage()), ex);
    }

    /**
     * @param ex an I/O failure.
     * @return true if it reports a full disk.
     */
    public static boolean isOutOfSpace(final IOException ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            final String message = t.getMessage();
            if (message != null && (message.contains("No space left on device") || message.contains("ENOSPC") ||
                message.contains("Disk quota exceeded")))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the kind of failure.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return the file, or null.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the operation that failed.
     */
    public String operation()
    {
        return operation;
    }

    /**
     * @return the offset involved, or -1.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * @return the byte position involved, or -1.
     */
    public long position()
    {
        return position;
    }
}
