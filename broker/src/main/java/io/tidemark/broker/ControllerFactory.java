package io.tidemark.broker;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.BrokerConfigKeys;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.broker.config.Endpoint;
import io.tidemark.broker.config.QuorumVoter;
import io.tidemark.engine.storage.Storage;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.LocalController;
import io.tidemark.replication.controller.raft.ControllerQuorumConfig;
import io.tidemark.replication.controller.raft.RaftController;
import io.tidemark.replication.controller.raft.RemoteController;

/**
 * Creates the controller a broker talks to, once its listeners are bound (so its advertised addresses are
 * known). The default is the single-node {@link LocalController}; a replicated controller plugs in here.
 */
@FunctionalInterface
public interface ControllerFactory
{
    /**
     * What a controller may need.
     *
     * @param config         the broker configuration.
     * @param storage        the storage seam of the log directories.
     * @param clusterId      the cluster id from {@code meta.properties}.
     * @param self           this broker as it registers (advertised endpoints resolved).
     * @param brokerDefaults broker-level topic defaults (topic key space).
     */
    record Context(BrokerConfig config, Storage storage, String clusterId, BrokerInfo self, Map<String, String> brokerDefaults)
    {
    }

    /**
     * @param context what is known.
     * @return the controller; the broker closes it.
     */
    Controller create(Context context);

    /**
     * @return the single-node controller, persisting metadata in the first log directory.
     */
    static ControllerFactory local()
    {
        return c -> new LocalController(c.storage(), c.config().logDirs().get(0), c.clusterId(), c.self(), c.brokerDefaults(),
            c.config().numPartitions(), c.config().defaultReplicationFactor());
    }

    /**
     * The controller the configuration asks for: the single-node {@link LocalController} when
     * {@code controller.quorum.voters} is empty; a Raft voter ({@link RaftController}) when this node is
     * one of the voters and has the controller role; otherwise a client of the quorum
     * ({@link RemoteController}).
     *
     * @return the factory.
     */
    static ControllerFactory fromConfig()
    {
        return c ->
        {
            final BrokerConfig config = c.config();
            if (!config.hasQuorum())
            {
                return local().create(c);
            }
            final Map<Integer, InetSocketAddress> voters = new TreeMap<>();
            for (final QuorumVoter v : config.controllerQuorumVoters())
            {
                voters.put(v.id(), new InetSocketAddress(v.host(), v.port()));
            }
            final String metadataDir = config.valueOf(BrokerConfigKeys.METADATA_LOG_DIR);
            final ControllerQuorumConfig.Builder quorum = ControllerQuorumConfig.builder(config.nodeId(), c.clusterId(),
                    metadataDir != null ? Path.of(metadataDir) : config.logDirs().get(0))
                .voters(voters)
                .sessionTimeoutMs(config.brokerSessionTimeoutMs())
                .topicDefaults(config.numPartitions(), config.defaultReplicationFactor(), c.brokerDefaults())
                .replicaPlacement(config.valueOf(BrokerConfigKeys.REPLICA_PLACEMENT).trim());
            if (!config.isVoter())
            {
                return RemoteController.start(quorum.build());
            }
            final Endpoint listener = config.controllerListener();
            if (listener != null)
            {
                quorum.listenAddress(listener.wildcard() ? new InetSocketAddress(listener.port()) :
                    new InetSocketAddress(listener.host(), listener.port()));
            }
            try
            {
                return RaftController.start(quorum.build(), c.storage());
            }
            catch (final java.io.UncheckedIOException ex)
            {
                // the quorum's own directory: an operator's setting, answered in one line
                final String key = metadataDir != null ? BrokerConfigKeys.METADATA_LOG_DIR : BrokerConfigKeys.LOG_DIRS;
                throw ConfigException.unusable(key, config.valueOf(key), "cannot open the controller's Raft store there: " +
                    ex.getCause().getMessage(), ex);
            }
        };
    }
}
