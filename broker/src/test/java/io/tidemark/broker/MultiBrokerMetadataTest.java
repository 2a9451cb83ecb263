package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.replication.ExecutorScheduler;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.InMemoryController;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.agrona.concurrent.SystemEpochClock;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker takes its controller as a seam and answers Metadata from the image, not from a single-broker
 * assumption: with a multi-broker controller it lists every live broker, each partition's leader, replicas,
 * ISR and offline replicas, and refuses produces to partitions another broker leads.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class MultiBrokerMetadataTest
{
    @TempDir
    Path dir;

    private static BrokerInfo fake(final int id)
    {
        return new BrokerInfo(id, 0, UUID.randomUUID(), "broker" + id + ".example", 9000 + id, "rack-" + id, false,
            Map.of("PLAINTEXT", "broker" + id + ".example:" + (9000 + id)));
    }

    @Test
    void shouldDescribeEveryBrokerAndPartitionFromTheImage() throws Exception
    {
        try (ExecutorScheduler scheduler = new ExecutorScheduler("test-controller", SystemEpochClock.INSTANCE))
        {
            final InMemoryController controller = new InMemoryController(scheduler, "multi-cluster", Map.of(), 1, (short)1, 3_600_000L,
                UUID::randomUUID);
            controller.registerBroker(fake(2), UUID.randomUUID(), true, Map.of()).join();
            controller.registerBroker(fake(3), UUID.randomUUID(), true, Map.of()).join();
            try (Broker broker = Broker.builder(TestBrokers.config(dir, Map.of())).controller(c -> controller).start();
                RawKafkaClient raw = new RawKafkaClient(broker.port()))
            {
                controller.createTopic("spread", 3, (short)3, null, Map.of(), false).join();
                MetadataResponseData md = (MetadataResponseData)raw.call(ApiKeys.METADATA, (short)12,
                    new MetadataRequestData().setTopics(null));
                assertEquals("multi-cluster", md.clusterId());
                assertEquals(3, md.brokers().size());
                assertEquals("broker2.example", md.brokers().find(2).host());
                assertEquals(9002, md.brokers().find(2).port());
                assertEquals("rack-3", md.brokers().find(3).rack());
                assertEquals(broker.port(), md.brokers().find(1).port());
                final MetadataResponseData.MetadataResponseTopic topic = md.topics().find("spread");
                for (final MetadataResponseData.MetadataResponsePartition p : topic.partitions())
                {
                    assertEquals(Errors.NONE.code(), p.errorCode());
                    assertEquals(p.replicaNodes().get(0), p.leaderId(), "preferred leader first");
                    assertEquals(3, p.replicaNodes().size());
                    assertEquals(p.replicaNodes(), p.isrNodes());
                    assertEquals(List.of(), p.offlineReplicas());
                }
                assertEquals(List.of(1, 2, 3), List.of(topic.partitions().get(0).leaderId(), topic.partitions().get(1).leaderId(),
                    topic.partitions().get(2).leaderId()), "leaders spread by the placement rule");

                // a partition led by another broker: this one refuses the produce
                final ProduceResponseData r = (ProduceResponseData)raw.call(ApiKeys.PRODUCE, (short)9, RawKafkaClient.produce("spread", 1,
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes())), (short)1));
                assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), r.responses().iterator().next().partitionResponses().get(0).errorCode());

                // broker 3 shuts down: it leaves the broker list and shows as an offline replica
                controller.controlledShutdown(3, controller.image().brokers().get(3).epoch()).join();
                md = (MetadataResponseData)raw.call(ApiKeys.METADATA, (short)12, new MetadataRequestData().setTopics(null));
                assertEquals(2, md.brokers().size());
                for (final MetadataResponseData.MetadataResponsePartition p : md.topics().find("spread").partitions())
                {
                    assertEquals(List.of(3), p.offlineReplicas());
                    assertEquals(false, p.isrNodes().contains(3));
                    assertEquals(false, p.leaderId() == 3);
                }
                final DescribeClusterResponseData cluster = (DescribeClusterResponseData)raw.call(ApiKeys.DESCRIBE_CLUSTER, (short)2,
                    new DescribeClusterRequestData().setIncludeFencedBrokers(true));
                assertEquals(3, cluster.brokers().size());
                assertEquals(true, cluster.brokers().find(3).isFenced());
                assertEquals(1, cluster.controllerId(), "a live broker that accepts admin requests");
            }
        }
    }
}
