package io.tidemark.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Storage} that passes every operation to another one: extend it and override the operations to
 * change, e.g. to fail one file's opening or deny a directory in a test, or to count operations. Thread safety
 * and durability are the delegate's.
 */
public class ForwardingStorage implements Storage
{
    private final Storage delegate;

    /**
     * @param delegate where every operation goes.
     */
    public ForwardingStorage(final Storage delegate)
    {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public StorageFile open(final Path path, final boolean create) throws IOException
    {
        return delegate.open(path, create);
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
        delegate.fsyncDirectory(dir);
    }

    @Override
    public Closeable lock(final Path lockFile) throws IOException
    {
        return delegate.lock(lockFile);
    }
}
