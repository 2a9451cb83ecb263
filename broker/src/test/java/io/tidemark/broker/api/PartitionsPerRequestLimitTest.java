package io.tidemark.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One request may create at most 10,000 partitions, Kafka's limit (KAFKA-17870): beyond it CreateTopics and
 * CreatePartitions answer POLICY_VIOLATION before placing a replica (issue 12, finding 2: a fuzzed CreateTopics
 * asking for 2^31-1 partitions made the placement allocate for all of them and an OutOfMemoryError killed the
 * request thread).
 */
@Tag(Tags.INTEGRATION)
class PartitionsPerRequestLimitTest
{
    @TempDir
    Path dir;

    private Broker broker;
    private Admin admin;

    @BeforeEach
    void start()
    {
        broker = Broker.start(TestBrokers.config(dir, Map.of()));
        admin = TestBrokers.admin(broker);
    }

    @AfterEach
    void stop()
    {
        admin.close();
        broker.close();
    }

    @Test
    void shouldRefuseATopicOfMoreThanTenThousandPartitionsWithPolicyViolation()
    {
        for (final int partitions : new int[] {10_001, Integer.MAX_VALUE})
        {
            final ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createTopics(
                List.of(new NewTopic("huge", partitions, (short)1)), new CreateTopicsOptions().validateOnly(true)).all()
                .get(30, TimeUnit.SECONDS));
            assertInstanceOf(PolicyViolationException.class, e.getCause(), partitions + " partitions: " + e.getCause());
            assertTrue(e.getCause().getMessage().contains("Excessively large number of partitions per request"), e.getCause().getMessage());
        }
    }

    @Test
    void shouldCreateATopicOfExactlyTenThousandPartitionsWhenOnlyValidating() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("limit", 10_000, (short)1)), new CreateTopicsOptions().validateOnly(true)).all()
            .get(30, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefuseGrowingATopicByMoreThanTenThousandPartitionsWithPolicyViolation() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("grown", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
        final ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createPartitions(
            Map.of("grown", NewPartitions.increaseTo(10_002)), new CreatePartitionsOptions().validateOnly(true)).all()
            .get(30, TimeUnit.SECONDS));
        assertInstanceOf(PolicyViolationException.class, e.getCause(), String.valueOf(e.getCause()));
        admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(10_001)), new CreatePartitionsOptions().validateOnly(true)).all()
            .get(30, TimeUnit.SECONDS);
        assertEquals(1, admin.describeTopics(List.of("grown")).allTopicNames().get(30, TimeUnit.SECONDS).get("grown").partitions().size(),
            "validateOnly grows nothing");
    }
}
