package io.tidemark.engine.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Small files replaced atomically through a {@link Storage}: write {@code name.tmp}, force it, rename
 * it over {@code name}, force the directory. After a crash the file holds the old or the new content,
 * never a mix.
 */
public final class AtomicFile
{
    /** Suffix of the temporary file. */
    public static final String TMP_SUFFIX = ".tmp";
    /** Largest file read back. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    private AtomicFile()
    {
    }

    /**
     * Replaces {@code path} with {@code content}.
     *
     * @param storage the storage.
     * @param path    the file.
     * @param content the new content.
     * @throws IOException on failure (a full disk included); the old content is then intact and the
     *                     temporary file is gone.
     */
    public static void write(final Storage storage, final Path path, final byte[] content) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(content);
        final Path tmp = path.resolveSibling(path.getFileName() + TMP_SUFFIX);
        storage.delete(tmp);
        try
        {
            try (StorageFile file = storage.open(tmp, true))
            {
                long position = 0;
                while (bytes.hasRemaining())
                {
                    position += file.write(bytes, position);
                }
                file.force(true);
            }
            storage.move(tmp, path);
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                storage.delete(tmp);
            }
            catch (final IOException | RuntimeException deleting)
            {
                ex.addSuppressed(deleting);
            }
            throw ex;
        }
        storage.fsyncDirectory(path.getParent());
    }

    /**
     * @param storage the storage.
     * @param path    the file.
     * @return its content, or null if it does not exist.
     * @throws IOException if it cannot be read or is larger than {@link #MAX_BYTES}.
     */
    public static byte[] read(final Storage storage, final Path path) throws IOException
    {
        if (!storage.exists(path))
        {
            return null;
        }
        try (StorageFile file = storage.open(path, false))
        {
            final long size = file.size();
            if (size > MAX_BYTES)
            {
                throw new IOException(path + ": implausible size " + size);
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream((int)size);
            final ByteBuffer chunk = ByteBuffer.allocate(8192);
            long position = 0;
            int n;
            while ((n = file.read(chunk, position)) > 0)
            {
                out.write(chunk.array(), 0, n);
                position += n;
                chunk.clear();
            }
            return out.toByteArray();
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }
}
