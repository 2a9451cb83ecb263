package io.tidemark.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a storage and injects the faults real disks produce: EIO on force (the sync failed and the
 * data's fate is unknown), ENOSPC when a file grows (blocks reserved by {@link StorageFile#allocate}
 * or a write past the end), and short writes. Faults can be switched on and off while the engine runs.
 */
public final class FaultyStorage implements Storage
{
    /** The message of an injected out-of-space error, as the JDK reports ENOSPC. */
    public static final String ENOSPC_MESSAGE = "No space left on device";
    /** The message of an injected I/O error, as the JDK reports EIO. */
    public static final String EIO_MESSAGE = "Input/output error";

    private final Storage delegate;
    private volatile boolean failForces;
    private final AtomicLong forcesUntilFailure = new AtomicLong(-1);
    private final AtomicLong spaceLeft = new AtomicLong(Long.MAX_VALUE);
    private volatile double shortWriteProbability;
    private final Random random;
    private final AtomicLong injected = new AtomicLong();

    /**
     * @param delegate the storage that does the work.
     * @param seed     randomness of short writes.
     */
    public FaultyStorage(final Storage delegate, final long seed)
    {
        this.delegate = delegate;
        this.random = new Random(seed);
    }

    /**
     * @param fail true to make every force fail with EIO from now on.
     * @return this.
     */
    public FaultyStorage failForces(final boolean fail)
    {
        failForces = fail;
        return this;
    }

    /**
     * @param n the n-th force from now fails (and all after it), 1 for the next one.
     * @return this.
     */
    public FaultyStorage failForceAfter(final long n)
    {
        forcesUntilFailure.set(n);
        return this;
    }

    /**
     * @param bytes how many more bytes files may grow by before ENOSPC; {@link Long#MAX_VALUE} for no limit.
     * @return this.
     */
    public FaultyStorage spaceLeft(final long bytes)
    {
        spaceLeft.set(bytes);
        return this;
    }

    /**
     * @param probability chance that a write writes only part of its bytes.
     * @return this.
     */
    public FaultyStorage shortWrites(final double probability)
    {
        shortWriteProbability = probability;
        return this;
    }

    /**
     * @return faults injected so far.
     */
    public long injectedFaults()
    {
        return injected.get();
    }

    private void checkForce() throws IOException
    {
        final long left = forcesUntilFailure.get();
        if (left > 0 && forcesUntilFailure.decrementAndGet() == 0)
        {
            failForces = true;
        }
        if (failForces)
        {
            injected.incrementAndGet();
            throw new IOException(EIO_MESSAGE);
        }
    }

    private void consumeSpace(final long bytes) throws IOException
    {
        if (bytes <= 0)
        {
            return;
        }
        while (true)
        {
            final long left = spaceLeft.get();
            if (left == Long.MAX_VALUE)
            {
                return;
            }
            if (left < bytes)
            {
                injected.incrementAndGet();
                throw new IOException(ENOSPC_MESSAGE);
            }
            if (spaceLeft.compareAndSet(left, left - bytes))
            {
                return;
            }
        }
    }

    @Override
    public StorageFile open(final Path path, final boolean create) throws IOException
    {
        return new FaultyFile(delegate.open(path, create));
    }

    @Override
    public boolean exists(final Path path)
    {
        return delegate.exists(path);
    }

    @Override
    public boolean isDirectory(final Path path)
    {
        return delegate.isDirectory(path);
    }

    @Override
    public List<Path> list(final Path dir) throws IOException
    {
        return delegate.list(dir);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        delegate.createDirectories(dir);
    }

    @Override
    public void move(final Path from, final Path to) throws IOException
    {
        delegate.move(from, to);
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        delegate.delete(path);
    }

    @Override
    public void fsyncDirectory(final Path dir) throws IOException
    {
        checkForce();
        delegate.fsyncDirectory(dir);
    }

    @Override
    public Closeable lock(final Path lockFile) throws IOException
    {
        return delegate.lock(lockFile);
    }

    private final class FaultyFile implements StorageFile
    {
        private final StorageFile file;

        FaultyFile(final StorageFile file)
        {
            this.file = file;
        }

        @Override
        public Path path()
        {
            return file.path();
        }

        @Override
        public long size() throws IOException
        {
            return file.size();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            return file.read(dst, position);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            consumeSpace(position + src.remaining() - file.size());
            final double p = shortWriteProbability;
            if (p > 0 && src.remaining() > 1)
            {
                final int n;
                synchronized (random)
                {
                    n = random.nextDouble() < p ? 1 + random.nextInt(src.remaining() - 1) : src.remaining();
                }
                if (n < src.remaining())
                {
                    injected.incrementAndGet();
                    final ByteBuffer part = src.duplicate();
                    part.limit(part.position() + n);
                    final int written = file.write(part, position);
                    src.position(src.position() + written);
                    return written;
                }
            }
            return file.write(src, position);
        }

        @Override
        public void setLength(final long size) throws IOException
        {
            file.setLength(size);
        }

        @Override
        public void allocate(final long position, final long length) throws IOException
        {
            consumeSpace(length);
            file.allocate(position, length);
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            checkForce();
            file.force(metadata);
        }

        @Override
        public MappedRegion map(final long position, final long length, final boolean writable) throws IOException
        {
            final MappedRegion region = file.map(position, length, writable);
            return new MappedRegion()
            {
                @Override
                public ByteBuffer buffer()
                {
                    return region.buffer();
                }

                @Override
                public void force(final int offset, final int len) throws IOException
                {
                    checkForce();
                    region.force(offset, len);
                }

                @Override
                public void close()
                {
                    region.close();
                }
            };
        }

        @Override
        public FileChannel channel()
        {
            return file.channel();
        }

        @Override
        public void close() throws IOException
        {
            file.close();
        }
    }
}
