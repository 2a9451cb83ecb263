package io.tidemark.broker.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group a client named once and left without offsets is removed at the next offsets retention check, as
 * Kafka removes empty groups without offsets (issue 12, finding 2: under a fuzz every new group id stayed in
 * the coordinator's memory for ever).
 */
@Tag(Tags.INTEGRATION)
class EmptyGroupExpiryIntegrationTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRemoveAGroupLeftEmptyWithoutOffsetsAtTheNextRetentionCheck() throws Exception
    {
        final Map<String, String> settings = new HashMap<>(GroupTestSupport.brokerSettings());
        settings.put("offsets.retention.check.interval.ms", "200");
        try (Broker broker = Broker.start(TestBrokers.config(dir, settings)); Admin admin = TestBrokers.admin(broker))
        {
            GroupTestSupport.createTopic(broker, "t", 1);
            try (KafkaConsumer<String, String> consumer = GroupTestSupport.consumer(broker, "passing-by",
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")))
            {
                consumer.subscribe(java.util.List.of("t"));
                Await.await("the consumer joins", GroupTestSupport.WAIT, () ->
                {
                    consumer.poll(Duration.ofMillis(100));
                    return !consumer.assignment().isEmpty();
                });
            }
            // the consumer left: the group is EMPTY, without offsets
            Await.await("the empty group without offsets is removed", GroupTestSupport.WAIT,
                () -> !listed(admin, "passing-by"));
        }
    }

    private static boolean listed(final Admin admin, final String group)
    {
        try
        {
            return admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId).anyMatch(group::equals);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("ListGroups failed", ex);
        }
    }
}
