package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.tidemark.engine.ConfigException;
import org.junit.jupiter.api.Test;

class ControllerQuorumConfigTest
{
    private static ControllerQuorumConfig.Builder builder()
    {
        return ControllerQuorumConfig.builder(1, "c", Path.of("/tmp/x")).voters("1@127.0.0.1:9001,2@127.0.0.1:9002,3@127.0.0.1:9003");
    }

    @Test
    void shouldParseVotersInIdOrder()
    {
        final Map<Integer, InetSocketAddress> voters = ControllerQuorumConfig.parseVoters(" 3@localhost:9003, 1@127.0.0.1:9001 ,2@::1:9002");
        assertEquals(List.of(1, 2, 3), List.copyOf(voters.keySet()));
        assertEquals(9003, voters.get(3).getPort());
        assertTrue(voters.get(2).getAddress().isLoopbackAddress());
    }

    @Test
    void shouldNameTheKnobAndValueOfABadVoterList()
    {
        for (final String bad : new String[] {"", "1@h", "x@h:1", "1@h:x", "1@h:0", "1@h:1,1@h:2", "@h:1", "1@:9"})
        {
            final ConfigException ex = assertThrows(ConfigException.class, () -> ControllerQuorumConfig.parseVoters(bad), bad);
            assertEquals("controller.quorum.voters", ex.knob(), bad);
        }
    }

    @Test
    void shouldHaveTheDocumentedDefaults()
    {
        final ControllerQuorumConfig c = builder().build();
        assertEquals(1, c.heartbeatPeriodSecs());
        assertEquals(2, c.heartbeatTimeoutSecs());
        assertEquals(400, c.electionTimeoutMs());
        assertEquals(9_000, c.sessionTimeoutMs());
        assertEquals(30_000, c.requestTimeoutMs());
        assertEquals(1_000, c.snapshotIntervalEntries());
        assertTrue(c.isVoter());
        assertEquals(new InetSocketAddress("127.0.0.1", 9001), c.effectiveListenAddress());
        assertFalse(builder().nodeId(7).build().isVoter());
    }

    @Test
    void shouldRefuseOutOfRangeValuesNamingTheKnob()
    {
        assertEquals("controller.raft.heartbeat.timeout.secs",
            assertThrows(ConfigException.class, () -> builder().raftTimings(3, 2, 400).build()).knob());
        assertEquals("controller.raft.heartbeat.period.secs",
            assertThrows(ConfigException.class, () -> builder().raftTimings(0, 2, 400).build()).knob());
        assertEquals("broker.session.timeout.ms", assertThrows(ConfigException.class, () -> builder().sessionTimeoutMs(0).build()).knob());
        assertEquals("controller.rpc.timeout.ms",
            assertThrows(ConfigException.class, () -> builder().requestTimeoutMs(100).rpcTimeoutMs(200).build()).knob());
        assertEquals("metadata.snapshot.chunk.bytes", assertThrows(ConfigException.class, () -> builder().snapshotChunkBytes(10).build()).knob());
        assertEquals("cluster.id", assertThrows(ConfigException.class,
            () -> ControllerQuorumConfig.builder(1, " ", Path.of("/x")).voters("1@h:1").build()).knob());
        final ConfigException key = assertThrows(ConfigException.class, () -> builder().topicDefaults(1, (short)1, Map.of("no.such", "1")).build());
        assertTrue(key.getMessage().contains("no.such") && key.getMessage().contains("retention.ms"), key.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> builder().raftTimings(3, 2, 400).build()).getMessage()
            .contains("controller.raft.heartbeat.timeout.secs=2"));
    }

    @Test
    void shouldTakeFixedOrRandomReplicaPlacementAndRefuseAnythingElse()
    {
        assertFalse(builder().build().randomReplicaPlacement());
        assertTrue(builder().replicaPlacement("random").build().randomReplicaPlacement());
        assertTrue(builder().replicaPlacement("random").build().toBuilder().build().randomReplicaPlacement(), "kept by toBuilder");
        assertFalse(builder().replicaPlacement("random").replicaPlacement("fixed").build().randomReplicaPlacement());
        assertEquals("replica.placement", assertThrows(ConfigException.class, () -> builder().replicaPlacement("rack-aware")).knob());
    }

    @Test
    void shouldDocumentEveryDefaultInTheJavadocTable() throws Exception
    {
        final Map<String, String> table = new java.util.LinkedHashMap<>();
        boolean inTable = false;
        for (final String line : java.nio.file.Files.readAllLines(
            Path.of("src/main/java/io/tidemark/replication/controller/raft/ControllerQuorumConfig.java")))
        {
            final String text = line.replaceFirst("^\\s*\\*\\s?", "").trim();
            if (text.startsWith("knob") && text.contains("default"))
            {
                inTable = true;
                continue;
            }
            if (inTable)
            {
                if (text.startsWith("</pre>"))
                {
                    break;
                }
                final String[] columns = text.split("\\s+");
                table.put(columns[0], columns[1]);
            }
        }
        final ControllerQuorumConfig c = builder().build();
        final Map<String, Object> expected = new java.util.LinkedHashMap<>();
        expected.put("controller.raft.heartbeat.period.secs", c.heartbeatPeriodSecs());
        expected.put("controller.raft.heartbeat.timeout.secs", c.heartbeatTimeoutSecs());
        expected.put("controller.raft.election.timeout.ms", c.electionTimeoutMs());
        expected.put("metadata.snapshot.interval.entries", c.snapshotIntervalEntries());
        expected.put("controller.raft.max.pending.entries", c.maxPendingEntries());
        expected.put("controller.raft.append.batch.size", c.appendBatchSize());
        expected.put("metadata.snapshot.chunk.bytes", c.snapshotChunkBytes());
        expected.put("metadata.log.segment.bytes", c.logSegmentBytes());
        expected.put("broker.session.timeout.ms", c.sessionTimeoutMs());
        expected.put("controller.request.timeout.ms", c.requestTimeoutMs());
        expected.put("controller.rpc.timeout.ms", c.rpcTimeoutMs());
        expected.put("controller.retry.backoff.ms", c.retryBackoffMs());
        expected.put("metadata.fetch.wait.ms", c.fetchWaitMs());
        expected.put("num.partitions", c.defaultPartitions());
        expected.put("default.replication.factor", c.defaultReplicationFactor());
        expected.put("replica.placement", c.randomReplicaPlacement() ? "random" : "fixed");
        for (final Map.Entry<String, Object> e : expected.entrySet())
        {
            assertEquals(String.valueOf(e.getValue()), table.get(e.getKey()), "documented default of " + e.getKey());
        }
        assertEquals(22, table.size(), "one row per record component: " + table.keySet());
        assertEquals(22, ControllerQuorumConfig.class.getRecordComponents().length);
    }
}
