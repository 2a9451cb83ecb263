package io.tidemark.broker.group;

import static io.tidemark.broker.group.GroupTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Official kafka-clients consumers (classic group protocol) against an in-process broker: a partition has
 * one owner per group, every group reads everything, and committed offsets are where the next member
 * starts.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class ConsumerGroupIntegrationTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveOnePartitionToOneMemberAndEveryRecordToEveryGroup() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "single", 1);
            GroupTestSupport.produce(broker, "single", 1, 0, 50);
            final List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
            final List<GroupTestSupport.Ownership> owners = new ArrayList<>();
            try
            {
                final Map<String, List<String>> readByGroup = new java.util.HashMap<>();
                for (final String group : List.of("g-a", "g-b"))
                {
                    for (int i = 0; i < 2; i++)
                    {
                        final KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, group, Map.of());
                        final GroupTestSupport.Ownership o = new GroupTestSupport.Ownership();
                        c.subscribe(List.of("single"), o);
                        consumers.add(c);
                        owners.add(o);
                    }
                    readByGroup.put(group, new ArrayList<>());
                }
                Await.await("both groups read all 50 records", WAIT, () ->
                {
                    for (int i = 0; i < consumers.size(); i++)
                    {
                        final String group = i < 2 ? "g-a" : "g-b";
                        for (final ConsumerRecord<String, String> r : consumers.get(i).poll(Duration.ofMillis(50)))
                        {
                            readByGroup.get(group).add(r.value());
                        }
                    }
                    return readByGroup.get("g-a").size() >= 50 && readByGroup.get("g-b").size() >= 50;
                });
                for (final String group : List.of("g-a", "g-b"))
                {
                    assertEquals(50, readByGroup.get(group).size(), "each group reads each record once: " + group);
                    assertEquals(50, new HashSet<>(readByGroup.get(group)).size());
                }
                for (final int[] pair : new int[][] { { 0, 1 }, { 2, 3 } })
                {
                    final int owned = owners.get(pair[0]).owned().size() + owners.get(pair[1]).owned().size();
                    assertEquals(1, owned, "the one partition has exactly one owner in its group");
                }
            }
            finally
            {
                consumers.forEach(KafkaConsumer::close);
            }
        }
    }

    @Test
    void shouldRebalanceOnJoinAndLeaveWithoutOwningAPartitionTwice() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "wide", 6);
            final List<TopicPartition> all = GroupTestSupport.partitions("wide", 6);
            final GroupTestSupport.Ownership o1 = new GroupTestSupport.Ownership();
            final GroupTestSupport.Ownership o2 = new GroupTestSupport.Ownership();
            try (KafkaConsumer<String, String> c1 = GroupTestSupport.consumer(broker, "rebal", Map.of()))
            {
                c1.subscribe(List.of("wide"), o1);
                Await.await("the first member owns every partition", WAIT, () ->
                {
                    c1.poll(Duration.ofMillis(50));
                    return o1.owned().size() == 6;
                });
                try (KafkaConsumer<String, String> c2 = GroupTestSupport.consumer(broker, "rebal", Map.of()))
                {
                    c2.subscribe(List.of("wide"), o2);
                    Await.await("the partitions are split between two members", WAIT, () ->
                    {
                        c1.poll(Duration.ofMillis(20));
                        c2.poll(Duration.ofMillis(20));
                        return o1.owned().size() == 3 && o2.owned().size() == 3;
                    });
                    final Set<TopicPartition> union = new HashSet<>(o1.owned());
                    union.addAll(o2.owned());
                    assertEquals(new HashSet<>(all), union, "every partition has an owner");
                }
                Await.await("the remaining member owns everything after the other left", WAIT, () ->
                {
                    c1.poll(Duration.ofMillis(50));
                    return o1.owned().size() == 6;
                });
            }
        }
    }

    @Test
    void shouldResumeFromTheCommittedOffset() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "resume", 2);
            GroupTestSupport.produce(broker, "resume", 2, 0, 40);
            final Set<String> first = new HashSet<>();
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "resumers", Map.of("max.poll.records", 5)))
            {
                c.subscribe(List.of("resume"));
                Await.await("10 records read", WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                    {
                        first.add(r.value());
                    }
                    return first.size() >= 10;
                });
                c.commitSync();
            }
            final OffsetAndMetadata p0 = GroupTestSupport.committed(broker, "resumers", new TopicPartition("resume", 0));
            final OffsetAndMetadata p1 = GroupTestSupport.committed(broker, "resumers", new TopicPartition("resume", 1));
            final long committed = (p0 == null ? 0 : p0.offset()) + (p1 == null ? 0 : p1.offset());
            assertEquals(first.size(), committed, "committed offsets are what was consumed");
            final Set<String> second = new HashSet<>();
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "resumers", Map.of()))
            {
                c.subscribe(List.of("resume"));
                Await.await("the rest read", WAIT, () ->
                {
                    for (final ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                    {
                        second.add(r.value());
                    }
                    return first.size() + second.size() >= 40;
                });
            }
            final Set<String> both = new HashSet<>(first);
            both.addAll(second);
            assertEquals(40, both.size());
            assertEquals(40, first.size() + second.size(), "nothing read twice: the second member started at the commit");
            assertNotNull(p0);
            assertTrue(p0.offset() >= 0);
        }
    }
}
