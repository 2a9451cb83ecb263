package io.tidemark.broker.producer;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import io.tidemark.replication.controller.ProducerIdBlock;
import org.agrona.concurrent.EpochClock;

/**
 * Producer ids from blocks the controller allocates (Kafka's {@code RPCProducerIdManager}, KIP-730): the
 * controller records every block in the replicated metadata, so an id is never handed out twice in the
 * cluster, whatever happens to this broker's disks or to the controllers.
 *
 * <p>The next block is requested when 90% of the current one is used, so a busy broker rarely waits. When
 * the current block is used up and the next has not arrived (the request is in flight, the controller is
 * unreachable, the broker is not registered yet), {@link #nextProducerId()} returns
 * {@link #NO_PRODUCER_ID} at once and the client retries. At most one request is in flight; after a
 * failed one, the next waits {@code retryBackoffMs}.
 *
 * <p>Thread safe: InitProducerId handlers on any thread; the controller's answer on its own.
 */
public final class ControllerProducerIdManager implements ProducerIdManager
{
    private static final System.Logger LOG = System.getLogger(ControllerProducerIdManager.class.getName());

    /** Percentage of a block used when the next one is requested. */
    static final int PREFETCH_PERCENT = 90;

    /**
     * Asks the controller for a block ({@link io.tidemark.replication.controller.Controller#allocateProducerIds}).
     */
    @FunctionalInterface
    public interface Allocator
    {
        /**
         * @param brokerId    this broker.
         * @param brokerEpoch its current broker epoch.
         * @return the block, or a failure.
         */
        CompletableFuture<ProducerIdBlock> allocate(int brokerId, long brokerEpoch);
    }

    private final int brokerId;
    private final LongSupplier brokerEpoch;
    private final Allocator allocator;
    private final EpochClock clock;
    private final long retryBackoffMs;
    private ProducerIdBlock current;
    private long nextId;
    private ProducerIdBlock prefetched;
    private boolean requestInFlight;
    private long backoffUntilMs;
    private long requests;

    /**
     * @param brokerId       this broker.
     * @param brokerEpoch    its current broker epoch, negative until registered.
     * @param allocator      asks the controller for a block.
     * @param clock          for the retry backoff.
     * @param retryBackoffMs wait after a failed request.
     */
    public ControllerProducerIdManager(final int brokerId, final LongSupplier brokerEpoch, final Allocator allocator, final EpochClock clock,
        final long retryBackoffMs)
    {
        if (retryBackoffMs < 0)
        {
            throw new IllegalArgumentException("retryBackoffMs must not be negative: " + retryBackoffMs);
        }
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
        this.allocator = allocator;
        this.clock = clock;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * Requests the first block now (if none is held or requested), so the first InitProducerId need not
     * wait for it.
     */
    public void prefetch()
    {
        final long epoch;
        synchronized (this)
        {
            epoch = current == null && prefetched == null ? startRequest() : -1;
        }
        send(epoch);
    }

    @Override
    public long nextProducerId()
    {
        final long id;
        long epoch = -1;
        synchronized (this)
        {
            if (exhausted() && prefetched != null)
            {
                current = prefetched;
                prefetched = null;
                nextId = current.firstProducerId();
            }
            if (exhausted())
            {
                id = NO_PRODUCER_ID;
                epoch = startRequest();
            }
            else
            {
                id = nextId++;
                if (prefetched == null && id - current.firstProducerId() >= (long)current.size() * PREFETCH_PERCENT / 100)
                {
                    epoch = startRequest();
                }
            }
        }
        send(epoch);
        return id;
    }

    /**
     * Under the lock.
     *
     * @return true if no block is held or every id of the current one has been handed out.
     */
    private boolean exhausted()
    {
        return current == null || nextId > current.lastProducerId();
    }

    /**
     * Under the lock: marks a request in flight if one may start.
     *
     * @return the broker epoch to send it with, or -1 for no request.
     */
    private long startRequest()
    {
        if (requestInFlight || clock.time() < backoffUntilMs)
        {
            return -1;
        }
        final long epoch = brokerEpoch.getAsLong();
        if (epoch < 0)
        {
            return -1;
        }
        requestInFlight = true;
        requests++;
        return epoch;
    }

    /**
     * Outside the lock (the answer may complete on this thread).
     */
    private void send(final long epoch)
    {
        if (epoch < 0)
        {
            return;
        }
        CompletableFuture<ProducerIdBlock> answer;
        try
        {
            answer = allocator.allocate(brokerId, epoch);
        }
        catch (final RuntimeException ex)
        {
            answer = CompletableFuture.failedFuture(ex);
        }
        answer.whenComplete(this::received);
    }

    private synchronized void received(final ProducerIdBlock block, final Throwable error)
    {
        requestInFlight = false;
        if (error != null || block == null)
        {
            backoffUntilMs = clock.time() + retryBackoffMs;
            LOG.log(System.Logger.Level.WARNING, "broker " + brokerId + ": no producer id block from the controller: " +
                (error == null ? "empty answer" : error));
            return;
        }
        final ProducerIdBlock newest = prefetched != null ? prefetched : current;
        if (block.brokerId() != brokerId || newest != null && block.firstProducerId() <= newest.lastProducerId())
        {
            // never hand out an id twice: a block that is not strictly after the ones held is a controller bug
            backoffUntilMs = clock.time() + retryBackoffMs;
            LOG.log(System.Logger.Level.ERROR, "broker " + brokerId + ": refused producer id block " + block + " (holding " + newest + ")");
            return;
        }
        if (exhausted())
        {
            current = block;
            nextId = block.firstProducerId();
        }
        else
        {
            prefetched = block;
        }
    }

    /**
     * @return block requests sent so far (tests, metrics).
     */
    public synchronized long requests()
    {
        return requests;
    }

    /**
     * @return whether the next block has arrived before the current one is used up (tests).
     */
    public synchronized boolean hasPrefetchedBlock()
    {
        return prefetched != null;
    }
}
