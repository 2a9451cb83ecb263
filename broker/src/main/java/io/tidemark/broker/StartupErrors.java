package io.tidemark.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.broker.config.Endpoint;
import io.tidemark.engine.StorageException;

/**
 * Turns the failures of a broker's first contact with its machine (binding a listener, locking and opening
 * the log directories) into {@link ConfigException#unusable one-line errors} naming the key, its value and
 * the reason, so that {@code tidemark broker} can answer an operator's mistake with a line and exit code 2
 * instead of a stack trace. Failures it does not recognise are returned as they are. Runs on the thread
 * starting the broker.
 */
final class StartupErrors
{
    private StartupErrors()
    {
    }

    /**
     * @param config   the configuration.
     * @param listener a listener to bind.
     * @return its socket address, resolved.
     * @throws ConfigException when its host does not resolve.
     */
    static InetSocketAddress resolve(final BrokerConfig config, final Endpoint listener)
    {
        final InetSocketAddress address = listener.wildcard() ? new InetSocketAddress(listener.port()) :
            new InetSocketAddress(listener.host(), listener.port());
        if (address.isUnresolved())
        {
            throw unusableListener(config, listener, "host " + listener.host() + " does not resolve", null);
        }
        return address;
    }

    /**
     * @param config   the configuration.
     * @param listener the listener that failed to bind.
     * @param failure  the failure.
     * @return a {@link ConfigException} naming {@code listeners} if the failure is a bind failure, else {@code failure}.
     */
    static RuntimeException bindFailure(final BrokerConfig config, final Endpoint listener, final RuntimeException failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof UnresolvedAddressException)
            {
                return unusableListener(config, listener, "host " + listener.host() + " does not resolve", failure);
            }
            if (t instanceof SocketException)
            {
                final String message = String.valueOf(t.getMessage());
                final String reason;
                if (message.contains("Address already in use"))
                {
                    reason = "port " + listener.port() + " is already in use by another process";
                }
                else if (message.contains("Cannot assign requested address"))
                {
                    reason = listener.host() + " is not an address of this machine";
                }
                else if (message.contains("Permission denied"))
                {
                    reason = "binding port " + listener.port() + " is not permitted (ports below 1024 need privileges)";
                }
                else
                {
                    reason = "cannot bind: " + message;
                }
                return unusableListener(config, listener, reason, failure);
            }
        }
        return failure;
    }

    private static ConfigException unusableListener(final BrokerConfig config, final Endpoint listener, final String reason,
        final Throwable cause)
    {
        final String value = config.valueOf(BrokerConfigKeys.LISTENERS);
        return ConfigException.unusable(BrokerConfigKeys.LISTENERS, value, "listener " + listener + ": " + reason, cause);
    }

    /**
     * @param config  the configuration.
     * @param failure a failure reading the cluster id from, locking or opening the log directories.
     * @return a {@link ConfigException} naming {@code log.dirs} (or {@code log.dir}) if the failure is the
     *         directory's (not a directory, not writable, locked), else {@code failure}.
     */
    static RuntimeException logDirFailure(final BrokerConfig config, final RuntimeException failure)
    {
        if (failure instanceof StorageException s && s.kind() == StorageException.Kind.OUT_OF_SPACE)
        {
            return failure;
        }
        IOException io = null;
        for (Throwable t = failure; t != null && io == null; t = t.getCause())
        {
            if (t instanceof IOException e)
            {
                io = e;
            }
        }
        if (io == null || !(failure instanceof UncheckedIOException || failure instanceof StorageException))
        {
            return failure;
        }
        final String message = String.valueOf(io.getMessage());
        final Path file = io instanceof FileSystemException f && f.getFile() != null ? Path.of(f.getFile()) :
            failure instanceof StorageException s ? s.path() : null;
        final String reason;
        if (message.contains("is held by another process") || message.contains("is already held by this process"))
        {
            reason = "locked by another broker (" + message + ")";
        }
        else if (io instanceof AccessDeniedException)
        {
            reason = "permission denied" + (file != null ? " on " + file : "");
        }
        else if (io instanceof FileAlreadyExistsException || io instanceof NotDirectoryException ||
            io instanceof FileSystemException f && "Not a directory".equals(f.getReason()))
        {
            reason = (file != null ? file + " is " : "") + "not a directory";
        }
        else if (io instanceof FileSystemException f && f.getReason() != null)
        {
            reason = (file != null ? file + ": " : "") + f.getReason();
        }
        else
        {
            reason = message;
        }
        final String key = config.explicit().containsKey(BrokerConfigKeys.LOG_DIRS) ? BrokerConfigKeys.LOG_DIRS :
            config.explicit().containsKey(BrokerConfigKeys.LOG_DIR) ? BrokerConfigKeys.LOG_DIR : BrokerConfigKeys.LOG_DIRS;
        final String value = config.valueOf(key) != null ? config.valueOf(key) : config.valueOf(BrokerConfigKeys.LOG_DIR);
        return ConfigException.unusable(key, value, reason, failure);
    }
}
