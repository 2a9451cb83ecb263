package io.tidemark.broker.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tidemark topics}: create, list, describe, alter and delete topics with the official Admin
 * client, like {@code kafka-topics.sh}.
 */
@Command(name = "topics", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Create, list, describe, alter or delete topics.")
public final class TopicsCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client = new ClientOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static final class Action
    {
        @Option(names = "--create", required = true, description = "Create a topic.")
        boolean create;
        @Option(names = "--list", required = true, description = "List topic names.")
        boolean list;
        @Option(names = "--describe", required = true, description = "Describe topics: partitions with Leader, Replicas, Isr.")
        boolean describe;
        @Option(names = "--alter", required = true, description = "Change configs (--config, --delete-config) or grow (--partitions).")
        boolean alter;
        @Option(names = "--delete", required = true, description = "Delete a topic.")
        boolean delete;
    }

    @Option(names = "--topic", paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions (create: default num.partitions; alter: the new total).")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "R", description = "Replication factor (default default.replication.factor).")
    Short replicationFactor;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic config (repeatable).")
    List<String> configs = new ArrayList<>();

    @Option(names = "--delete-config", paramLabel = "KEY", description = "With --alter: remove an override (repeatable).")
    List<String> deleteConfigs = new ArrayList<>();

    @Option(names = "--if-not-exists", description = "With --create: succeed if the topic exists.")
    boolean ifNotExists;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * Prints to the standard streams.
     */
    public TopicsCommand()
    {
        this(System.out, System.err);
    }

    TopicsCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception
    {
        final Properties props = client.properties();
        if ((action.create || action.alter || action.delete) && topic == null)
        {
            err.println("tidemark topics: --topic is required with --create, --alter and --delete");
            return 2;
        }
        final Map<String, String> configMap;
        try
        {
            configMap = keyValues(configs);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("tidemark topics: " + ex.getMessage());
            return 2;
        }
        try (Admin admin = Admin.create(props))
        {
            if (action.create)
            {
                return create(admin, configMap);
            }
            if (action.list)
            {
                new TreeSet<>(admin.listTopics().names().get()).forEach(out::println);
                return 0;
            }
            if (action.describe)
            {
                return describe(admin);
            }
            if (action.alter)
            {
                return alter(admin, configMap);
            }
            admin.deleteTopics(List.of(topic)).all().get();
            out.println("Deleted topic " + topic + ".");
            return 0;
        }
        catch (final ExecutionException ex)
        {
            err.println("Error: " + ex.getCause().getMessage());
            return 1;
        }
    }

    static Map<String, String> keyValues(final List<String> items)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (final String kv : items)
        {
            final int eq = kv.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("expected KEY=VALUE, got " + kv);
            }
            map.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return map;
    }

    private int create(final Admin admin, final Map<String, String> configMap) throws Exception
    {
        final NewTopic newTopic = new NewTopic(topic, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
            .configs(configMap);
        try
        {
            admin.createTopics(List.of(newTopic)).all().get();
        }
        catch (final ExecutionException ex)
        {
            if (ifNotExists && ex.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)
            {
                return 0;
            }
            throw ex;
        }
        out.println("Created topic " + topic + ".");
        return 0;
    }

    private int alter(final Admin admin, final Map<String, String> configMap) throws Exception
    {
        if (configMap.isEmpty() && deleteConfigs.isEmpty() && partitions == null)
        {
            err.println("tidemark topics: --alter needs --config, --delete-config or --partitions");
            return 2;
        }
        if (partitions != null)
        {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get();
        }
        if (!configMap.isEmpty() || !deleteConfigs.isEmpty())
        {
            final List<AlterConfigOp> ops = new ArrayList<>();
            configMap.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
            deleteConfigs.forEach(k -> ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE)));
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops)).all().get();
        }
        out.println("Altered topic " + topic + ".");
        return 0;
    }

    private int describe(final Admin admin) throws Exception
    {
        final Collection<String> names = topic != null ? List.of(topic) : new TreeSet<>(admin.listTopics().names().get());
        final Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
        final List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
            .collect(Collectors.toList());
        final Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        for (final String name : names)
        {
            final TopicDescription d = descriptions.get(name);
            final List<TopicPartitionInfo> parts = d.partitions();
            final String overrides = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries().stream()
                .filter(e -> e.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG)
                .map(e -> e.name() + "=" + e.value()).sorted().collect(Collectors.joining(","));
            out.println("Topic: " + name + "\tTopicId: " + d.topicId() + "\tPartitionCount: " + parts.size() +
                "\tReplicationFactor: " + (parts.isEmpty() ? 0 : parts.get(0).replicas().size()) + "\tConfigs: " + overrides);
            for (final TopicPartitionInfo p : parts)
            {
                out.println(partitionLine(name, p));
            }
        }
        return 0;
    }

    /**
     * @param topicName the topic.
     * @param p         a partition.
     * @return {@code Topic: T<tab>Partition: 0<tab>Leader: 1<tab>Replicas: 1,2,0<tab>Isr: 1,2,0}.
     */
    static String partitionLine(final String topicName, final TopicPartitionInfo p)
    {
        final Node leader = p.leader();
        return "Topic: " + topicName + "\tPartition: " + p.partition() + "\tLeader: " + (leader == null || leader.isEmpty() ? "none" : leader.id()) +
            "\tReplicas: " + ids(p.replicas()) + "\tIsr: " + ids(p.isr());
    }

    private static String ids(final List<Node> nodes)
    {
        return nodes.stream().map(n -> String.valueOf(n.id())).collect(Collectors.joining(","));
    }
}
