package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 5 of issue 12, the case a test running as root cannot make with file permissions: a log directory
 * the broker may not write is refused with one line naming {@code log.dirs}, through the storage seam.
 */
class BrokerLogDirErrorsTest
{
    @TempDir
    Path dir;

    /** File storage that denies writing under one directory, as a read-only directory does to a non-root user. */
    private static final class DenyingStorage implements Storage
    {
        private final Path denied;

        DenyingStorage(final Path denied)
        {
            this.denied = denied;
        }

        private void check(final Path path) throws AccessDeniedException
        {
            if (path.toAbsolutePath().startsWith(denied))
            {
                throw new AccessDeniedException(path.toString());
            }
        }

        @Override
        public StorageFile open(final Path path, final boolean create) throws IOException
        {
            check(path);
            return FileStorage.INSTANCE.open(path, create);
        }

        @Override
        public boolean exists(final Path path)
        {
            return FileStorage.INSTANCE.exists(path);
        }

        @Override
        public boolean isDirectory(final Path path)
        {
            return FileStorage.INSTANCE.isDirectory(path);
        }

        @Override
        public List<Path> list(final Path d) throws IOException
        {
            return FileStorage.INSTANCE.list(d);
        }

        @Override
        public void createDirectories(final Path d) throws IOException
        {
            check(d);
            FileStorage.INSTANCE.createDirectories(d);
        }

        @Override
        public void move(final Path from, final Path to) throws IOException
        {
            check(to);
            FileStorage.INSTANCE.move(from, to);
        }

        @Override
        public void delete(final Path path) throws IOException
        {
            check(path);
            FileStorage.INSTANCE.delete(path);
        }

        @Override
        public void fsyncDirectory(final Path d) throws IOException
        {
            FileStorage.INSTANCE.fsyncDirectory(d);
        }

        @Override
        public Closeable lock(final Path lockFile) throws IOException
        {
            check(lockFile);
            return FileStorage.INSTANCE.lock(lockFile);
        }
    }

    @Test
    void shouldNameLogDirsWhenTheDirectoryIsNotWritable()
    {
        final Path logs = dir.resolve("read-only").toAbsolutePath();
        final BrokerConfig config = TestBrokers.config(logs, Map.of());
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> Broker.builder(config).storage(new DenyingStorage(logs)).start());
        assertEquals("log.dirs", ex.key());
        assertEquals("cannot use log.dirs=" + logs + ": permission denied on " + logs, ex.getMessage());
    }
}
