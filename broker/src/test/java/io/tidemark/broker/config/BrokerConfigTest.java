package io.tidemark.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tidemark.engine.FlushPolicy;
import io.tidemark.replication.controller.TopicConfigs;
import io.tidemark.transport.TransportConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest
{
    @TempDir
    Path dir;

    private BrokerConfig parse(final String... keyValues)
    {
        final Map<String, String> props = new HashMap<>();
        props.put("log.dirs", dir.toString());
        for (int i = 0; i < keyValues.length; i += 2)
        {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return BrokerConfig.parse(props);
    }

    private ConfigException refused(final String key, final String value)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse(key, value), key + "=" + value);
        assertTrue(ex.getMessage().contains(key) || ex.getMessage().contains("topic defaults"), ex.getMessage());
        return ex;
    }

    @Test
    void shouldUseKafkasDefaultsAndLoopbackOnly()
    {
        final BrokerConfig c = BrokerConfig.parse(Map.of());
        assertEquals(1, c.nodeId());
        assertEquals(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), c.listeners());
        assertEquals(c.listeners(), c.advertisedListeners());
        assertEquals(List.of(Path.of("/tmp/tidemark-logs")), c.logDirs());
        assertEquals(1, c.numPartitions());
        assertEquals(1, c.defaultReplicationFactor());
        assertTrue(c.autoCreateTopicsEnable());
        assertEquals(Map.of(), c.topicDefaults(), "built-in topic defaults apply: they match Kafka's");
        assertEquals(104857600, c.network().requestMaxBytes());
        assertEquals(8, c.network().ioThreads());
        assertEquals(30_000, c.replication().replicaLagTimeMaxMs());
        assertEquals(86_400_000L, c.producerState().expirationMs());
        assertTrue(c.unknownKeys().isEmpty());
    }

    @Test
    void shouldScrubSealedSegmentsByDefaultAndTakeTheScrubKnobs()
    {
        assertEquals(new ScrubSettings(true, 16L * 1024 * 1024, 86_400_000L), parse().scrub());
        assertEquals(new ScrubSettings(false, 1000, 5000),
            parse("log.scrub.enable", "false", "log.scrub.bytes.per.second", "1000", "log.scrub.interval.ms", "5000").scrub());
        refused("log.scrub.bytes.per.second", "0");
        refused("log.scrub.enable", "sometimes");
    }

    @Test
    void shouldRefuseEveryNumberOutsideItsRangeNamingTheKey()
    {
        for (final ConfigKey k : BrokerConfigKeys.ALL)
        {
            if (k.type() == ConfigKey.Type.INT || k.type() == ConfigKey.Type.LONG || k.type() == ConfigKey.Type.SHORT)
            {
                refused(k.name(), "not-a-number");
                if (k.min() > Long.MIN_VALUE)
                {
                    final ConfigException ex = refused(k.name(), String.valueOf(k.min() - 1));
                    assertEquals(k.name(), ex.key());
                }
                if (k.max() < Long.MAX_VALUE)
                {
                    final ConfigException ex = refused(k.name(), String.valueOf(k.max() + 1));
                    assertEquals(k.name(), ex.key());
                    assertTrue(ex.getMessage().contains(String.valueOf(k.max())), ex.getMessage());
                }
            }
            else if (k.type() == ConfigKey.Type.BOOLEAN)
            {
                assertEquals(k.name(), refused(k.name(), "maybe").key());
            }
        }
    }

    @Test
    void shouldRefuseBadChoicesAndFormats()
    {
        refused("log.message.timestamp.type", "WallClockTime");
        refused("log.cleanup.policy", "compact");
        refused("compression.type", "gzip");
        refused("log.flush.policy", "sometimes");
        refused("log.flush.policy", "messages:0");
        refused("process.roles", "worker");
        refused("listeners", "127.0.0.1:9092");
        refused("listeners", "PLAINTEXT://127.0.0.1:70000");
        refused("listeners", "PLAINTEXT://127.0.0.1:1,PLAINTEXT://127.0.0.1:2");
        refused("listener.security.protocol.map", "PLAINTEXT:SSL");
        refused("controller.quorum.voters", "1@host");
        refused("controller.quorum.voters", "x@host:9093");
    }

    @Test
    void shouldAcceptCaseInsensitiveChoicesAndMapThemToTopicDefaults()
    {
        final BrokerConfig c = parse("log.message.timestamp.type", "LOGAPPENDTIME", "log.flush.policy", "interval:50",
            "auto.create.topics.enable", "FALSE");
        assertEquals("LogAppendTime", c.topicDefaults().get(TopicConfigs.MESSAGE_TIMESTAMP_TYPE));
        assertEquals("interval:50", c.topicDefaults().get(TopicConfigs.FLUSH_POLICY));
        assertEquals(FlushPolicy.interval(50), TopicConfigs.toLogConfig(TopicConfigs.effective(Map.of(), c.topicDefaults())).flushPolicy());
        assertEquals(false, c.autoCreateTopicsEnable());
    }

    @Test
    void shouldValidateListenersAgainstEachOther()
    {
        refused("advertised.listeners", "PLAINTEXT://broker.example:0");
        refused("advertised.listeners", "PLAINTEXT://0.0.0.0:9092");
        refused("advertised.listeners", "OTHER://broker.example:9092");
        assertThrows(ConfigException.class, () -> parse("listeners", "CONTROLLER://127.0.0.1:9093", "controller.listener.names", "CONTROLLER"),
            "no listener left for the Kafka API");
        assertThrows(ConfigException.class, () -> parse("controller.listener.names", "NOPE"));
        final BrokerConfig c = parse("listeners", "PLAINTEXT://:9092,INTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
            "advertised.listeners", "PLAINTEXT://broker.example:9092", "controller.listener.names", "CONTROLLER",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.quorum.voters", "1@c1:9093,2@c2:9093,3@[::1]:9093");
        assertEquals(2, c.listeners().size(), "the controller listener is reserved for the quorum");
        assertTrue(c.listeners().get(0).wildcard());
        assertEquals(new Endpoint("PLAINTEXT", "broker.example", 9092), c.advertisedListeners().get(0));
        assertEquals(new Endpoint("INTERNAL", "127.0.0.1", 0), c.advertisedListeners().get(1), "resolved when bound");
        assertEquals(List.of(new QuorumVoter(1, "c1", 9093), new QuorumVoter(2, "c2", 9093), new QuorumVoter(3, "::1", 9093)),
            c.controllerQuorumVoters());
        assertEquals(1, c.listenerIndex("INTERNAL"));
    }

    @Test
    void shouldRefuseASecurityListenerInsteadOfServingItAsPlaintextWhenTheMapIsNotSet()
    {
        for (final String protocol : List.of("SSL", "SASL_PLAINTEXT", "SASL_SSL"))
        {
            final ConfigException ex = assertThrows(ConfigException.class, () -> parse("listeners", protocol + "://127.0.0.1:0"));
            assertEquals("listeners", ex.key());
            assertTrue(ex.getMessage().contains("listener " + protocol + " has security protocol " + protocol), ex.getMessage());
            assertTrue(ex.getMessage().indexOf('\n') < 0, ex.getMessage());
        }
    }

    @Test
    void shouldRefuseAListenerTheMapGivesASecurityProtocolWhenTheMapIsSet()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse("listeners", "PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,EXTERNAL:SASL_SSL"));
        assertEquals("listeners", ex.key());
        assertTrue(ex.getMessage().contains("listener EXTERNAL has security protocol SASL_SSL"), ex.getMessage());
    }

    @Test
    void shouldRefuseAListenerWithoutASecurityProtocolAndAcceptKafkasDefaultMap()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse("listeners", "PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0"));
        assertEquals("listener.security.protocol.map", ex.key());
        assertTrue(ex.getMessage().contains("listener EXTERNAL"), ex.getMessage());
        final BrokerConfig c = parse("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0", "controller.listener.names", "CONTROLLER",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        assertEquals(1, c.listeners().size());
        refused("listener.security.protocol.map", "PLAINTEXT:TLS");
    }

    @Test
    void shouldRequireControllerListenerNamesForAVoterWithTheControllerRole()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse("process.roles", "broker,controller",
            "listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093", "controller.quorum.voters", "1@127.0.0.1:9093"));
        assertEquals("controller.listener.names", ex.key());
        assertTrue(ex.getMessage().startsWith("invalid controller.listener.names=: required with process.roles=broker,controller"),
            ex.getMessage());
    }

    @Test
    void shouldFollowKafkasRetentionAndRollPrecedence()
    {
        assertEquals("7200000", parse("log.retention.hours", "2").topicDefaults().get(TopicConfigs.RETENTION_MS));
        assertEquals("180000", parse("log.retention.hours", "2", "log.retention.minutes", "3").topicDefaults().get(TopicConfigs.RETENTION_MS));
        assertEquals("5000", parse("log.retention.hours", "2", "log.retention.minutes", "3", "log.retention.ms", "5000")
            .topicDefaults().get(TopicConfigs.RETENTION_MS));
        assertEquals("-1", parse("log.retention.hours", "-1").topicDefaults().get(TopicConfigs.RETENTION_MS));
        assertEquals("3600000", parse("log.roll.hours", "1").topicDefaults().get(TopicConfigs.SEGMENT_MS));
        assertEquals("60000", parse("log.roll.hours", "1", "log.roll.ms", "60000").topicDefaults().get(TopicConfigs.SEGMENT_MS));
        assertEquals("2048576", parse("message.max.bytes", "2048576", "log.segment.bytes", "4194304").topicDefaults()
            .get(TopicConfigs.MAX_MESSAGE_BYTES));
    }

    @Test
    void shouldRefuseInconsistentCombinations()
    {
        assertTrue(assertThrows(ConfigException.class, () -> parse("message.max.bytes", "4000000", "log.segment.bytes", "1048576"))
            .getMessage().contains("max.message.bytes"));
        assertEquals("queued.max.request.bytes", assertThrows(ConfigException.class, () -> parse("socket.request.max.bytes", "1000000",
            "queued.max.request.bytes", "999999")).key());
        assertEquals("replica.fetch.wait.max.ms", assertThrows(ConfigException.class, () -> parse("replica.lag.time.max.ms", "100",
            "replica.fetch.wait.max.ms", "500")).key());
        assertEquals("log.writer.ring.bytes", assertThrows(ConfigException.class, () -> parse("log.writer.ring.bytes", "100000")).key());
        assertEquals("log.writer.ring.bytes", assertThrows(ConfigException.class, () -> parse("log.writer.ring.bytes", "1048576",
            "message.max.bytes", "1048588")).key(), "too small for the largest batch");
        assertEquals("broker.id", assertThrows(ConfigException.class, () -> parse("node.id", "1", "broker.id", "2")).key());
        assertEquals(7, parse("broker.id", "7").nodeId(), "broker.id alone works as Kafka's older name");
        assertEquals("log.dirs", assertThrows(ConfigException.class, () -> parse("log.dirs", "/a,/b,/a")).key());
    }

    @Test
    void shouldTolerateAndListUnknownKeys()
    {
        final BrokerConfig c = parse("zookeeper.connect", "localhost:2181", "ssl.keystore.location", "/x");
        assertEquals(List.of("ssl.keystore.location", "zookeeper.connect"), c.unknownKeys());
    }

    @Test
    void shouldUseLogDirWhenLogDirsIsMissing()
    {
        final BrokerConfig c = BrokerConfig.parse(Map.of("log.dir", dir.resolve("one").toString()));
        assertEquals(List.of(dir.resolve("one")), c.logDirs());
    }

    @Test
    void shouldMapConnectionLimitsAndTheRequestReadTimeoutOntoTheTransport() throws Exception
    {
        final TransportConfig t = parse("max.connections.per.ip", "3", "max.connections.per.ip.overrides", "127.0.0.1:5, 10.0.0.1:0",
            "socket.request.read.timeout.ms", "4321").network().toTransportConfig();
        assertEquals(3, t.maxConnectionsPerIp());
        assertEquals(Map.of(java.net.InetAddress.getByName("127.0.0.1"), 5, java.net.InetAddress.getByName("10.0.0.1"), 0),
            t.maxConnectionsPerIpOverrides());
        assertEquals(4321, t.frameReadTimeoutMs());
    }

    @Test
    void shouldDefaultToKafkasUnlimitedPerIpAndAThirtySecondRequestReadTimeout()
    {
        final TransportConfig t = parse().network().toTransportConfig();
        assertEquals(Integer.MAX_VALUE, t.maxConnectionsPerIp());
        assertTrue(t.maxConnectionsPerIpOverrides().isEmpty());
        assertEquals(30_000, t.frameReadTimeoutMs());
    }

    @Test
    void shouldNameTheKeyOfABadConnectionLimitOrReadTimeout()
    {
        refused("max.connections.per.ip", "-1");
        refused("max.connections.per.ip", "many");
        refused("max.connections.per.ip", "0");
        refused("max.connections.per.ip.overrides", "127.0.0.1");
        refused("max.connections.per.ip.overrides", "127.0.0.1:-3");
        refused("max.connections.per.ip.overrides", ":4");
        refused("max.connections.per.ip.overrides", "127.0.0.1:1,127.0.0.1:2");
        refused("max.connections.per.ip.overrides", "no-such-host.invalid:3");
        refused("socket.request.read.timeout.ms", "0");
        refused("socket.request.read.timeout.ms", "604800001");
        final ConfigException ex = refused("max.connections.per.ip.overrides", "127.0.0.1:x");
        assertEquals("max.connections.per.ip.overrides", ex.key());
        assertEquals(3, parse("max.connections.per.ip", "0", "max.connections.per.ip.overrides", "127.0.0.1:3").network()
            .toTransportConfig().maxConnectionsPerIpOverrides().get(java.net.InetAddress.getLoopbackAddress()));
    }

    @Test
    void shouldMapNetworkSettingsOntoTheTransport()
    {
        final TransportConfig t = parse("num.network.threads", "2", "socket.request.max.bytes", "1000000", "queued.max.request.bytes", "5000000",
            "max.connections", "77", "queued.max.requests.per.connection", "5", "connections.max.idle.ms", "1234",
            "socket.send.buffer.bytes", "-1", "socket.receive.buffer.bytes", "65536").network().toTransportConfig();
        assertEquals(2, t.selectorThreads());
        assertEquals(1000000, t.maxFrameBytes());
        assertEquals(5000000, t.maxQueuedRequestBytes());
        assertEquals(77, t.maxConnections());
        assertEquals(5, t.maxInFlightRequestsPerConnection());
        assertEquals(1234, t.connectionsMaxIdleMs());
        assertEquals(0, t.socketSendBufferBytes(), "-1 = the OS default");
        assertEquals(65536, t.socketReceiveBufferBytes());
    }

    @Test
    void shouldLoadAPropertiesFileWithOverrides() throws IOException
    {
        final Path file = dir.resolve("server.properties");
        Files.writeString(file, "# comment\nnode.id=3\nnum.partitions = 4\nlog.dirs=" + dir + "\n");
        final BrokerConfig c = BrokerConfig.parse(ServerProperties.load(file, List.of("num.partitions=6", "log.flush.policy=batch")));
        assertEquals(3, c.nodeId());
        assertEquals(6, c.numPartitions());
        assertEquals("batch", c.valueOf("log.flush.policy"));
        assertEquals("6", c.explicit().get("num.partitions"));
        assertEquals("8", c.valueOf("num.io.threads"), "defaults are reported too");
        assertEquals("--override", assertThrows(ConfigException.class, () -> ServerProperties.load(file, List.of("oops"))).key());
    }
}
