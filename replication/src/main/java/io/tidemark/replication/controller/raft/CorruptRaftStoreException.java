package io.tidemark.replication.controller.raft;

import java.nio.file.Path;

/**
 * The controller's Raft store holds damage that cannot be a torn write of data never promised: a bad
 * record in a sealed segment or before data known to be durable, a gap or term regression in the
 * log, unreadable metadata, or a directory of another cluster. The node must not start from it
 * (it could vote or acknowledge against what it promised before); an operator decides.
 */
public final class CorruptRaftStoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * @param path    the file or directory.
     * @param message what is wrong, with positions and indices.
     */
    public CorruptRaftStoreException(final Path path, final String message)
    {
        super(path + ": " + message);
        this.path = path;
    }

    /**
     * @return the damaged file or directory.
     */
    public Path path()
    {
        return path;
    }
}
