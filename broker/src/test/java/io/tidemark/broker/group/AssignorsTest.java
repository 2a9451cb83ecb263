package io.tidemark.broker.group;

import static io.tidemark.broker.group.GroupTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tidemark.broker.Broker;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each client-side assignor (eager and cooperative) works against the coordinator: members join one by
 * one and leave, every partition ends with exactly one owner, and after every poll no partition is owned
 * by two members.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class AssignorsTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "org.apache.kafka.clients.consumer.RangeAssignor", "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        "org.apache.kafka.clients.consumer.StickyAssignor", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" })
    void shouldSpreadPartitionsWithoutDoubleOwnership(final String assignor) throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "spread", 6);
            final Set<TopicPartition> all = new HashSet<>(GroupTestSupport.partitions("spread", 6));
            final List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
            final List<GroupTestSupport.Ownership> owners = new ArrayList<>();
            try
            {
                for (int n = 1; n <= 3; n++)
                {
                    final KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "assign",
                        Map.of("partition.assignment.strategy", assignor));
                    final GroupTestSupport.Ownership o = new GroupTestSupport.Ownership();
                    c.subscribe(List.of("spread"), o);
                    consumers.add(c);
                    owners.add(o);
                    awaitBalanced(consumers, owners, all, 6 / n);
                }
                consumers.remove(2).close();
                owners.remove(2);
                awaitBalanced(consumers, owners, all, 3);
            }
            finally
            {
                consumers.forEach(KafkaConsumer::close);
            }
        }
    }

    private static void awaitBalanced(final List<KafkaConsumer<String, String>> consumers, final List<GroupTestSupport.Ownership> owners,
        final Set<TopicPartition> all, final int each)
    {
        Await.await(() -> consumers.size() + " members own " + each + " partitions each: " + owned(owners), WAIT, () ->
        {
            for (final KafkaConsumer<String, String> c : consumers)
            {
                c.poll(Duration.ofMillis(20));
                assertDisjoint(owners);
            }
            final Set<TopicPartition> union = new HashSet<>();
            for (final GroupTestSupport.Ownership o : owners)
            {
                if (o.owned().size() != each)
                {
                    return false;
                }
                union.addAll(o.owned());
            }
            return union.equals(all);
        });
    }

    private static List<Set<TopicPartition>> owned(final List<GroupTestSupport.Ownership> owners)
    {
        final List<Set<TopicPartition>> list = new ArrayList<>();
        owners.forEach(o -> list.add(o.owned()));
        return list;
    }

    private static void assertDisjoint(final List<GroupTestSupport.Ownership> owners)
    {
        final Set<TopicPartition> seen = new HashSet<>();
        for (final GroupTestSupport.Ownership o : owners)
        {
            for (final TopicPartition tp : o.owned())
            {
                assertTrue(seen.add(tp), tp + " owned twice: " + owned(owners));
            }
        }
    }
}
