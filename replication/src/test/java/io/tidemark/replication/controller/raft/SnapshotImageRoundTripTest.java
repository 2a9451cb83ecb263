package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.MetadataImageCodec;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.testkit.Seeds;
import org.junit.jupiter.api.Test;

/**
 * Snapshots carry images in {@link MetadataImageCodec}'s text form: every image the state machine can
 * hold must come back equal, or a follower installing the snapshot would diverge.
 */
class SnapshotImageRoundTripTest
{
    @Test
    void shouldRoundTripRandomImagesThroughTheSnapshotForm()
    {
        final long seed = Seeds.seed("SnapshotImageRoundTripTest");
        final RandomModels models = new RandomModels(seed);
        final java.util.Random r = models.random();
        for (int i = 0; i < 500; i++)
        {
            final Map<Integer, BrokerInfo> brokers = new HashMap<>();
            for (int b = 0; b < r.nextInt(5); b++)
            {
                final BrokerInfo x = models.broker();
                brokers.put(x.id(), x);
            }
            final Map<String, TopicInfo> topics = new HashMap<>();
            for (int t = 0; t < r.nextInt(5); t++)
            {
                final TopicInfo x = models.topicInfo();
                final List<io.tidemark.replication.controller.PartitionInfo> partitions = new java.util.ArrayList<>();
                for (int p = 0; p < x.partitions().size(); p++)
                {
                    partitions.add(models.partition(p));
                }
                topics.put(x.name(), new TopicInfo(x.name(), x.id(), x.configs(), partitions));
            }
            final MetadataImage image = new MetadataImage("cluster-" + models.string(), r.nextInt(5) - 1, r.nextInt(1000), brokers, topics,
                r.nextInt(1 << 20) * 1000L);
            assertEquals(image, MetadataImageCodec.decode(MetadataImageCodec.encode(image)), "seed " + seed + " case " + i);
        }
    }

    @Test
    void shouldRoundTripEdgeValues()
    {
        final BrokerInfo dashRack = new BrokerInfo(1, 2, new UUID(1, 2), "h", 1, "-", false, Map.of());
        final BrokerInfo emptyHost = new BrokerInfo(2, 2, new UUID(1, 3), "", 1, "", false, Map.of("", ""));
        final TopicInfo emptyValue = new TopicInfo("t", new UUID(3, 4), Map.of("retention.ms", ""), List.of());
        final MetadataImage image = new MetadataImage("c", 1, 1, Map.of(1, dashRack, 2, emptyHost), Map.of("t", emptyValue), 0);
        assertEquals(image, MetadataImageCodec.decode(MetadataImageCodec.encode(image)));
    }
}
