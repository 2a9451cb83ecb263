package io.tidemark.broker.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.replication.controller.TopicInfo;
import org.apache.kafka.common.Uuid;

/**
 * The broker's read side of the cluster metadata: the controller's latest image plus an index of topics
 * by Kafka {@link Uuid}, rebuilt when the image changes. Nothing here assumes a single broker: brokers,
 * leaders, replicas and ISRs all come from the image.
 */
public final class MetadataView
{
    private final Controller controller;
    private final int localBrokerId;
    private final Map<String, String> brokerDefaults;
    private volatile Indexed indexed;
    private final java.util.concurrent.ConcurrentHashMap<String, TopicRuntime> runtimes = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * What the produce path needs of a topic, computed once per topic version.
     *
     * @param topic          the topic version it was computed from (compared by identity).
     * @param logAppendTime  true for {@code message.timestamp.type=LogAppendTime}.
     * @param partitions     the partitions' names, index = partition number.
     */
    public record TopicRuntime(TopicInfo topic, boolean logAppendTime, io.tidemark.engine.TopicPartition[] partitions)
    {
    }

    private record Indexed(MetadataImage image, Map<Uuid, TopicInfo> byId)
    {
    }

    /**
     * @param controller     the controller (any implementation).
     * @param localBrokerId  this broker.
     * @param brokerDefaults broker-level topic defaults (topic key space).
     */
    public MetadataView(final Controller controller, final int localBrokerId, final Map<String, String> brokerDefaults)
    {
        this.controller = controller;
        this.localBrokerId = localBrokerId;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
    }

    /**
     * @return the controller.
     */
    public Controller controller()
    {
        return controller;
    }

    /**
     * @return this broker's id.
     */
    public int localBrokerId()
    {
        return localBrokerId;
    }

    /**
     * @return the broker-level topic defaults.
     */
    public Map<String, String> brokerDefaults()
    {
        return brokerDefaults;
    }

    /**
     * @return the latest image.
     */
    public MetadataImage image()
    {
        return indexed().image();
    }

    private Indexed indexed()
    {
        final MetadataImage image = controller.image();
        Indexed i = indexed;
        if (i == null || i.image() != image)
        {
            final Map<Uuid, TopicInfo> byId = new HashMap<>();
            for (final TopicInfo t : image.topics().values())
            {
                byId.put(kafkaId(t.id()), t);
            }
            i = new Indexed(image, byId);
            indexed = i;
        }
        return i;
    }

    /**
     * @param name a topic name.
     * @return the topic, or null.
     */
    public TopicInfo topic(final String name)
    {
        return image().topics().get(name);
    }

    /**
     * @param id a Kafka topic id.
     * @return the topic, or null.
     */
    public TopicInfo topic(final Uuid id)
    {
        return indexed().byId().get(id);
    }

    /**
     * @param id a topic id.
     * @return it as a Kafka {@link Uuid}.
     */
    public static Uuid kafkaId(final UUID id)
    {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /**
     * @param topic a topic.
     * @return its effective configuration (override, else broker default, else built-in).
     */
    public Map<String, String> effectiveConfigs(final TopicInfo topic)
    {
        return TopicConfigs.effective(topic.configs(), brokerDefaults);
    }

    /**
     * @param topic a topic from the current image.
     * @return its cached runtime settings.
     */
    public TopicRuntime runtime(final TopicInfo topic)
    {
        final TopicRuntime cached = runtimes.get(topic.name());
        if (cached != null && cached.topic() == topic)
        {
            return cached;
        }
        final io.tidemark.engine.TopicPartition[] tps = new io.tidemark.engine.TopicPartition[topic.partitions().size()];
        for (int i = 0; i < tps.length; i++)
        {
            tps[i] = new io.tidemark.engine.TopicPartition(topic.name(), i);
        }
        final TopicRuntime fresh = new TopicRuntime(topic, TopicConfigs.logAppendTime(effectiveConfigs(topic)), tps);
        runtimes.put(topic.name(), fresh);
        return fresh;
    }

    /**
     * @return unfenced brokers, by id.
     */
    public List<BrokerInfo> liveBrokers()
    {
        final List<BrokerInfo> live = new ArrayList<>();
        for (final BrokerInfo b : image().brokers().values())
        {
            if (!b.fenced())
            {
                live.add(b);
            }
        }
        live.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return live;
    }

    /**
     * @param brokerId a broker.
     * @return true if registered and not fenced.
     */
    public boolean isLive(final int brokerId)
    {
        final BrokerInfo b = image().brokers().get(brokerId);
        return b != null && !b.fenced();
    }

    /**
     * The controller id told to clients: it must be a live broker, since the Java Admin sends topic
     * changes there (every broker accepts them and hands them to the controller).
     *
     * @return the active controller if it is a live broker, else this broker.
     */
    public int controllerIdForClients()
    {
        final int id = image().controllerId();
        return id >= 0 && isLive(id) ? id : localBrokerId;
    }

    /**
     * @param broker       a broker.
     * @param listenerName the listener a request arrived on.
     * @return host and port of that listener on the broker (its default endpoint if it has no such listener).
     */
    public static HostPort endpoint(final BrokerInfo broker, final String listenerName)
    {
        final String named = broker.endpoints().get(listenerName);
        if (named != null)
        {
            final int colon = named.lastIndexOf(':');
            if (colon > 0)
            {
                try
                {
                    return new HostPort(named.substring(0, colon), Integer.parseInt(named.substring(colon + 1)));
                }
                catch (final NumberFormatException ex)
                {
                    // fall through to the default endpoint
                }
            }
        }
        return new HostPort(broker.host(), broker.port());
    }

    /**
     * A host and port.
     *
     * @param host the host.
     * @param port the port.
     */
    public record HostPort(String host, int port)
    {
    }
}
