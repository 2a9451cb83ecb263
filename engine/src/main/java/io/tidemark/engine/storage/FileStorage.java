package io.tidemark.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.IoUtil;

/**
 * The production storage: {@link FileChannel} and {@link MappedByteBuffer}. Preallocation writes
 * zeros so blocks are reserved before any mapped write touches them.
 */
public final class FileStorage implements Storage
{
    /** The shared instance; the class holds no state. */
    public static final FileStorage INSTANCE = new FileStorage();

    private static final int ZERO_CHUNK = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private FileStorage()
    {
    }

    @Override
    public StorageFile open(final Path path, final boolean create) throws IOException
    {
        final FileChannel channel = create ?
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE) :
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RealFile(path, channel);
    }

    @Override
    public boolean exists(final Path path)
    {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(final Path path)
    {
        return Files.isDirectory(path);
    }

    @Override
    public List<Path> list(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            final List<Path> result = new ArrayList<>(entries.toList());
            Collections.sort(result);
            return result;
        }
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
    }

    @Override
    public void move(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        Files.deleteIfExists(path);
    }

    @Override
    public void fsyncDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    @Override
    public Closeable lock(final Path lockFile) throws IOException
    {
        final FileChannel channel = FileChannel.open(
            lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final FileLock lock;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            channel.close();
            throw new IOException("lock " + lockFile + " is already held by this process", ex);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        if (lock == null)
        {
            channel.close();
            throw new IOException("lock " + lockFile + " is held by another process");
        }
        return () ->
        {
            try
            {
                lock.release();
            }
            finally
            {
                channel.close();
            }
        };
    }

    private static final class RealFile implements StorageFile
    {
        private final Path path;
        private final FileChannel channel;

        RealFile(final Path path, final FileChannel channel)
        {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public Path path()
        {
            return path;
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return channel.read(dst, position);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            return channel.write(src, position);
        }

        @Override
        public void setLength(final long size) throws IOException
        {
            final long current = channel.size();
            if (size < current)
            {
                channel.truncate(size);
            }
            else if (size > current)
            {
                // A one-byte write at the new end grows the file with a hole, like ftruncate up.
                final ByteBuffer one = ByteBuffer.allocate(1);
                while (one.hasRemaining())
                {
                    channel.write(one, size - 1);
                }
            }
        }

        @Override
        public void allocate(final long position, final long length) throws IOException
        {
            long p = position;
            final long end = position + length;
            while (p < end)
            {
                final ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int)Math.min(ZERO_CHUNK, end - p));
                while (zeros.hasRemaining())
                {
                    p += channel.write(zeros, p);
                }
            }
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            channel.force(metadata);
        }

        @Override
        public MappedRegion map(final long position, final long length, final boolean writable) throws IOException
        {
            final MappedByteBuffer buffer = channel.map(
                writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, position, length);
            return new RealMapping(buffer);
        }

        @Override
        public FileChannel channel()
        {
            return channel;
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }

        @Override
        public String toString()
        {
            return path.toString();
        }
    }

    private static final class RealMapping implements MappedRegion
    {
        private MappedByteBuffer buffer;

        RealMapping(final MappedByteBuffer buffer)
        {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer buffer()
        {
            return buffer;
        }

        @Override
        public void force(final int offset, final int length) throws IOException
        {
            try
            {
                buffer.force(offset, length);
            }
            catch (final UncheckedIOException ex)
            {
                throw ex.getCause();
            }
        }

        @Override
        public void close()
        {
            final MappedByteBuffer b = buffer;
            if (b != null)
            {
                buffer = null;
                IoUtil.unmap(b);
            }
        }
    }
}
