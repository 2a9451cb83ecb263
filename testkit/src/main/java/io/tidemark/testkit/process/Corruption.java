package io.tidemark.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * A change to a file of a stopped node, to test recovery: bit flips, truncation, zeroed or garbage ranges,
 * a chunk copied over another, a chunk rolled back to an earlier {@link FileSnapshot}. Each is applied with
 * {@link ProcessCluster#corrupt(String, String, Corruption)} (or {@link #apply(Path)} on any file) and
 * returns a description of exactly what it did (random choices resolved), to print for replay.
 *
 * <p>Positions are byte positions in the file; a negative position counts from the end ({@code -1} is the
 * last byte).
 */
public final class Corruption
{
    @FunctionalInterface
    private interface Action
    {
        String apply(FileChannel channel, long size) throws IOException;
    }

    private static final long MAX_SNAPSHOT_BYTES = 256L << 20;

    private final String description;
    private final Action action;

    private Corruption(final String description, final Action action)
    {
        this.description = description;
        this.action = action;
    }

    /**
     * Applies the corruption.
     *
     * @param file the file, which must exist.
     * @return what was done, e.g. {@code flipped bit 3 of byte 1234 (0x41 -> 0x49) in /x/0.log}.
     */
    public String apply(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final String what = action.apply(channel, channel.size());
            channel.force(true);
            return what + " in " + file;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot apply " + description + " to " + file, e);
        }
    }

    @Override
    public String toString()
    {
        return description;
    }

    private static long resolve(final long position, final long size)
    {
        final long p = position < 0 ? size + position : position;
        if (p < 0 || p >= size)
        {
            throw new IllegalArgumentException("position " + position + " outside a file of " + size + " bytes");
        }
        return p;
    }

    private static void checkRange(final long position, final long length, final long size)
    {
        if (length < 0 || position + length > size)
        {
            throw new IllegalArgumentException("range [" + position + ", " + (position + length)
                + ") outside a file of " + size + " bytes");
        }
    }

    private static byte readByte(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        if (channel.read(one, position) != 1)
        {
            throw new IOException("short read at " + position);
        }
        return one.get(0);
    }

    private static void write(final FileChannel channel, final long position, final byte[] bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    private static byte[] read(final FileChannel channel, final long position, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        long at = position;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, at);
            if (n < 0)
            {
                throw new IOException("end of file at " + at);
            }
            at += n;
        }
        return buffer.array();
    }

    private static String flip(final FileChannel channel, final long p, final int bit) throws IOException
    {
        final byte before = readByte(channel, p);
        final byte after = (byte)(before ^ (1 << bit));
        write(channel, p, new byte[] {after});
        return String.format("flipped bit %d of byte %d (0x%02x -> 0x%02x)", bit, p, before & 0xff, after & 0xff);
    }

    /**
     * @param position the byte (negative: from the end).
     * @param bit      0..7.
     * @return flip one bit.
     */
    public static Corruption flipBit(final long position, final int bit)
    {
        if (bit < 0 || bit > 7)
        {
            throw new IllegalArgumentException("bit " + bit + " not in 0..7");
        }
        return new Corruption("flip bit " + bit + " of byte " + position, (ch, size) -> flip(ch, resolve(position, size), bit));
    }

    /**
     * @param lastBytes the flip lands in the last {@code lastBytes} bytes of the file (or anywhere if larger).
     * @param seed      chooses the byte and bit.
     * @return flip one random bit near the end of the file.
     */
    public static Corruption flipRandomBit(final long lastBytes, final long seed)
    {
        return new Corruption("flip a random bit in the last " + lastBytes + " bytes (seed " + seed + ")", (ch, size) ->
        {
            if (size == 0)
            {
                throw new IllegalArgumentException("cannot flip a bit of an empty file");
            }
            final Random random = new Random(seed);
            final long window = Math.min(lastBytes, size);
            final long p = size - window + (long)(random.nextDouble() * window);
            return flip(ch, Math.min(p, size - 1), random.nextInt(8));
        });
    }

    /**
     * @param newLength the length to cut the file to (not larger than it is).
     * @return truncate the file.
     */
    public static Corruption truncate(final long newLength)
    {
        return new Corruption("truncate to " + newLength + " bytes", (ch, size) ->
        {
            if (newLength < 0 || newLength > size)
            {
                throw new IllegalArgumentException("cannot truncate a file of " + size + " bytes to " + newLength);
            }
            ch.truncate(newLength);
            return "truncated from " + size + " to " + newLength + " bytes";
        });
    }

    /**
     * @param bytes how many bytes to cut off the end.
     * @return truncate the tail.
     */
    public static Corruption truncateTail(final long bytes)
    {
        return new Corruption("cut the last " + bytes + " bytes", (ch, size) ->
        {
            final long newLength = Math.max(0, size - bytes);
            ch.truncate(newLength);
            return "truncated from " + size + " to " + newLength + " bytes";
        });
    }

    /**
     * @param position start (negative: from the end).
     * @param length   bytes.
     * @return overwrite a range with zeros (an unwritten page after a power cut).
     */
    public static Corruption zero(final long position, final int length)
    {
        return new Corruption("zero " + length + " bytes at " + position, (ch, size) ->
        {
            final long p = resolve(position, size);
            checkRange(p, length, size);
            write(ch, p, new byte[length]);
            return "zeroed [" + p + ", " + (p + length) + ")";
        });
    }

    /**
     * @param position start (negative: from the end).
     * @param length   bytes.
     * @param seed     chooses the bytes.
     * @return overwrite a range with random bytes.
     */
    public static Corruption garbage(final long position, final int length, final long seed)
    {
        return new Corruption("garbage " + length + " bytes at " + position + " (seed " + seed + ")", (ch, size) ->
        {
            final long p = resolve(position, size);
            checkRange(p, length, size);
            final byte[] bytes = new byte[length];
            new Random(seed).nextBytes(bytes);
            write(ch, p, bytes);
            return "wrote " + length + " random bytes at [" + p + ", " + (p + length) + ")";
        });
    }

    /**
     * @param from   source start (negative: from the end).
     * @param to     destination start (negative: from the end).
     * @param length bytes.
     * @return copy a chunk of the file over another part of it (a misdirected write).
     */
    public static Corruption copyChunk(final long from, final long to, final int length)
    {
        return new Corruption("copy " + length + " bytes from " + from + " to " + to, (ch, size) ->
        {
            final long src = resolve(from, size);
            final long dst = resolve(to, size);
            checkRange(src, length, size);
            checkRange(dst, length, size);
            write(ch, dst, read(ch, src, length));
            return "copied [" + src + ", " + (src + length) + ") over [" + dst + ", " + (dst + length) + ")";
        });
    }

    /**
     * @param snapshot an earlier copy of the same file, or of a range of it.
     * @param position start (negative: from the end of the current file).
     * @param length   bytes.
     * @return put a range back to its content in the snapshot (a lost write); the range must lie inside the
     *     current file and the snapshot.
     */
    public static Corruption rollBack(final FileSnapshot snapshot, final long position, final int length)
    {
        return new Corruption("roll back " + length + " bytes at " + position + " to " + snapshot, (ch, size) ->
        {
            final long p = resolve(position, size);
            checkRange(p, length, size);
            write(ch, p, snapshot.bytes(p, length));
            return "rolled [" + p + ", " + (p + length) + ") back to " + snapshot;
        });
    }

    /**
     * @param snapshot an earlier whole-file copy.
     * @return put the whole file back as it was in the snapshot (content and length).
     */
    public static Corruption rollBack(final FileSnapshot snapshot)
    {
        if (!snapshot.whole())
        {
            throw new IllegalArgumentException("a whole-file roll back needs a whole-file snapshot, not " + snapshot);
        }
        return new Corruption("roll back to " + snapshot, (ch, size) ->
        {
            ch.truncate(0);
            write(ch, 0, snapshot.bytes(0, snapshot.length()));
            return "rolled the file (" + size + " bytes) back to " + snapshot;
        });
    }

    /**
     * Copies a whole file as it is now (at most 256 MiB: take a range of a large preallocated segment).
     *
     * @param file the file.
     * @return its snapshot.
     */
    public static FileSnapshot snapshot(final Path file)
    {
        try
        {
            final long size = Files.size(file);
            if (size > MAX_SNAPSHOT_BYTES)
            {
                throw new IllegalArgumentException(file + " has " + size + " bytes; snapshot a range of it instead");
            }
            return snapshot(file, 0, (int)size);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot snapshot " + file, e);
        }
    }

    /**
     * Copies a range of a file as it is now.
     *
     * @param file     the file.
     * @param position start (negative: from the end).
     * @param length   bytes.
     * @return the snapshot of that range.
     */
    public static FileSnapshot snapshot(final Path file, final long position, final int length)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            final long p = length == 0 && position == 0 ? 0 : resolve(position, size);
            checkRange(p, length, size);
            return new FileSnapshot(file, p, size, read(channel, p, length));
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot snapshot " + file, e);
        }
    }
}
