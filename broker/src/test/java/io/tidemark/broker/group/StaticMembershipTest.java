package io.tidemark.broker.group;

import static io.tidemark.broker.group.GroupTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static membership with official consumers: a member with a {@code group.instance.id} that restarts within
 * its session timeout gets its partitions back without a rebalance (the other member keeps its partitions
 * and sees no callback).
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class StaticMembershipTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepTheAssignmentWhenAStaticMemberRestarts() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "fixed", 4);
            final Map<String, Object> longSession = Map.of("session.timeout.ms", "30000", "heartbeat.interval.ms", "200");
            final GroupTestSupport.Ownership stayer = new GroupTestSupport.Ownership();
            try (KafkaConsumer<String, String> a = GroupTestSupport.consumer(broker, "statics", merge(longSession, "instance-a")))
            {
                a.subscribe(List.of("fixed"), stayer);
                final Set<TopicPartition> ownedBefore;
                final GroupTestSupport.Ownership first = new GroupTestSupport.Ownership();
                try (KafkaConsumer<String, String> b = GroupTestSupport.consumer(broker, "statics", merge(longSession, "instance-b")))
                {
                    b.subscribe(List.of("fixed"), first);
                    Await.await("two static members own 2 partitions each", WAIT, () ->
                    {
                        a.poll(Duration.ofMillis(20));
                        b.poll(Duration.ofMillis(20));
                        return stayer.owned().size() == 2 && first.owned().size() == 2;
                    });
                    ownedBefore = first.owned();
                } // a static member sends no LeaveGroup on close
                final int callbacks = stayer.history.size();
                final GroupTestSupport.Ownership second = new GroupTestSupport.Ownership();
                try (KafkaConsumer<String, String> b = GroupTestSupport.consumer(broker, "statics", merge(longSession, "instance-b")))
                {
                    b.subscribe(List.of("fixed"), second);
                    Await.await("the restarted instance gets its partitions back", WAIT, () ->
                    {
                        a.poll(Duration.ofMillis(20));
                        b.poll(Duration.ofMillis(20));
                        return second.owned().size() == 2;
                    });
                    a.poll(Duration.ofMillis(200));
                    assertEquals(ownedBefore, second.owned(), "same partitions as before the restart");
                    assertEquals(callbacks, stayer.history.size(), "the other member saw no rebalance");
                    final Set<TopicPartition> union = new HashSet<>(stayer.owned());
                    union.addAll(second.owned());
                    assertEquals(new HashSet<>(GroupTestSupport.partitions("fixed", 4)), union);
                }
            }
        }
    }

    private static Map<String, Object> merge(final Map<String, Object> base, final String instance)
    {
        final Map<String, Object> m = new java.util.HashMap<>(base);
        m.put("group.instance.id", instance);
        return m;
    }
}
