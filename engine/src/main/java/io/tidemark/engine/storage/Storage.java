package io.tidemark.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every file-system operation the engine performs. Implementations must be thread safe.
 *
 * <p>Durability model (what {@link CrashSimulatingStorage} enforces and real file systems provide):
 * file bytes are durable once {@link StorageFile#force} or {@link MappedRegion#force} returned; a
 * directory entry (create, rename, delete) is durable once {@link #fsyncDirectory} of its parent
 * returned. Everything else may be lost, torn page by page, on a power cut.
 */
public interface Storage
{
    /**
     * Opens a file for reading and writing.
     *
     * @param path   the file.
     * @param create create it (empty) if missing.
     * @return the open file.
     * @throws java.nio.file.NoSuchFileException if missing and {@code create} is false.
     * @throws IOException on any other failure.
     */
    StorageFile open(Path path, boolean create) throws IOException;

    /**
     * @param path a file or directory.
     * @return true if it exists.
     */
    boolean exists(Path path);

    /**
     * @param path a file or directory.
     * @return true if it is a directory.
     */
    boolean isDirectory(Path path);

    /**
     * @param dir a directory.
     * @return its entries (files and directories), sorted by name.
     * @throws IOException if it cannot be listed.
     */
    List<Path> list(Path dir) throws IOException;

    /**
     * @param dir a directory to create with its parents.
     * @throws IOException on failure.
     */
    void createDirectories(Path dir) throws IOException;

    /**
     * Creates a directory with its parents, then makes each directory it created durable: a new directory
     * is an entry of its parent like any other, lost in a power cut until the parent is fsynced.
     *
     * @param dir a directory to create with its parents.
     * @throws IOException on failure.
     */
    default void createDirectoriesDurably(final Path dir) throws IOException
    {
        final List<Path> created = new ArrayList<>();
        for (Path d = dir.toAbsolutePath().normalize(); d != null && !exists(d); d = d.getParent())
        {
            created.add(d);
        }
        createDirectories(dir);
        for (final Path d : created)
        {
            if (d.getParent() != null)
            {
                fsyncDirectory(d.getParent());
            }
        }
    }

    /**
     * Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists.
     *
     * @param from source.
     * @param to   destination, in the same directory or file system.
     * @throws IOException on failure.
     */
    void move(Path from, Path to) throws IOException;

    /**
     * Deletes a file or an empty directory if it exists.
     *
     * @param path the path.
     * @throws IOException on failure.
     */
    void delete(Path path) throws IOException;

    /**
     * Makes the directory's entries (creations, renames, deletions) durable.
     *
     * @param dir the directory.
     * @throws IOException if the sync failed.
     */
    void fsyncDirectory(Path dir) throws IOException;

    /**
     * Takes an exclusive lock held until the returned handle is closed.
     *
     * @param lockFile the lock file, created if missing.
     * @return the lock.
     * @throws IOException if another holder has it or it cannot be taken.
     */
    Closeable lock(Path lockFile) throws IOException;
}
