package io.tidemark.broker;

import java.util.Map;

import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.engine.storage.Storage;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.LocalController;

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
}
