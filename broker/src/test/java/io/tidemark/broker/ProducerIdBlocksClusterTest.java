package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import io.tidemark.replication.controller.ControllerProducerIds;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.raft.RaftController;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer ids in a three-broker cluster with the Raft controller quorum (KIP-730): every broker hands out
 * ids of blocks the controller allocated, so producers initialised through different brokers never share
 * an id, and a broker whose log directories were wiped never hands out an id given before (its old
 * per-broker counter would have started again at the same ids).
 */
@Tag(Tags.INTEGRATION)
class ProducerIdBlocksClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int IDS_PER_BROKER = 20;
    /** Where a voter keeps its Raft store inside the first log directory. */
    private static final String RAFT_STORE_DIR = RaftController.STORE_DIR;

    @TempDir
    Path dir;

    /**
     * InitProducerId on one broker, retrying while it answers the retriable COORDINATOR_LOAD_IN_PROGRESS
     * (its block from the controller has not arrived yet).
     */
    private static long initProducerId(final RawKafkaClient c)
    {
        final long[] id = new long[1];
        Await.await("a producer id", WAIT, () ->
        {
            try
            {
                final InitProducerIdResponseData r = (InitProducerIdResponseData)c.call(ApiKeys.INIT_PRODUCER_ID, (short)4,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(Integer.MAX_VALUE).setProducerId(-1)
                        .setProducerEpoch((short)-1));
                if (r.errorCode() == Errors.COORDINATOR_LOAD_IN_PROGRESS.code())
                {
                    return false;
                }
                assertEquals(Errors.NONE.code(), r.errorCode());
                assertEquals(0, r.producerEpoch());
                id[0] = r.producerId();
                return true;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        return id[0];
    }

    private static List<Long> ids(final EmbeddedCluster cluster, final int nodeId, final int count) throws IOException
    {
        final List<Long> ids = new ArrayList<>();
        try (RawKafkaClient c = new RawKafkaClient(cluster.broker(nodeId).port()))
        {
            for (int i = 0; i < count; i++)
            {
                ids.add(initProducerId(c));
            }
        }
        return ids;
    }

    /**
     * Deletes everything of a stopped node's log directory but its controller voter's Raft store (which
     * shares the directory here): the broker's disk is lost, the quorum's state is not.
     */
    private static void wipeBrokerData(final Path nodeDir) throws IOException
    {
        try (Stream<Path> entries = Files.list(nodeDir))
        {
            for (final Path p : entries.toList())
            {
                final String name = p.getFileName().toString();
                if (RAFT_STORE_DIR.equals(name))
                {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(p))
                {
                    for (final Path q : tree.sorted(Comparator.reverseOrder()).toList())
                    {
                        Files.delete(q);
                    }
                }
            }
        }
    }

    @Test
    void shouldNeverHandOutAProducerIdTwiceAcrossBrokersAndAWipedDisk() throws Exception
    {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 3000)
            .set("broker.heartbeat.interval.ms", 300)
            .set("log.segment.bytes", 4 * 1024 * 1024)
            .set("log.segment.preallocate.bytes", 1024 * 1024)
            .start())
        {
            // through every broker (each takes ids of its own block)
            final Set<Long> seen = new HashSet<>();
            final Map<Long, Integer> blockOwners = new HashMap<>();
            for (int node = 0; node < 3; node++)
            {
                for (final long id : ids(cluster, node, IDS_PER_BROKER))
                {
                    assertTrue(seen.add(id), "producer id " + id + " handed out twice (second time by broker " + node + ")");
                    assertTrue(id >= ControllerProducerIds.FIRST_PRODUCER_ID, "from a controller block: " + id);
                    final Integer owner = blockOwners.putIfAbsent((id - ControllerProducerIds.FIRST_PRODUCER_ID) / ProducerIdBlock.SIZE, node);
                    assertTrue(owner == null || owner == node, "block of " + id + " used by brokers " + owner + " and " + node);
                }
            }
            assertEquals(3 * IDS_PER_BROKER, seen.size());
            final long highest = seen.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(cluster.image().nextProducerId() > highest, "the controller's next block is past every id handed out");
            assertTrue(Files.isDirectory(cluster.nodeDir(1).resolve(RAFT_STORE_DIR)), "the voter's store is where the wipe spares it");

            // broker 1 loses its disk and registers again as a new incarnation
            final UUID incarnation = cluster.image().brokers().get(1).incarnation();
            cluster.stop(1);
            wipeBrokerData(cluster.nodeDir(1));
            cluster.restart(1);
            Await.await("broker 1 registered as a new incarnation", WAIT, () ->
                cluster.image().brokers().containsKey(1) && !cluster.image().brokers().get(1).incarnation().equals(incarnation));
            assertNotEquals(incarnation, cluster.image().brokers().get(1).incarnation());
            for (final long id : ids(cluster, 1, IDS_PER_BROKER))
            {
                assertTrue(seen.add(id), "the wiped broker handed out " + id + " again");
                assertTrue(id > highest, "new ids come from new blocks: " + id);
            }
            // and the others keep handing out unique ids too
            for (final long id : ids(cluster, 2, 10))
            {
                assertTrue(seen.add(id), "producer id " + id + " handed out twice");
            }
        }
    }
}
