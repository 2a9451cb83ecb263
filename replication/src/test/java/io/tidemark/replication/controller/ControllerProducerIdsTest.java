package io.tidemark.replication.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import io.tidemark.engine.storage.FileStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerProducerIdsTest
{
    @TempDir
    Path dir;

    private static BrokerInfo broker(final int id, final long epoch)
    {
        return new BrokerInfo(id, epoch, new UUID(0, id), "127.0.0.1", 9092, null, false, Map.of());
    }

    private static MetadataImage twoBrokers()
    {
        return new MetadataImage("c", 1, 10, Map.of(1, broker(1, 5), 2, broker(2, 7)), Map.of(), 0);
    }

    /**
     * Adds [first, last] to the allocated ranges, failing if it overlaps any of them.
     */
    private static void addDisjoint(final TreeMap<Long, Long> ranges, final ProducerIdBlock block)
    {
        final Map.Entry<Long, Long> below = ranges.floorEntry(block.lastProducerId());
        assertTrue(below == null || below.getValue() < block.firstProducerId(), "block " + block + " overlaps " + below);
        ranges.put(block.firstProducerId(), block.lastProducerId());
    }

    @Test
    void shouldAllocateBlocksThatNeverOverlap()
    {
        MetadataImage image = twoBrokers();
        final TreeMap<Long, Long> ranges = new TreeMap<>();
        long expectedFirst = ControllerProducerIds.FIRST_PRODUCER_ID;
        for (int i = 0; i < 2000; i++)
        {
            final int brokerId = i % 3 == 0 ? 2 : 1;
            final ControllerProducerIds.Allocation a = ControllerProducerIds.allocate(image, brokerId, brokerId == 1 ? 5 : 7);
            assertEquals(new ProducerIdBlock(brokerId, expectedFirst, ProducerIdBlock.SIZE), a.block());
            assertEquals(image.version() + 1, a.image().version(), "an allocation is a metadata change");
            assertEquals(a.block().nextBlockFirstId(), a.image().nextProducerId());
            addDisjoint(ranges, a.block());
            expectedFirst = a.block().nextBlockFirstId();
            image = a.image();
        }
        assertEquals(ControllerProducerIds.FIRST_PRODUCER_ID + 2000L * ProducerIdBlock.SIZE, image.nextProducerId());
    }

    @Test
    void shouldStartAboveEveryIdOfTheFormerPerBrokerResidueClasses()
    {
        // before controller blocks: local * 65536 + node.id, with the local counter persisted per broker
        final long highestResidueId = ((1L << 32) - 1) * 65536 + 65535;
        final ProducerIdBlock first = ControllerProducerIds.allocate(twoBrokers(), 1, 5).block();
        assertTrue(first.firstProducerId() > highestResidueId, "first block " + first);
        assertEquals(0, twoBrokers().nextProducerId(), "nothing allocated yet");
    }

    @Test
    void shouldRefuseAStaleOrUnknownBrokerEpoch()
    {
        final MetadataImage image = twoBrokers();
        final ControllerException stale = assertThrows(ControllerException.class, () -> ControllerProducerIds.allocate(image, 1, 4));
        assertEquals(ControllerException.Reason.STALE, stale.reason());
        final ControllerException unknown = assertThrows(ControllerException.class, () -> ControllerProducerIds.allocate(image, 3, 5));
        assertEquals(ControllerException.Reason.STALE, unknown.reason());
    }

    @Test
    void shouldKeepTheNextBlockInTheImageCodec()
    {
        final MetadataImage image = ControllerProducerIds.allocate(ControllerProducerIds.allocate(twoBrokers(), 1, 5).image(), 2, 7).image();
        final MetadataImage decoded = MetadataImageCodec.decode(MetadataImageCodec.encode(image));
        assertEquals(image, decoded);
        assertEquals(ControllerProducerIds.FIRST_PRODUCER_ID + 2000, decoded.nextProducerId());
        assertEquals(new ProducerIdBlock(1, ControllerProducerIds.FIRST_PRODUCER_ID + 2000, ProducerIdBlock.SIZE), ControllerProducerIds.allocate(decoded, 1, 5).block(),
            "allocation resumes after the last block");
    }

    @Test
    void shouldReadAVersion1ImageAsNoBlockAllocatedYet()
    {
        final String v1 = "tidemark-metadata 1\ncluster c 1 3\nbroker 1 5 " + new UUID(0, 1) + " h 9092 - false -\nend\n";
        final MetadataImage image = MetadataImageCodec.decode(v1.getBytes(StandardCharsets.UTF_8));
        assertEquals(0, image.nextProducerId());
        assertEquals(5, image.brokers().get(1).epoch());
        final String v2 = new String(MetadataImageCodec.encode(image), StandardCharsets.UTF_8);
        assertTrue(v2.startsWith("tidemark-metadata 2\n"), v2);
        assertEquals(image, MetadataImageCodec.decode(v2.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldRefuseAVersion2ImageWithoutItsProducerIdsLine()
    {
        final String text = "tidemark-metadata 2\ncluster c 1 3\nend\n";
        assertThrows(IllegalArgumentException.class, () -> MetadataImageCodec.decode(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldContinuePastPersistedBlocksAfterALocalControllerRestart()
    {
        final BrokerInfo self = broker(0, 0);
        final ProducerIdBlock first;
        try (LocalController c = new LocalController(FileStorage.INSTANCE, dir, "c", self, Map.of(), 1, (short)1))
        {
            final long epoch = c.image().brokers().get(0).epoch();
            first = c.allocateProducerIds(0, epoch).join();
            assertEquals(new ProducerIdBlock(0, ControllerProducerIds.FIRST_PRODUCER_ID, ProducerIdBlock.SIZE), first);
            final CompletionException stale = assertThrows(CompletionException.class, () -> c.allocateProducerIds(0, epoch + 1).join());
            assertEquals(ControllerException.Reason.STALE, ((ControllerException)stale.getCause()).reason());
        }
        try (LocalController c = new LocalController(FileStorage.INSTANCE, dir, "c", self, Map.of(), 1, (short)1))
        {
            final ProducerIdBlock second = c.allocateProducerIds(0, c.image().brokers().get(0).epoch()).join();
            assertEquals(first.nextBlockFirstId(), second.firstProducerId(), "the next block survives the restart");
        }
    }
}
