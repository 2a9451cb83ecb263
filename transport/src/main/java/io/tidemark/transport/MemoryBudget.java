package io.tidemark.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code maxQueuedRequestBytes} budget shared by the selector threads of one server (or client): bytes of
 * inbound frame bodies allocated and not yet released. A connection reserves a body's length before allocating
 * it; when the reservation fails it stops reading and waits. Releases come from any thread and wake the
 * selectors that have waiters (a wake-up lost to a race costs at most one selector tick).
 */
final class MemoryBudget
{
    private final long capacityBytes;
    private final AtomicLong availableBytes;
    private volatile boolean waiters;
    private EventLoop[] loops = new EventLoop[0];

    MemoryBudget(final long capacityBytes)
    {
        this.capacityBytes = capacityBytes;
        availableBytes = new AtomicLong(capacityBytes);
    }

    void loops(final EventLoop[] loops)
    {
        this.loops = loops;
    }

    boolean tryReserve(final long bytes)
    {
        while (true)
        {
            final long available = availableBytes.get();
            if (available < bytes)
            {
                waiters = true;
                return false;
            }
            if (availableBytes.compareAndSet(available, available - bytes))
            {
                return true;
            }
        }
    }

    void release(final long bytes)
    {
        final long after = availableBytes.addAndGet(bytes);
        assert after <= capacityBytes : "released more than reserved: " + after + " > " + capacityBytes;
        if (waiters)
        {
            waiters = false;
            for (final EventLoop loop : loops)
            {
                loop.wakeupIfMemoryWaiters();
            }
        }
    }

    long availableBytes()
    {
        return availableBytes.get();
    }

    long capacityBytes()
    {
        return capacityBytes;
    }
}
