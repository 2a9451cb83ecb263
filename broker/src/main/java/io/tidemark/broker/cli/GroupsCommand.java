package io.tidemark.broker.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tidemark groups}: list and describe consumer groups (members, assignments, committed offsets,
 * log end offsets and lag per partition) and reset the offsets of an inactive group, with the official
 * Admin client, like {@code kafka-consumer-groups.sh}.
 */
@Command(name = "groups", mixinStandardHelpOptions = true, sortOptions = false,
    description = "List, describe, delete consumer groups, or reset their offsets.")
public final class GroupsCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client = new ClientOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static final class Action
    {
        @Option(names = "--list", required = true, description = "List group ids.")
        boolean list;
        @Option(names = "--describe", required = true, description = "Describe a group: per partition its committed offset, log end, lag and owner.")
        boolean describe;
        @Option(names = "--reset-offsets", required = true, description = "Reset the committed offsets of an inactive group (dry run without --execute).")
        boolean reset;
        @Option(names = "--delete", required = true, description = "Delete an inactive group and its offsets.")
        boolean delete;
    }

    @Option(names = "--group", paramLabel = "GROUP", description = "The group.")
    String group;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "With --reset-offsets: the topic whose partitions to reset.")
    String topic;

    @ArgGroup(exclusive = true)
    Target target;

    static final class Target
    {
        @Option(names = "--to-earliest", required = true, description = "Reset to the log start offset.")
        boolean earliest;
        @Option(names = "--to-latest", required = true, description = "Reset to the log end offset.")
        boolean latest;
        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Reset to offset N (clamped to the log's range).")
        Long offset;
    }

    @Option(names = "--execute", description = "With --reset-offsets: commit the new offsets (default: only show them).")
    boolean execute;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * Prints to the standard streams.
     */
    public GroupsCommand()
    {
        this(System.out, System.err);
    }

    GroupsCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception
    {
        if (!action.list && group == null)
        {
            err.println("tidemark groups: --group is required with --describe, --reset-offsets and --delete");
            return 2;
        }
        if (action.reset && (target == null || topic == null))
        {
            err.println("tidemark groups: --reset-offsets needs --topic and one of --to-earliest, --to-latest, --to-offset");
            return 2;
        }
        final Properties props = client.properties();
        try (Admin admin = Admin.create(props))
        {
            if (action.list)
            {
                final TreeSet<String> ids = new TreeSet<>();
                for (final GroupListing g : admin.listGroups().all().get())
                {
                    ids.add(g.groupId());
                }
                ids.forEach(out::println);
                return 0;
            }
            if (action.describe)
            {
                return describe(admin);
            }
            if (action.delete)
            {
                admin.deleteConsumerGroups(List.of(group)).all().get();
                out.println("Deleted group " + group + ".");
                return 0;
            }
            return reset(admin);
        }
        catch (final ExecutionException ex)
        {
            err.println("Error: " + ex.getCause().getMessage());
            return 1;
        }
    }

    private int describe(final Admin admin) throws ExecutionException, InterruptedException
    {
        final ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        final Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        for (final MemberDescription m : d.members())
        {
            m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m));
        }
        final TreeMap<TopicPartition, Long> rows = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition));
        committed.forEach((tp, o) -> rows.put(tp, o == null ? null : o.offset()));
        owners.keySet().forEach(tp -> rows.putIfAbsent(tp, null));
        final Map<TopicPartition, Long> ends = offsets(admin, new ArrayList<>(rows.keySet()), OffsetSpec.latest());
        out.println("Group " + group + " is " + d.groupState() + " (" + d.members().size() + " members, protocol " +
            (d.partitionAssignor().isEmpty() ? "-" : d.partitionAssignor()) + ", coordinator " + d.coordinator().id() + ")");
        out.println();
        final String format = "%-20s %-24s %-9s %-14s %-14s %-6s %-44s %-16s %s%n";
        out.printf(format, "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
        for (final Map.Entry<TopicPartition, Long> e : rows.entrySet())
        {
            final Long end = ends.get(e.getKey());
            final Long current = e.getValue();
            final MemberDescription m = owners.get(e.getKey());
            out.printf(format, group, e.getKey().topic(), e.getKey().partition(), current == null ? "-" : current, end == null ? "-" : end,
                current == null || end == null ? "-" : Math.max(0, end - current), m == null ? "-" : m.consumerId(),
                m == null ? "-" : m.host(), m == null ? "-" : m.clientId());
        }
        if (rows.isEmpty())
        {
            out.println("(no committed offsets and no assigned partitions)");
        }
        return 0;
    }

    private static Map<TopicPartition, Long> offsets(final Admin admin, final List<TopicPartition> partitions, final OffsetSpec spec)
        throws ExecutionException, InterruptedException
    {
        final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        final Map<TopicPartition, Long> result = new HashMap<>();
        if (request.isEmpty())
        {
            return result;
        }
        for (final Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : admin.listOffsets(request).all().get().entrySet())
        {
            result.put(e.getKey(), e.getValue().offset());
        }
        return result;
    }

    private int reset(final Admin admin) throws ExecutionException, InterruptedException
    {
        final ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        final GroupState state = d.groupState();
        if (!d.members().isEmpty() || state != GroupState.EMPTY && state != GroupState.DEAD && state != GroupState.UNKNOWN)
        {
            err.println("Error: offsets can only be reset while group " + group + " is inactive, but it is " + state + " with " +
                d.members().size() + " members.");
            return 1;
        }
        final TopicDescription t = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        final List<TopicPartition> partitions = new ArrayList<>();
        t.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        final Map<TopicPartition, Long> earliest = offsets(admin, partitions, OffsetSpec.earliest());
        final Map<TopicPartition, Long> latest = offsets(admin, partitions, OffsetSpec.latest());
        final Map<TopicPartition, OffsetAndMetadata> plan = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
        for (final TopicPartition tp : partitions)
        {
            final long offset = target.earliest ? earliest.get(tp) : target.latest ? latest.get(tp) :
                Math.max(earliest.get(tp), Math.min(latest.get(tp), target.offset));
            plan.put(tp, new OffsetAndMetadata(offset));
        }
        final String format = "%-20s %-24s %-9s %s%n";
        out.printf(format, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
        plan.forEach((tp, o) -> out.printf(format, group, tp.topic(), tp.partition(), o.offset()));
        if (!execute)
        {
            out.println("Dry run: nothing was changed. Add --execute to commit these offsets.");
            return 0;
        }
        admin.alterConsumerGroupOffsets(group, plan).all().get();
        out.println("Committed the new offsets of group " + group + ".");
        return 0;
    }
}
