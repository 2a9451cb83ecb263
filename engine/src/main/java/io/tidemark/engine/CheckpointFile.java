package io.tidemark.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;

/**
 * A small text file replaced atomically: write {@code name.tmp}, force it, rename it over {@code name},
 * force the directory. A crash leaves either the old or the new content, never a mix; a leftover
 * temporary file is ignored and removed on the next write.
 *
 * <p>Kafka's checkpoint format: a version line, a count line, then one entry per line.
 */
final class CheckpointFile
{
    static final String TMP_SUFFIX = ".tmp";
    private static final int VERSION = 0;

    private final Storage storage;
    private final Path path;

    CheckpointFile(final Storage storage, final Path path)
    {
        this.storage = storage;
        this.path = path;
    }

    Path path()
    {
        return path;
    }

    /**
     * Atomically replaces the file with the given entry lines.
     */
    void write(final List<String> entries) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        text.append(VERSION).append('\n').append(entries.size()).append('\n');
        for (final String e : entries)
        {
            text.append(e).append('\n');
        }
        writeAtomically(storage, path, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Replaces {@code path} with {@code content}: temp file, force, rename, force the directory.
     */
    static void writeAtomically(final Storage storage, final Path path, final byte[] content) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(content);
        final Path tmp = path.resolveSibling(path.getFileName() + TMP_SUFFIX);
        storage.delete(tmp);
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
        storage.fsyncDirectory(path.getParent());
    }

    /**
     * @return the whole content, or null if missing.
     */
    static byte[] readAll(final Storage storage, final Path path) throws IOException
    {
        if (!storage.exists(path))
        {
            return null;
        }
        try (StorageFile file = storage.open(path, false))
        {
            final long size = file.size();
            if (size > 64L * 1024 * 1024)
            {
                throw new CorruptCheckpointException(path, "implausible size " + size);
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

    /**
     * @return the entry lines, or null if the file does not exist.
     * @throws CorruptCheckpointException if the file does not parse.
     */
    List<String> read() throws IOException
    {
        final byte[] content = readAll(storage, path);
        if (content == null)
        {
            return null;
        }
        final String text = new String(content, StandardCharsets.UTF_8);
        if (!text.endsWith("\n"))
        {
            throw new CorruptCheckpointException(path, "truncated (no final newline)");
        }
        final String[] lines = text.split("\n", -1);
        if (lines.length < 3)
        {
            throw new CorruptCheckpointException(path, "missing version or count line");
        }
        final int version = parseInt(lines[0], "version");
        if (version != VERSION)
        {
            throw new CorruptCheckpointException(path, "unknown version " + version);
        }
        final int count = parseInt(lines[1], "count");
        if (count < 0 || count != lines.length - 3)
        {
            throw new CorruptCheckpointException(path, "count " + count + " but " + (lines.length - 3) + " entries");
        }
        final List<String> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            entries.add(lines[2 + i]);
        }
        return entries;
    }

    private int parseInt(final String s, final String what)
    {
        try
        {
            return Integer.parseInt(s.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new CorruptCheckpointException(path, "bad " + what + " line '" + s + "'");
        }
    }

    /**
     * A checkpoint file that does not parse.
     */
    static final class CorruptCheckpointException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        CorruptCheckpointException(final Path path, final String reason)
        {
            super("corrupt checkpoint file " + path + ": " + reason);
        }
    }
}
