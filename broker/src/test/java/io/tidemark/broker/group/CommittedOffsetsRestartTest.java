package io.tidemark.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Committed offsets are records in {@code __consumer_offsets}: a restart (clean, or a crash that reopens the
 * same directories without the clean-shutdown marker) rebuilds them from the log, and what an OffsetFetch
 * answers never goes back: each commit answered is at least the one before.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class CommittedOffsetsRestartTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "crash={0}")
    @ValueSource(booleans = { false, true })
    void shouldKeepCommittedOffsetsAcrossARestart(final boolean crash) throws Exception
    {
        final TopicPartition tp = new TopicPartition("kept", 0);
        final List<Long> seen = new ArrayList<>();
        Broker broker = GroupTestSupport.start(dir);
        try
        {
            GroupTestSupport.createTopic(broker, "kept", 1);
            GroupTestSupport.produce(broker, "kept", 1, 0, 100);
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "keepers", Map.of()))
            {
                c.assign(List.of(tp));
                for (long offset = 5; offset <= 100; offset += 5)
                {
                    c.commitSync(Map.of(tp, new OffsetAndMetadata(offset, "at " + offset)));
                    seen.add(GroupTestSupport.committed(broker, "keepers", tp).offset());
                }
            }
            for (int i = 1; i < seen.size(); i++)
            {
                assertTrue(seen.get(i) >= seen.get(i - 1), "committed offsets never go back: " + seen);
            }
            if (crash)
            {
                broker.crash();
            }
            else
            {
                broker.close();
            }
            broker = GroupTestSupport.start(dir);
            final OffsetAndMetadata after = GroupTestSupport.committed(broker, "keepers", tp);
            assertEquals(100, after.offset(), "the last commit survives the " + (crash ? "crash" : "restart"));
            assertEquals("at 100", after.metadata());
            try (Admin admin = TestBrokers.admin(broker))
            {
                assertTrue(admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().anyMatch(g -> g.groupId().equals("keepers")),
                    "the group is listed after the restart");
            }
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void shouldForgetADeletedGroupAcrossARestart() throws Exception
    {
        final TopicPartition tp = new TopicPartition("gone", 0);
        Broker broker = GroupTestSupport.start(dir);
        try
        {
            GroupTestSupport.createTopic(broker, "gone", 1);
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "deleted", Map.of()))
            {
                c.assign(List.of(tp));
                c.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
            }
            try (Admin admin = TestBrokers.admin(broker))
            {
                admin.deleteConsumerGroups(List.of("deleted")).all().get(30, TimeUnit.SECONDS);
            }
            broker.close();
            broker = GroupTestSupport.start(dir);
            try (Admin admin = TestBrokers.admin(broker))
            {
                assertTrue(admin.listConsumerGroupOffsets("deleted").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).isEmpty(),
                    "the tombstones were replayed");
                assertTrue(admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().noneMatch(g -> g.groupId().equals("deleted")));
            }
        }
        finally
        {
            broker.close();
        }
    }
}
