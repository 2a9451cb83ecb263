package io.tidemark.transport;

/**
 * The {@code maxQueuedRequestBytes} budget shared by the selector threads of one server (or client): bytes of
 * inbound frame bodies received and not yet released. Unlike Kafka's memory pool, which reserves a frame's
 * declared size as soon as its length prefix arrives (so a client that declares the maximum and then goes
 * silent holds it), memory is reserved only as a frame's bytes arrive, and frames still being received share
 * at most half of the budget:
 *
 * <pre>
 *   capacity (maxQueuedRequestBytes)
 *   ├── assembling: bodies of frames still arriving           at most capacity / 2 (the assembly share)
 *   └── complete frames awaiting release by the application    the rest, and whatever assembling leaves free
 *   pass: one frame at a time may finish outside the budget   at most maxFrameBytes more
 * </pre>
 *
 * A chunk that completes a small frame ({@link #SMALL_FRAME_BYTES} or less remaining) is not held to the
 * assembly share, so while slow or silent senders fill that share, requests whose bytes are all in hand still
 * fit. The pass breaks the deadlock of partly received frames that together need more than the budget: a
 * connection that holds part of a frame and cannot grow it takes the pass (when free), moves its bytes out of
 * the budget and completes the frame without further reservations; the pass returns when that frame is
 * released. So memory held for request bodies never exceeds {@code capacity + maxFrameBytes}.
 *
 * <p>Reservations run on the selector threads; releases come from any thread and wake the selectors that have
 * waiters (a wake-up lost to a race costs at most one selector tick). Every method is synchronized: it is
 * called once per chunk read, never per byte.
 */
final class MemoryBudget
{
    /** Remaining bytes of a frame up to which a chunk that completes it skips the assembly share. */
    static final int SMALL_FRAME_BYTES = 64 * 1024;

    private final long capacityBytes;
    private final long assemblyShareBytes;
    private long availableBytes;
    private long assemblingBytes;
    private boolean passTaken;
    private volatile boolean waiters;
    private EventLoop[] loops = new EventLoop[0];

    MemoryBudget(final long capacityBytes)
    {
        this.capacityBytes = capacityBytes;
        assemblyShareBytes = Math.max(1, capacityBytes / 2);
        availableBytes = capacityBytes;
    }

    void loops(final EventLoop[] loops)
    {
        this.loops = loops;
    }

    /**
     * Reserves bytes for a frame still being received; they count as assembling until
     * {@link #assembled(long)}.
     *
     * @param bytes     to reserve.
     * @param completes true when the chunk these bytes are for completes a frame of at most
     *                  {@link #SMALL_FRAME_BYTES} remaining: the assembly share does not apply.
     * @return true when reserved; false (and the waiters flag set) when the caller must wait.
     */
    synchronized boolean tryReserveAssembling(final long bytes, final boolean completes)
    {
        if (!fits(bytes, completes))
        {
            waiters = true;
            return false;
        }
        availableBytes -= bytes;
        assemblingBytes += bytes;
        return true;
    }

    /**
     * @param bytes     that would be reserved.
     * @param completes as for {@link #tryReserveAssembling(long, boolean)}.
     * @param holding   true when the asking connection holds part of a frame (so it may take the pass).
     * @return true when {@link #tryReserveAssembling} or {@link #tryTakePass} could succeed now.
     */
    synchronized boolean couldReserve(final long bytes, final boolean completes, final boolean holding)
    {
        if (fits(bytes, completes) || (holding && !passTaken))
        {
            return true;
        }
        waiters = true;
        return false;
    }

    private boolean fits(final long bytes, final boolean completes)
    {
        return availableBytes >= bytes && (completes || assemblingBytes + bytes <= assemblyShareBytes);
    }

    /**
     * Gives back assembling bytes reserved but not used by a read (the read returned fewer bytes).
     */
    synchronized void unreserveAssembling(final long bytes)
    {
        assemblingBytes -= bytes;
        availableBytes += bytes;
        wakeWaiters();
    }

    /**
     * A frame holding {@code bytes} is complete: they stay reserved until released, no longer assembling.
     */
    synchronized void assembled(final long bytes)
    {
        assemblingBytes -= bytes;
        wakeWaiters();
    }

    /**
     * Takes the pass for a frame that holds {@code heldBytes} and cannot grow: those bytes leave the budget.
     *
     * @return true when taken; false when another frame has it.
     */
    synchronized boolean tryTakePass(final long heldBytes)
    {
        if (passTaken)
        {
            waiters = true;
            return false;
        }
        passTaken = true;
        assemblingBytes -= heldBytes;
        availableBytes += heldBytes;
        wakeWaiters();
        return true;
    }

    /**
     * Releases the bytes of a frame that was assembling when its connection closed.
     */
    synchronized void releaseAssembling(final long bytes)
    {
        assemblingBytes -= bytes;
        release(bytes);
    }

    /**
     * Releases a complete frame's body, from any thread.
     *
     * @param bytes its length.
     * @param pass  true when it was completed on the pass (the pass returns, no bytes do).
     */
    synchronized void releaseFrame(final long bytes, final boolean pass)
    {
        if (pass)
        {
            releasePass();
        }
        else
        {
            release(bytes);
        }
    }

    /**
     * Returns the pass (its frame completed and was released, or its connection closed).
     */
    synchronized void releasePass()
    {
        assert passTaken : "pass released but not taken";
        passTaken = false;
        wakeWaiters();
    }

    private void release(final long bytes)
    {
        availableBytes += bytes;
        assert availableBytes <= capacityBytes : "released more than reserved: " + availableBytes + " > " + capacityBytes;
        wakeWaiters();
    }

    private void wakeWaiters()
    {
        if (waiters)
        {
            waiters = false;
            for (final EventLoop loop : loops)
            {
                loop.wakeupIfMemoryWaiters();
            }
        }
    }

    synchronized long availableBytes()
    {
        return availableBytes;
    }

    synchronized long assemblingBytes()
    {
        return assemblingBytes;
    }

    synchronized boolean passTaken()
    {
        return passTaken;
    }

    long capacityBytes()
    {
        return capacityBytes;
    }
}
