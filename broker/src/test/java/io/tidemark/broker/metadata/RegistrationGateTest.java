package io.tidemark.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.MetadataImage;
import org.junit.jupiter.api.Test;

/**
 * A restarted broker applies no metadata to its partitions until an image holds its new registration: the
 * replayed images from before the restart (where it may still lead with a log that lost its tail) never
 * reach them.
 */
class RegistrationGateTest
{
    private static final int SELF = 1;
    private static final UUID INCARNATION = UUID.randomUUID();

    private final List<Long> applied = new ArrayList<>();
    private final RegistrationGate gate = new RegistrationGate(SELF, image -> applied.add(image.version()));

    /** An image in which this broker is registered with {@code selfEpoch} (-1: not registered at all). */
    private static MetadataImage image(final long version, final long selfEpoch)
    {
        final Map<Integer, BrokerInfo> brokers = selfEpoch < 0 ? Map.of() :
            Map.of(SELF, new BrokerInfo(SELF, selfEpoch, INCARNATION, "127.0.0.1", 9092, null, false, Map.of()));
        return new MetadataImage("c", 0, version, brokers, Map.of(), 0);
    }

    @Test
    void shouldHoldImagesFromBeforeTheRegistrationThenForwardEveryImageFromTheOneHoldingIt()
    {
        gate.accept(image(10, -1));
        gate.accept(image(11, 4));
        assertEquals(List.of(), applied, "nothing before the registration is known");
        gate.registered(9);
        assertEquals(List.of(), applied, "the replayed image holds the previous epoch only");
        assertFalse(gate.opened().isDone());
        gate.accept(image(12, 4));
        assertEquals(List.of(), applied, "a later image without the registration either");
        gate.accept(image(13, 9));
        assertEquals(List.of(13L), applied);
        assertTrue(gate.opened().isDone());
        gate.accept(image(14, 9));
        gate.accept(image(15, 12));
        gate.accept(image(16, -1));
        assertEquals(List.of(13L, 14L, 15L, 16L), applied, "open for good: a process that kept running lost nothing");
    }

    @Test
    void shouldForwardTheHeldImageWhenTheRegistrationIsAnsweredAfterItArrived()
    {
        gate.accept(image(20, 3));
        gate.accept(image(21, 7));
        assertEquals(List.of(), applied);
        gate.registered(7);
        assertEquals(List.of(21L), applied, "the last image held already carries the registration");
        assertTrue(gate.opened().isDone());
        gate.registered(8);
        gate.accept(image(22, 7));
        assertEquals(List.of(21L, 22L), applied);
    }
}
