package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.engine.Log;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Admin client against an in-process broker: topic creation (with configs, defaults, validateOnly
 * and Kafka's errors), listing, describing, config description with sources and synonyms, runtime config
 * changes reaching the logs (flush.policy), partition growth, cluster description, deletion.
 */
@Tag(Tags.INTEGRATION)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminIntegrationTest
{
    @TempDir
    static Path dir;

    private Broker broker;
    private Admin admin;

    @BeforeAll
    void start()
    {
        // a static broker-level default, to see STATIC_BROKER_CONFIG sources
        broker = Broker.start(TestBrokers.config(dir, Map.of("log.retention.hours", "48", "num.partitions", "2")));
        admin = TestBrokers.admin(broker);
    }

    @AfterAll
    void stop()
    {
        admin.close();
        broker.close();
    }

    private static <T extends Throwable> T cause(final Class<T> type, final org.junit.jupiter.api.function.Executable call)
    {
        final ExecutionException ex = assertThrows(ExecutionException.class, call);
        return assertInstanceOf(type, ex.getCause());
    }

    private Config topicConfig(final String topic) throws Exception
    {
        final ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true))
            .all().get(30, TimeUnit.SECONDS).get(r);
    }

    @Test
    void shouldCreateATopicAndReturnItsPartitionsReplicationFactorIdAndConfigs() throws Exception
    {
        final CreateTopicsResult result = admin.createTopics(List.of(new NewTopic("created", 3, (short)1)
            .configs(Map.of("flush.policy", "batch", "retention.ms", "3600000"))));
        result.all().get(30, TimeUnit.SECONDS);
        assertEquals(3, result.numPartitions("created").get());
        assertEquals(1, result.replicationFactor("created").get());
        assertNotEquals(Uuid.ZERO_UUID, result.topicId("created").get());
        final Config returned = result.config("created").get();
        assertEquals("batch", returned.get("flush.policy").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, returned.get("flush.policy").source());
        assertEquals("3600000", returned.get("retention.ms").value());
        assertTrue(admin.listTopics().names().get().contains("created"));
        final TopicDescription d = admin.describeTopics(List.of("created")).allTopicNames().get().get("created");
        assertEquals(result.topicId("created").get(), d.topicId());
        assertEquals(3, d.partitions().size());
        for (final TopicPartitionInfo p : d.partitions())
        {
            assertEquals(1, p.leader().id());
            assertEquals(List.of(1), p.replicas().stream().map(Node::id).toList());
            assertEquals(List.of(1), p.isr().stream().map(Node::id).toList());
        }
        for (int p = 0; p < 3; p++)
        {
            final Log log = broker.logManager().log(new io.tidemark.engine.TopicPartition("created", p));
            assertEquals(FlushPolicy.BATCH, log.config().flushPolicy(), "the log runs the topic's flush policy");
            assertEquals(3_600_000L, log.config().retentionMs());
        }
    }

    @Test
    void shouldUseBrokerDefaultsForMinusOne() throws Exception
    {
        final CreateTopicsResult result = admin.createTopics(List.of(new NewTopic("defaults", java.util.Optional.empty(),
            java.util.Optional.empty())));
        result.all().get(30, TimeUnit.SECONDS);
        assertEquals(2, result.numPartitions("defaults").get(), "num.partitions");
        assertEquals(1, result.replicationFactor("defaults").get(), "default.replication.factor");
    }

    @Test
    void shouldValidateWithoutCreating() throws Exception
    {
        final CreateTopicsResult result = admin.createTopics(List.of(new NewTopic("validated", 4, (short)1)),
            new CreateTopicsOptions().validateOnly(true));
        result.all().get(30, TimeUnit.SECONDS);
        assertEquals(4, result.numPartitions("validated").get());
        assertFalse(admin.listTopics().names().get().contains("validated"));
        assertEquals(null, broker.logManager().log(new io.tidemark.engine.TopicPartition("validated", 0)));
    }

    @Test
    void shouldRefuseWithKafkasErrors() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("exists", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
        cause(TopicExistsException.class, () -> admin.createTopics(List.of(new NewTopic("exists", 1, (short)1))).all().get());
        final InvalidReplicationFactorException rf = cause(InvalidReplicationFactorException.class,
            () -> admin.createTopics(List.of(new NewTopic("rf3", 1, (short)3))).all().get());
        assertTrue(rf.getMessage().contains("3") && rf.getMessage().contains("1 live broker"), rf.getMessage());
        cause(InvalidConfigurationException.class, () -> admin.createTopics(List.of(new NewTopic("badcfg", 1, (short)1)
            .configs(Map.of("retention.ms", "forever")))).all().get());
        cause(InvalidConfigurationException.class, () -> admin.createTopics(List.of(new NewTopic("badkey", 1, (short)1)
            .configs(Map.of("no.such.config", "1")))).all().get());
        cause(InvalidConfigurationException.class, () -> admin.createTopics(List.of(new NewTopic("badflush", 1, (short)1)
            .configs(Map.of("flush.policy", "sometimes")))).all().get());
        cause(InvalidTopicException.class, () -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short)1))).all().get());
        cause(InvalidPartitionsException.class, () -> admin.createTopics(List.of(new NewTopic("zero", 0, (short)1))).all().get());
        final Set<String> names = admin.listTopics().names().get();
        for (final String n : List.of("rf3", "badcfg", "badkey", "badflush", "zero"))
        {
            assertFalse(names.contains(n), n + " was not created");
        }
    }

    @Test
    void shouldDescribeTopicConfigsWithSourcesAndSynonyms() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("described", 1, (short)1).configs(Map.of("segment.bytes", "2097152"))))
            .all().get(30, TimeUnit.SECONDS);
        final Config c = topicConfig("described");
        final ConfigEntry segment = c.get("segment.bytes");
        assertEquals("2097152", segment.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, segment.source());
        assertEquals("segment.bytes", segment.synonyms().get(0).name());
        assertEquals("log.segment.bytes", segment.synonyms().get(segment.synonyms().size() - 1).name());
        final ConfigEntry retention = c.get("retention.ms");
        assertEquals(String.valueOf(48L * 3_600_000), retention.value(), "from log.retention.hours=48");
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, retention.source());
        assertEquals("log.retention.hours", retention.synonyms().get(0).name());
        assertEquals("48", retention.synonyms().get(0).value());
        final ConfigEntry flush = c.get("flush.policy");
        assertEquals("none", flush.value());
        assertTrue(flush.isDefault());
        assertEquals(ConfigEntry.ConfigType.STRING, flush.type());
        assertTrue(flush.documentation() != null && flush.documentation().contains("batch"));
        assertEquals(ConfigEntry.ConfigType.LONG, retention.type());
    }

    @Test
    void shouldDescribeTheBrokersStaticConfiguration() throws Exception
    {
        final ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, "1");
        final Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        assertEquals("48", c.get("log.retention.hours").value());
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, c.get("log.retention.hours").source());
        assertEquals("none", c.get("log.flush.policy").value());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("log.flush.policy").source());
        assertTrue(c.get("num.io.threads").isReadOnly());
    }

    @Test
    void shouldSwitchTheFlushPolicyOfALiveTopicAtRuntime() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("flushing", 2, (short)1))).all().get(30, TimeUnit.SECONDS);
        final ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "flushing");
        try (KafkaProducer<String, String> producer = TestBrokers.producer(broker, Map.of(ProducerConfig.LINGER_MS_CONFIG, "0")))
        {
            producer.send(new ProducerRecord<>("flushing", 0, null, "before")).get(30, TimeUnit.SECONDS);
            admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("flush.policy", "batch"),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            for (int p = 0; p < 2; p++)
            {
                final Log log = broker.logManager().log(new io.tidemark.engine.TopicPartition("flushing", p));
                Await.await("flush policy batch", Duration.ofSeconds(10), () -> log.config().flushPolicy().equals(FlushPolicy.BATCH));
            }
            producer.send(new ProducerRecord<>("flushing", 0, null, "after")).get(30, TimeUnit.SECONDS);
            final Log log0 = broker.logManager().log(new io.tidemark.engine.TopicPartition("flushing", 0));
            assertEquals(log0.logEndOffset(), log0.durableOffset(), "under batch, an acknowledged record is already synced");
        }
        assertEquals("batch", topicConfig("flushing").get("flush.policy").value());
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("flush.policy", "interval:25"),
            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        final Log log1 = broker.logManager().log(new io.tidemark.engine.TopicPartition("flushing", 1));
        Await.await("flush policy interval:25", Duration.ofSeconds(10), () -> log1.config().flushPolicy().equals(FlushPolicy.interval(25)));
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("flush.policy", null),
            AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
        Await.await("flush policy back to the default", Duration.ofSeconds(10), () -> log1.config().flushPolicy().equals(FlushPolicy.NONE));
        assertTrue(topicConfig("flushing").get("flush.policy").isDefault());
        cause(InvalidConfigurationException.class, () -> admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(
            new ConfigEntry("flush.policy", "sometimes"), AlterConfigOp.OpType.SET)))).all().get());
        cause(InvalidConfigurationException.class, () -> admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(
            new ConfigEntry("min.insync.replicas", "0"), AlterConfigOp.OpType.SET)))).all().get());
        assertEquals(FlushPolicy.NONE, log1.config().flushPolicy(), "a refused change changes nothing");
        final ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "missing");
        cause(UnknownTopicOrPartitionException.class, () -> admin.incrementalAlterConfigs(Map.of(missing, List.of(new AlterConfigOp(
            new ConfigEntry("flush.policy", "batch"), AlterConfigOp.OpType.SET)))).all().get());
    }

    @Test
    void shouldGrowATopicButNeverShrinkIt() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("growing", 2, (short)1))).all().get(30, TimeUnit.SECONDS);
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get(30, TimeUnit.SECONDS);
        assertEquals(5, admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing").partitions().size());
        assertTrue(broker.logManager().log(new io.tidemark.engine.TopicPartition("growing", 4)) != null);
        final InvalidPartitionsException ex = cause(InvalidPartitionsException.class,
            () -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all().get());
        assertTrue(ex.getMessage().contains("5"), ex.getMessage());
    }

    @Test
    void shouldDescribeTheCluster() throws Exception
    {
        final DescribeClusterResult c = admin.describeCluster();
        assertEquals(broker.clusterId(), c.clusterId().get());
        assertEquals(1, c.controller().get().id());
        final Collection<Node> nodes = c.nodes().get();
        assertEquals(1, nodes.size());
        assertEquals(broker.port(), nodes.iterator().next().port());
    }

    @Test
    void shouldDeleteTopicsAndTheirLogs() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("doomed", 2, (short)1))).all().get(30, TimeUnit.SECONDS);
        final Path partitionDir = broker.logManager().log(new io.tidemark.engine.TopicPartition("doomed", 0)).dir();
        assertTrue(Files.isDirectory(partitionDir));
        admin.deleteTopics(List.of("doomed")).all().get(30, TimeUnit.SECONDS);
        assertFalse(admin.listTopics().names().get().contains("doomed"));
        assertFalse(Files.exists(partitionDir), "the log is deleted");
        cause(UnknownTopicOrPartitionException.class, () -> admin.deleteTopics(List.of("doomed")).all().get());
        // a topic of the same name can be created again and starts empty
        admin.createTopics(List.of(new NewTopic("doomed", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
        assertEquals(0, broker.logManager().log(new io.tidemark.engine.TopicPartition("doomed", 0)).logEndOffset());
    }
}
