package io.tidemark.broker.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * Real requests of every API, built with kafka-clients' generated request classes and filled with field values a
 * client could send: topic names from a small pool (and now and then a new one, as a typo would), group ids,
 * client ids and producers that are new every time (each input is another client), record batches with every
 * codec. The fuzzer mutates their bytes afterwards.
 *
 * <p>Used by one fuzzer thread at a time per instance (the {@link Random} is the caller's).
 */
final class RequestSeeds
{
    /** Topic names the seeds pick from; CreateTopics and DeleteTopics churn them. */
    static final int TOPIC_POOL = 16;
    private static final Compression[] CODECS = {
        Compression.NONE, Compression.gzip().build(), Compression.snappy().build(), Compression.lz4().build(),
        Compression.zstd().build()
    };

    private final String goodTopic;

    /**
     * @param goodTopic the well-behaved producer's topic: never deleted by a seed.
     */
    RequestSeeds(final String goodTopic)
    {
        this.goodTopic = goodTopic;
    }

    /**
     * @return a request body for {@code api} at {@code version}.
     */
    ApiMessage body(final ApiKeys api, final short version, final Random random)
    {
        return switch (api)
        {
            case METADATA -> new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic(random))))
                .setAllowAutoTopicCreation(random.nextBoolean());
            case PRODUCE -> produce(random);
            case FETCH -> new FetchRequestData()
                .setMaxWaitMs(random.nextInt(50))
                .setMinBytes(1)
                .setMaxBytes(1024 * 1024)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic(random)).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(random.nextInt(64))
                        .setPartitionMaxBytes(64 * 1024)))));
            case LIST_OFFSETS -> new ListOffsetsRequestData()
                .setReplicaId(-1)
                .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic(random)).setPartitions(List.of(
                    new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1 - random.nextInt(2))))));
            case FIND_COORDINATOR -> new FindCoordinatorRequestData()
                .setKey(group(random))
                .setCoordinatorKeys(List.of(group(random)));
            case JOIN_GROUP -> new JoinGroupRequestData()
                .setGroupId(group(random))
                .setSessionTimeoutMs(6000)
                .setRebalanceTimeoutMs(6000)
                .setMemberId("")
                .setProtocolType("consumer")
                .setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                    new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[8])).iterator()));
            case SYNC_GROUP -> new SyncGroupRequestData().setGroupId(group(random)).setMemberId("m").setGenerationId(1);
            case HEARTBEAT -> new HeartbeatRequestData().setGroupId(group(random)).setMemberId("m").setGenerationId(1);
            case LEAVE_GROUP -> new LeaveGroupRequestData().setGroupId(group(random)).setMemberId("m")
                .setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("m")));
            case OFFSET_COMMIT -> new OffsetCommitRequestData()
                .setGroupId(group(random))
                .setGenerationIdOrMemberEpoch(-1)
                .setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic(random)).setPartitions(List.of(
                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                        .setCommittedOffset(random.nextInt(1000))))));
            case OFFSET_FETCH -> new OffsetFetchRequestData()
                .setGroupId(group(random))
                .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group(random))));
            case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
            case CREATE_TOPICS -> new CreateTopicsRequestData()
                .setTimeoutMs(5000)
                .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(new CreateTopicsRequestData.CreatableTopic()
                    .setName(pooledTopic(random)).setNumPartitions(1).setReplicationFactor((short)1)).iterator()));
            case DELETE_TOPICS ->
            {
                final String name = pooledTopic(random);
                yield new DeleteTopicsRequestData()
                    .setTimeoutMs(5000)
                    .setTopicNames(List.of(name))
                    .setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(name)));
            }
            default -> ApiMessageType.fromApiKey(api.id).newRequest();
        };
    }

    private ApiMessage produce(final Random random)
    {
        final SimpleRecord[] records = new SimpleRecord[1 + random.nextInt(4)];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + i).getBytes(StandardCharsets.UTF_8),
                ("fuzz-value-" + random.nextInt()).getBytes(StandardCharsets.UTF_8));
        }
        final MemoryRecords batch = MemoryRecords.withRecords(CODECS[random.nextInt(CODECS.length)], records);
        return new ProduceRequestData()
            .setAcks((short)(random.nextInt(3) - 1))
            .setTimeoutMs(2000)
            .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(new ProduceRequestData.TopicProduceData()
                .setName(pooledTopic(random))
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch)))).iterator()));
    }

    /** A pooled topic, the good producer's topic (read-only uses only), or one time in 200 a new name. */
    private String topic(final Random random)
    {
        final int pick = random.nextInt(200);
        if (pick == 0)
        {
            return "fz-new-" + Integer.toHexString(random.nextInt());
        }
        return pick == 1 ? goodTopic : pooledTopic(random);
    }

    private static String pooledTopic(final Random random)
    {
        return "fz-" + random.nextInt(TOPIC_POOL);
    }

    /** Every group request names a new group, as a client with a random group id would. */
    private static String group(final Random random)
    {
        return "g-" + Long.toHexString(random.nextLong());
    }
}
