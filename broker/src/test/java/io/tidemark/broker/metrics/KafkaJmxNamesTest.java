package io.tidemark.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

import io.tidemark.broker.Broker;
import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker produces and consumes with the official clients; its MBeans are read by Kafka's object and
 * attribute names: the platform MBean server in-process, and once over a JMX remote (RMI) connector.
 */
@Tag(Tags.INTEGRATION)
class KafkaJmxNamesTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOPIC = "metered";
    private static final int RECORDS = 25;

    /** Yammer metrics-core 2.2's MeterMBean attributes. */
    static final List<String> METER = List.of("Count", "MeanRate", "OneMinuteRate", "FiveMinuteRate", "FifteenMinuteRate", "RateUnit",
        "EventType");
    /** Yammer metrics-core 2.2's HistogramMBean attributes. */
    static final List<String> HISTOGRAM = List.of("Count", "Min", "Max", "Mean", "StdDev", "50thPercentile", "75thPercentile",
        "95thPercentile", "98thPercentile", "99thPercentile", "999thPercentile");

    @TempDir
    Path dir;

    static Broker start(final Path dir, final Map<String, Object> extra)
    {
        final BrokerConfig.Builder b = BrokerConfig.builder().logDirs(dir).listeners("PLAINTEXT://127.0.0.1:0");
        extra.forEach(b::set);
        return Broker.start(b.build());
    }

    static void produceAndConsume(final String bootstrap, final String topic, final int records) throws Exception
    {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))
        {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get();
        }
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p))
        {
            for (int i = 0; i < records; i++)
            {
                producer.send(new ProducerRecord<>(topic, "k" + i, "value-" + i)).get(); // one batch of one record each
            }
        }
        final Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "metered-group");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c))
        {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen < records && System.nanoTime() < deadline)
            {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(records, seen, "records consumed");
            // commit all but the last 5: the group's lag is then 5
            consumer.commitSync(Map.of(new TopicPartition(topic, 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(Math.max(0, records - 5))));
        }
    }

    static ObjectName name(final String name)
    {
        try
        {
            return new ObjectName(name);
        }
        catch (final javax.management.MalformedObjectNameException ex)
        {
            throw new IllegalArgumentException(name, ex);
        }
    }

    static long count(final MBeanServerConnection server, final String name) throws Exception
    {
        return ((Number)server.getAttribute(name(name), "Count")).longValue();
    }

    static Object value(final MBeanServerConnection server, final String name) throws Exception
    {
        return server.getAttribute(name(name), "Value");
    }

    @Test
    void shouldCountMessagesInAndBytesByKafkaNamesWhenRecordsAreProducedAndConsumed() throws Exception
    {
        try (Broker broker = start(dir, Map.of()))
        {
            produceAndConsume(broker.bootstrapServers(), TOPIC, RECORDS);
            final MBeanServer server = broker.metrics().registry().mbeanServer();
            assertTrue(broker.metrics().registry().onPlatformServer(), "a broker alone in its JVM registers in the platform MBean server");
            assertTrue(server == ManagementFactory.getPlatformMBeanServer());

            assertEquals(RECORDS, count(server, "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec"));
            assertEquals(RECORDS, count(server, "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC));
            assertEquals(RECORDS, count(server, "kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec,topic=" + TOPIC));
            assertEquals(0, count(server, "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec,topic=" + TOPIC));
            assertTrue(count(server, "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=" + TOPIC) > RECORDS * 10L);
            assertTrue(count(server, "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=" + TOPIC) > RECORDS * 10L,
                "consumed bytes counted");
            assertTrue(count(server, "kafka.server:type=BrokerTopicMetrics,name=TotalFetchRequestsPerSec") > 0);
            assertEquals("messages", server.getAttribute(name("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec"), "EventType"));

            assertTrue(count(server, "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce") >= RECORDS);
            assertTrue(count(server, "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce") >= RECORDS);
            assertTrue(count(server, "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=FetchConsumer") > 0);
            final double p99 = ((Number)server.getAttribute(name("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce"),
                "99thPercentile")).doubleValue();
            final double max = ((Number)server.getAttribute(name("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce"),
                "Max")).doubleValue();
            assertTrue(p99 > 0 && p99 <= max * 1.01, "p99 " + p99 + " within max " + max);

            final String log = "kafka.log:type=Log,name=%s,topic=" + TOPIC + ",partition=0";
            Await.await("per-partition metrics registered", WAIT, () -> server.isRegistered(name(String.format(log, "LogEndOffset"))));
            assertEquals((long)RECORDS, ((Number)value(server, String.format(log, "LogEndOffset"))).longValue());
            assertEquals(0L, ((Number)value(server, String.format(log, "LogStartOffset"))).longValue());
            assertEquals(1, ((Number)value(server, String.format(log, "NumLogSegments"))).intValue());
            assertEquals(1, ((Number)value(server, "kafka.controller:type=KafkaController,name=ActiveControllerCount")).intValue());
            assertEquals(0, ((Number)value(server, "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions")).intValue());

            // Tidemark's own: the durability window and the group's lag
            assertEquals((long)RECORDS, ((Number)value(server, "tidemark.log:type=Log,name=DurableOffset,topic=" + TOPIC + ",partition=0"))
                .longValue() + ((Number)value(server, "tidemark.log:type=Log,name=DurableLag,topic=" + TOPIC + ",partition=0")).longValue());
            final String lag = "tidemark.group:type=ConsumerGroupLag,name=Lag,group=metered-group,topic=" + TOPIC + ",partition=0";
            Await.await("the group's lag published", WAIT, () -> server.isRegistered(name(lag)));
            assertEquals(5L, ((Number)value(server, lag)).longValue());
        }
    }

    @Test
    void shouldServeTheSameMBeansOverAJmxRemoteConnector() throws Exception
    {
        try (Broker broker = start(dir, Map.of()))
        {
            produceAndConsume(broker.bootstrapServers(), TOPIC, 3);
            final Map<String, Object> env = new HashMap<>();
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE,
                (java.rmi.server.RMIServerSocketFactory)port -> new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
            final JMXConnectorServer connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), env, broker.metrics().registry().mbeanServer());
            connectorServer.start();
            try (JMXConnector connector = JMXConnectorFactory.connect(connectorServer.getAddress()))
            {
                final MBeanServerConnection remote = connector.getMBeanServerConnection();
                assertEquals(3L, count(remote, "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC));
                assertEquals(broker.replicaManager().partitions().size(),
                    ((Number)value(remote, "kafka.server:type=ReplicaManager,name=PartitionCount")).intValue());
            }
            finally
            {
                connectorServer.stop();
            }
        }
    }

    /**
     * Every name of issue 16's list, with Kafka's attributes: fails on any missing one.
     */
    @Test
    void shouldRegisterEveryKafkaNameOfTheListWithKafkasAttributes() throws Exception
    {
        try (Broker broker = start(dir, Map.of()))
        {
            produceAndConsume(broker.bootstrapServers(), TOPIC, 2);
            final MBeanServer server = broker.metrics().registry().mbeanServer();
            final Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
            for (final String n : List.of("MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec", "FailedProduceRequestsPerSec",
                "FailedFetchRequestsPerSec", "TotalProduceRequestsPerSec", "TotalFetchRequestsPerSec"))
            {
                expected.put("kafka.server:type=BrokerTopicMetrics,name=" + n, METER);
                expected.put("kafka.server:type=BrokerTopicMetrics,name=" + n + ",topic=" + TOPIC, METER);
            }
            for (final String n : List.of("PartitionCount", "LeaderCount", "UnderReplicatedPartitions", "UnderMinIsrPartitionCount",
                "AtMinIsrPartitionCount", "OfflineReplicaCount"))
            {
                expected.put("kafka.server:type=ReplicaManager,name=" + n, List.of("Value"));
            }
            expected.put("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec", METER);
            expected.put("kafka.server:type=ReplicaManager,name=IsrExpandsPerSec", METER);
            for (final String n : List.of("ActiveControllerCount", "OfflinePartitionsCount", "GlobalTopicCount", "GlobalPartitionCount"))
            {
                expected.put("kafka.controller:type=KafkaController,name=" + n, List.of("Value"));
            }
            expected.put("kafka.server:type=raft-metrics", List.of("current-leader", "current-epoch", "current-state", "high-watermark"));
            for (final String request : List.of("Produce", "FetchConsumer", "FetchFollower", "Metadata", "ApiVersions", "OffsetCommit",
                "JoinGroup"))
            {
                expected.put("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + request, METER);
                for (final String h : List.of("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs",
                    "ResponseSendTimeMs"))
                {
                    expected.put("kafka.network:type=RequestMetrics,name=" + h + ",request=" + request, HISTOGRAM);
                }
            }
            final List<String> timer = new ArrayList<>(METER);
            timer.addAll(HISTOGRAM);
            timer.add("LatencyUnit");
            expected.put("kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs", timer);
            for (final String n : List.of("Size", "NumLogSegments", "LogStartOffset", "LogEndOffset"))
            {
                expected.put("kafka.log:type=Log,name=" + n + ",topic=" + TOPIC + ",partition=0", List.of("Value"));
            }
            expected.put("kafka.server:type=FetcherLagMetrics,name=ConsumerLag,clientId=ReplicaFetcherThread-0-1,topic=" + TOPIC +
                ",partition=0", List.of("Value"));
            expected.put("kafka.server:type=group-coordinator-metrics", List.of("group-count", "num-offsets"));
            expected.put("kafka.server:type=socket-server-metrics,listener=PLAINTEXT", List.of("connection-count",
                "connection-creation-total", "connection-close-total", "incoming-byte-total", "outgoing-byte-total"));
            for (final String n : List.of("UnsyncedRecords", "UnsyncedBytes", "UnsyncedAgeMs", "DurableOffset", "DurableLag", "FlushPolicy"))
            {
                expected.put("tidemark.log:type=Log,name=" + n + ",topic=" + TOPIC + ",partition=0", List.of("Value"));
            }
            final String d = broker.logDirs().get(0).toAbsolutePath().toString();
            expected.put(MetricsRegistry.name("tidemark.log", "type", "LogDir", "name", "FsyncTimeMs", "dir", d).toString(), HISTOGRAM);
            expected.put(MetricsRegistry.name("tidemark.log", "type", "LogDir", "name", "GroupCommitRecords", "dir", d).toString(), HISTOGRAM);
            expected.put("tidemark.log:type=LogWriter,name=RingOccupancyBytes", List.of("Value"));
            expected.put("tidemark.log:type=LogWriter,name=BackPressuredPerSec", METER);

            Await.await("per-partition metrics registered", WAIT,
                () -> server.isRegistered(name("kafka.log:type=Log,name=Size,topic=" + TOPIC + ",partition=0")));
            final List<String> missing = new ArrayList<>();
            for (final Map.Entry<String, List<String>> e : expected.entrySet())
            {
                final ObjectName n = name(e.getKey());
                if (!server.isRegistered(n))
                {
                    missing.add(e.getKey());
                    continue;
                }
                for (final String attribute : e.getValue())
                {
                    try
                    {
                        server.getAttribute(n, attribute);
                    }
                    catch (final javax.management.AttributeNotFoundException ex)
                    {
                        missing.add(e.getKey() + " attribute " + attribute);
                    }
                }
            }
            assertEquals(List.of(), missing, "names or attributes missing");
        }
    }

    @Test
    void shouldCountProducesToUnknownTopicsBrokerWideWithoutAMeterPerMadeUpName() throws Exception
    {
        try (Broker broker = start(dir, Map.of("auto.create.topics.enable", "false"));
             io.tidemark.broker.RawKafkaClient client = new io.tidemark.broker.RawKafkaClient(broker.port()))
        {
            final org.apache.kafka.common.record.MemoryRecords records = org.apache.kafka.common.record.MemoryRecords.withRecords(
                org.apache.kafka.common.compress.Compression.NONE, new org.apache.kafka.common.record.SimpleRecord("v".getBytes()));
            for (int i = 0; i < 50; i++)
            {
                client.call(org.apache.kafka.common.protocol.ApiKeys.PRODUCE, (short)9,
                    io.tidemark.broker.RawKafkaClient.produce("made-up-" + i, 0, records, (short)1));
            }
            final MBeanServer server = broker.metrics().registry().mbeanServer();
            assertEquals(50, count(server, "kafka.server:type=BrokerTopicMetrics,name=TotalProduceRequestsPerSec"));
            assertEquals(50, count(server, "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec"));
            assertEquals(java.util.Set.of(), server.queryNames(new javax.management.ObjectName(
                "kafka.server:type=BrokerTopicMetrics,topic=made-up-*,*"), null), "a request cannot create metrics for a name it made up");
        }
    }
}
