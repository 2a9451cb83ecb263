package io.tidemark.testkit.process;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The content of a file, or of one range of it, at one moment, for {@link Corruption#rollBack}. Immutable.
 */
public final class FileSnapshot
{
    private final Path file;
    private final long position;
    private final long fileLength;
    private final byte[] content;

    FileSnapshot(final Path file, final long position, final long fileLength, final byte[] content)
    {
        this.file = file;
        this.position = position;
        this.fileLength = fileLength;
        this.content = content;
    }

    /** @return the file it was taken of. */
    public Path file()
    {
        return file;
    }

    /** @return where the copied range starts. */
    public long position()
    {
        return position;
    }

    /** @return how many bytes were copied. */
    public int length()
    {
        return content.length;
    }

    /** @return the file's length when the snapshot was taken. */
    public long fileLength()
    {
        return fileLength;
    }

    /** @return true when the snapshot holds the whole file. */
    public boolean whole()
    {
        return position == 0 && content.length == fileLength;
    }

    /**
     * @param from   file position.
     * @param length bytes.
     * @return true when the snapshot holds that range.
     */
    public boolean covers(final long from, final long length)
    {
        return from >= position && from + length <= position + content.length;
    }

    /**
     * @param from   file position, inside the snapshot.
     * @param length bytes.
     * @return a copy of that range as it was.
     */
    public byte[] bytes(final long from, final int length)
    {
        if (!covers(from, length))
        {
            throw new IllegalArgumentException("[" + from + ", " + (from + length) + ") is not inside " + this);
        }
        final int start = Math.toIntExact(from - position);
        return Arrays.copyOfRange(content, start, start + length);
    }

    @Override
    public String toString()
    {
        return "snapshot of " + file.getFileName() + " [" + position + ", " + (position + content.length) + ") of "
            + fileLength + " bytes";
    }
}
