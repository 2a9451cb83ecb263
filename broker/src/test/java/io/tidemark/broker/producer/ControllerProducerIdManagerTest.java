package io.tidemark.broker.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.tidemark.replication.Scheduler;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.InMemoryController;
import io.tidemark.replication.controller.ProducerIdBlock;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

class ControllerProducerIdManagerTest
{
    private static final int BROKER = 3;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<CompletableFuture<ProducerIdBlock>> pending = new ArrayList<>();
    private final List<Long> epochsSent = new ArrayList<>();
    private long brokerEpoch = 42;

    private ControllerProducerIdManager manager()
    {
        return new ControllerProducerIdManager(BROKER, () -> brokerEpoch, (id, epoch) ->
        {
            assertEquals(BROKER, id);
            epochsSent.add(epoch);
            final CompletableFuture<ProducerIdBlock> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }, clock, 50);
    }

    private static ProducerIdBlock block(final long first)
    {
        return new ProducerIdBlock(BROKER, first, ProducerIdBlock.SIZE);
    }

    @Test
    void shouldAnswerNoIdWhileTheFirstBlockIsInFlightThenHandItOut()
    {
        final ControllerProducerIdManager ids = manager();
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        assertEquals(1, pending.size(), "one request in flight at a time");
        assertEquals(List.of(42L), epochsSent);
        pending.get(0).complete(block(5000));
        assertEquals(5000, ids.nextProducerId());
        assertEquals(5001, ids.nextProducerId());
    }

    @Test
    void shouldPrefetchTheNextBlockWhenNinetyPercentIsUsed()
    {
        final ControllerProducerIdManager ids = manager();
        ids.prefetch();
        pending.get(0).complete(block(0));
        for (int i = 0; i < 900; i++)
        {
            assertEquals(i, ids.nextProducerId());
        }
        assertEquals(1, pending.size(), "no request before 90% of the block is used");
        assertEquals(900, ids.nextProducerId());
        assertEquals(2, pending.size(), "the next block is requested at 90%");
        pending.get(1).complete(block(7000));
        assertTrue(ids.hasPrefetchedBlock());
        for (int i = 901; i < 1000; i++)
        {
            assertEquals(i, ids.nextProducerId());
        }
        assertEquals(7000, ids.nextProducerId(), "no wait at the block boundary");
        assertFalse(ids.hasPrefetchedBlock());
        assertEquals(2, pending.size());
    }

    @Test
    void shouldAnswerNoIdWhenTheBlockRunsOutBeforeTheNextArrives()
    {
        final ControllerProducerIdManager ids = manager();
        ids.prefetch();
        pending.get(0).complete(block(0));
        for (int i = 0; i < 1000; i++)
        {
            assertEquals(i, ids.nextProducerId());
        }
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        assertEquals(2, pending.size());
        pending.get(1).complete(block(1000));
        assertEquals(1000, ids.nextProducerId());
    }

    @Test
    void shouldBackOffAfterAFailedRequestAndRetryWithTheCurrentEpoch()
    {
        final ControllerProducerIdManager ids = manager();
        clock.update(1_000);
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        pending.get(0).completeExceptionally(new ControllerException(ControllerException.Reason.STALE, "stale broker epoch"));
        brokerEpoch = 43; // re-registered meanwhile
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        assertEquals(1, pending.size(), "no request within the backoff");
        clock.update(1_050);
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        assertEquals(List.of(42L, 43L), epochsSent);
        pending.get(1).complete(block(2000));
        assertEquals(2000, ids.nextProducerId());
    }

    @Test
    void shouldNotAskBeforeTheBrokerIsRegistered()
    {
        brokerEpoch = -1;
        final ControllerProducerIdManager ids = manager();
        ids.prefetch();
        assertEquals(ProducerIdManager.NO_PRODUCER_ID, ids.nextProducerId());
        assertEquals(0, ids.requests());
    }

    @Test
    void shouldRefuseABlockThatIsNotAfterTheOnesHeld()
    {
        final ControllerProducerIdManager ids = manager();
        ids.prefetch();
        pending.get(0).complete(block(5000));
        for (int i = 0; i < 901; i++)
        {
            ids.nextProducerId();
        }
        pending.get(1).complete(block(4000));
        assertFalse(ids.hasPrefetchedBlock(), "an overlapping or older block is never used");
    }

    @Test
    void shouldNeverHandOutTheSameIdOnTwoBrokers()
    {
        // found by ProcessFaultIT: two brokers each handed producer id 0 to a different idempotent producer.
        // Every broker's manager draws from the controller; a restarted (or wiped) broker starts a new manager.
        final InMemoryController controller = new InMemoryController(new InlineScheduler(), "c", Map.of(), 1, (short)1, 60_000,
            UUID::randomUUID);
        final Set<Long> seen = new HashSet<>();
        for (int restart = 0; restart < 2; restart++)
        {
            for (int node = 1; node <= 3; node++)
            {
                final BrokerInfo info = new BrokerInfo(node, 0, UUID.randomUUID(), "127.0.0.1", 9092, null, false, Map.of());
                final long epoch = controller.registerBroker(info, info.incarnation(), false, Map.of()).join();
                final ControllerProducerIdManager ids = new ControllerProducerIdManager(node, () -> epoch, controller::allocateProducerIds,
                    clock, 50);
                ids.prefetch();
                for (int i = 0; i < 1200; i++)
                {
                    final long id = ids.nextProducerId();
                    assertTrue(id >= 0, "the in-memory controller answers at once");
                    assertTrue(seen.add(id), "unique across nodes and restarts: " + id);
                }
            }
        }
        assertEquals(2 * 3 * 1200, seen.size());
        controller.close();
    }

    /**
     * Runs tasks at once and never runs scheduled ones (the session check is not needed here).
     */
    private static final class InlineScheduler implements Scheduler
    {
        @Override
        public long nowMs()
        {
            return 0;
        }

        @Override
        public Cancellable schedule(final long delayMs, final Runnable task)
        {
            return () ->
            {
            };
        }

        @Override
        public void execute(final Runnable task)
        {
            task.run();
        }
    }
}
