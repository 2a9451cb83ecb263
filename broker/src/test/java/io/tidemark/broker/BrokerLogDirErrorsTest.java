package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Map;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.engine.storage.ForwardingStorage;
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
    private static final class DenyingStorage extends ForwardingStorage
    {
        private final Path denied;

        DenyingStorage(final Path denied)
        {
            super(FileStorage.INSTANCE);
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
            return super.open(path, create);
        }

        @Override
        public void createDirectories(final Path d) throws IOException
        {
            check(d);
            super.createDirectories(d);
        }

        @Override
        public void move(final Path from, final Path to) throws IOException
        {
            check(to);
            super.move(from, to);
        }

        @Override
        public void delete(final Path path) throws IOException
        {
            check(path);
            super.delete(path);
        }

        @Override
        public Closeable lock(final Path lockFile) throws IOException
        {
            check(lockFile);
            return super.lock(lockFile);
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
