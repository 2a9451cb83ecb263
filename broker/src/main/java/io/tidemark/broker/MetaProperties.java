package io.tidemark.broker;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.engine.LogManager;
import io.tidemark.engine.storage.AtomicFile;
import io.tidemark.engine.storage.Storage;

/**
 * The cluster id, from {@code meta.properties} in the log directories (Kafka's {@code kafka-storage format}
 * step is implicit: the first start of a node with empty directories creates a new cluster id). Every
 * directory that has one must agree, and name this node.
 */
final class MetaProperties
{
    private MetaProperties()
    {
    }

    /**
     * @param storage the storage seam.
     * @param dirs    the log directories.
     * @param nodeId  this node.
     * @return the cluster id found, or null if no directory has one yet (a new node).
     * @throws ConfigException naming {@code node.id} or {@code log.dirs} if directories belong to another node or
     *         disagree on the cluster.
     */
    static String clusterId(final Storage storage, final List<Path> dirs, final int nodeId)
    {
        String clusterId = null;
        Path from = null;
        for (final Path dir : dirs)
        {
            final Path file = dir.resolve(LogManager.META_PROPERTIES);
            final Properties props = new Properties();
            try
            {
                final byte[] bytes = AtomicFile.read(storage, file);
                if (bytes == null)
                {
                    continue;
                }
                props.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + file, ex);
            }
            final String node = props.getProperty("node.id");
            if (node != null && !node.equals(String.valueOf(nodeId)))
            {
                throw ConfigException.unusable(BrokerConfigKeys.NODE_ID, String.valueOf(nodeId), "log directory " + dir +
                    " belongs to node " + node + " (its " + LogManager.META_PROPERTIES + " says node.id=" + node + ")", null);
            }
            final String id = props.getProperty("cluster.id");
            if (id == null)
            {
                continue;
            }
            if (clusterId != null && !clusterId.equals(id))
            {
                throw ConfigException.unusable(BrokerConfigKeys.LOG_DIRS, String.valueOf(dirs.stream().map(Path::toString)
                    .collect(java.util.stream.Collectors.joining(","))), "the log directories belong to different clusters: " + from +
                    " says cluster.id=" + clusterId + ", " + file + " says cluster.id=" + id, null);
            }
            clusterId = id;
            from = file;
        }
        return clusterId;
    }
}
