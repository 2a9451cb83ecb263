package io.tidemark.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.engine.storage.AtomicFile;
import io.tidemark.engine.storage.Storage;

/**
 * A small text file replaced atomically: write {@code name.tmp}, force it, rename it over {@code name},
 * force the directory. A crash leaves either the old or the new content, never a mix; a leftover
 * temporary file is ignored and removed on the next write.
 *
 * <p>Kafka's checkpoint format: a version line, a count line, then one entry per line.
 */
final class CheckpointFile
{
    static final String TMP_SUFFIX = AtomicFile.TMP_SUFFIX;
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

    static void writeAtomically(final Storage storage, final Path path, final byte[] content) throws IOException
    {
        AtomicFile.write(storage, path, content);
    }

    static byte[] readAll(final Storage storage, final Path path) throws IOException
    {
        try
        {
            return AtomicFile.read(storage, path);
        }
        catch (final IOException ex)
        {
            if (ex.getMessage() != null && ex.getMessage().contains("implausible size"))
            {
                throw new CorruptCheckpointException(path, ex.getMessage());
            }
            throw ex;
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
