package io.tidemark.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.tidemark.broker.Broker;
import io.tidemark.broker.RawKafkaClient;
import io.tidemark.broker.TestBrokers;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Metadata request before v12 naming a topic by id (or with a null name) is answered INVALID_REQUEST, as Kafka
 * answers it (found by the process fuzzer, issue 12: the v10 answer carried the null name, its encoding threw a
 * NullPointerException logged at SEVERE and the connection was closed without an answer).
 */
@Tag(Tags.INTEGRATION)
class MetadataTopicIdVersionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerInvalidRequestWhenAMetadataRequestBeforeV12NamesATopicById() throws Exception
    {
        try (Broker broker = Broker.start(TestBrokers.config(dir, Map.of()));
            RawKafkaClient client = new RawKafkaClient(broker.port()))
        {
            for (final short version : new short[] {10, 11})
            {
                final MetadataResponseData answer = (MetadataResponseData)client.call(ApiKeys.METADATA, version, new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(null).setTopicId(Uuid.randomUuid()))));
                assertEquals(1, answer.topics().size(), "v" + version);
                assertEquals(Errors.INVALID_REQUEST.code(), answer.topics().iterator().next().errorCode(), "v" + version);
            }
        }
    }
}
