package io.tidemark.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.tidemark.broker.Broker;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tidemark consume --group} commits what it printed, {@code tidemark groups} lists and describes the
 * group (committed offset, log end and lag per partition) and resets an inactive group's offsets.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class GroupsCliTest
{
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err)
    {
    }

    private static Run run(final BiFunction<PrintStream, PrintStream, Object> command, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = new CommandLine(command.apply(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(final Broker broker, final String group) throws Exception
    {
        try (Admin admin = TestBrokers.admin(broker))
        {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldConsumeInAGroupDescribeItAndResetItsOffsets() throws Exception
    {
        try (Broker broker = Broker.start(TestBrokers.config(dir, Map.of("offsets.topic.num.partitions", "2",
            "group.initial.rebalance.delay.ms", "0", "group.min.session.timeout.ms", "100"))))
        {
            final String bootstrap = broker.bootstrapServers();
            try (Admin admin = TestBrokers.admin(broker))
            {
                admin.createTopics(List.of(new NewTopic("cli", 2, (short)1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> p = TestBrokers.producer(broker, Map.of()))
            {
                for (int i = 0; i < 20; i++)
                {
                    p.send(new ProducerRecord<>("cli", i % 2, null, "r" + i));
                }
            }
            final Run consumed = run(ConsumeCommand::new, "--bootstrap-server", bootstrap, "--topic", "cli", "--group", "cg",
                "--from-beginning", "--max-messages", "20", "--timeout-ms", "30000", "--consumer-property", "session.timeout.ms=2000", "--consumer-property", "heartbeat.interval.ms=200");
            assertEquals(0, consumed.exit(), consumed.err());
            assertEquals(20, consumed.out().lines().count(), consumed.out());
            assertEquals(Map.of(new TopicPartition("cli", 0), 10L, new TopicPartition("cli", 1), 10L), offsets(committed(broker, "cg")));

            final Run listed = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--list");
            assertEquals(0, listed.exit(), listed.err());
            assertTrue(listed.out().lines().anyMatch("cg"::equals), listed.out());

            try (KafkaProducer<String, String> p = TestBrokers.producer(broker, Map.of()))
            {
                for (int i = 0; i < 5; i++)
                {
                    p.send(new ProducerRecord<>("cli", 1, null, "more" + i));
                }
            }
            final Run described = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--describe", "--group", "cg");
            assertEquals(0, described.exit(), described.err());
            assertTrue(described.out().contains("Group cg is Empty"), described.out());
            assertTrue(described.out().lines().anyMatch(l -> l.matches("cg\\s+cli\\s+0\\s+10\\s+10\\s+0\\s+-.*")), described.out());
            assertTrue(described.out().lines().anyMatch(l -> l.matches("cg\\s+cli\\s+1\\s+10\\s+15\\s+5\\s+-.*")), described.out());

            final Run dryRun = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", "cg", "--topic", "cli",
                "--to-earliest");
            assertEquals(0, dryRun.exit(), dryRun.err());
            assertTrue(dryRun.out().contains("Dry run"), dryRun.out());
            assertEquals(10L, committed(broker, "cg").get(new TopicPartition("cli", 0)).offset(), "a dry run changes nothing");

            final Run reset = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", "cg", "--topic", "cli",
                "--to-offset", "3", "--execute");
            assertEquals(0, reset.exit(), reset.err());
            assertEquals(Map.of(new TopicPartition("cli", 0), 3L, new TopicPartition("cli", 1), 3L), offsets(committed(broker, "cg")));
            final Run latest = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", "cg", "--topic", "cli",
                "--to-latest", "--execute");
            assertEquals(0, latest.exit(), latest.err());
            assertEquals(Map.of(new TopicPartition("cli", 0), 10L, new TopicPartition("cli", 1), 15L), offsets(committed(broker, "cg")));

            try (KafkaConsumer<String, String> active = TestBrokers.consumer(broker, Map.of("group.id", "cg", "group.protocol", "classic",
                "session.timeout.ms", "2000", "heartbeat.interval.ms", "200")))
            {
                active.subscribe(List.of("cli"));
                Await.await("a member is active", Duration.ofSeconds(60), () ->
                {
                    active.poll(Duration.ofMillis(50));
                    return !active.assignment().isEmpty();
                });
                final Run refused = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--reset-offsets", "--group", "cg", "--topic",
                    "cli", "--to-earliest", "--execute");
                assertEquals(1, refused.exit(), refused.out());
                assertTrue(refused.err().contains("inactive"), refused.err());
                final Run activeDescribe = run(GroupsCommand::new, "--bootstrap-server", bootstrap, "--describe", "--group", "cg");
                assertTrue(activeDescribe.out().contains("Group cg is Stable (1 members"), activeDescribe.out());
                assertTrue(activeDescribe.out().lines().filter(l -> l.startsWith("cg ")).allMatch(l -> l.contains("/127.0.0.1")),
                    "each partition shows its owner: " + activeDescribe.out());
            }
        }
    }

    private static Map<TopicPartition, Long> offsets(final Map<TopicPartition, OffsetAndMetadata> committed)
    {
        final Map<TopicPartition, Long> m = new java.util.HashMap<>();
        committed.forEach((tp, o) -> m.put(tp, o.offset()));
        return m;
    }
}
