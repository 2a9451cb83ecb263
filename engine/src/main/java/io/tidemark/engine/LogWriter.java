package io.tidemark.engine;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The single writer of a group of logs. Producers on any thread copy their batches into a lock-free
 * many-to-one ring (Agrona {@link ManyToOneRingBuffer}); this agent drains it, writes each batch into
 * the mapped active segment of its log (offsets and leader epoch assigned in place), indexes,
 * publishes, applies the flush policy once per drain (group commit) and completes the appends.
 *
 * <pre>
 *  producer threads                     writer thread (this agent)
 *  ----------------                     ---------------------------------------------------------
 *  validate batch (CRC, framing)
 *  take a slot from the free queue
 *  claim ring space, copy, commit  -->  drain up to N messages:
 *  wake the writer if parked              copy to segment, stamp offset/epoch, index
 *                                       per touched log: publish size + LEO, sync per policy,
 *  listener / blocked thread    <--       complete slots (durability = SYNCED if covered by a sync)
 * </pre>
 *
 * Ring message: {@code msgTypeId} is the kind; the body starts with this header
 *
 * <pre>
 *  +----------------+----------------+----------------+----------------+------------------+
 *  | log id (int32) | slot (int32)   | epoch (int32)  | flags (int32)  | argument (int64) | payload
 *  +----------------+----------------+----------------+----------------+------------------+
 * </pre>
 *
 * Thread safety: {@link #enqueue} from any thread; {@link #doWork()} from one thread at a time.
 */
final class LogWriter implements Agent, AutoCloseable
{
    static final int APPEND_LEADER = 1;
    static final int APPEND_REPLICA = 2;
    static final int COMMAND = 3;

    static final int LOG_ID_OFFSET = 0;
    static final int SLOT_OFFSET = 4;
    static final int EPOCH_OFFSET = 8;
    static final int FLAGS_OFFSET = 12;
    static final int ARG_OFFSET = 16;
    static final int HEADER_LENGTH = 24;

    /** Flag: stamp log append time into the batch. */
    static final int FLAG_LOG_APPEND_TIME = 1;

    /** Enqueue result: accepted. */
    static final int ENQUEUED = 0;
    /** Enqueue result: no slot or ring space now; retry. */
    static final int BACK_PRESSURED = -1;
    /** Enqueue result: the message can never fit the ring. */
    static final int TOO_LARGE = -2;
    /** Enqueue result: the writer is closed. */
    static final int WRITER_CLOSED = -3;

    private static final int MAX_MESSAGES_PER_DRAIN = 256;
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Empty drains spent spinning, then yielding, before the writer parks (tens of microseconds). */
    private static final int IDLE_SPINS = 1000;
    private static final int IDLE_YIELDS = 100;

    private final String name;
    private final ManyToOneRingBuffer ring;
    /** Enqueues refused for want of a slot or ring space (appenders on any thread add; readers sum). */
    private final java.util.concurrent.atomic.LongAdder backPressured = new java.util.concurrent.atomic.LongAdder();
    private final PendingAppend[] slots;
    private final ManyToManyConcurrentArrayQueue<PendingAppend> freeSlots;
    private final NanoClock nanoClock;
    private final WriterMode mode;
    private final FatalErrorHandler fatalErrorHandler;
    private final IntArrayList touched = new IntArrayList();
    private final ControlledMessageHandler handler = this::onMessage;
    private final AtomicBoolean working = new AtomicBoolean();
    private volatile Log[] logs = new Log[0];
    private volatile boolean closed;
    private volatile boolean sleeping;
    private volatile Thread thread;
    private Throwable fatal;
    // writer thread only: a log synced since the writer last went idle
    private boolean synced;

    LogWriter(final String name, final int ringBytes, final int maxPending, final NanoClock nanoClock, final WriterMode mode,
        final FatalErrorHandler fatalErrorHandler)
    {
        this.name = name;
        this.nanoClock = nanoClock;
        this.mode = mode;
        this.fatalErrorHandler = fatalErrorHandler;
        final int capacity = Integer.highestOneBit(ringBytes);
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.slots = new PendingAppend[maxPending];
        // Twice the slots: offer into this queue fails not only when it is full but also when the cell it
        // needs is still being released by a concurrent poll from one lap earlier; the headroom makes
        // that rare and recycle() retries, so a slot is never lost.
        this.freeSlots = new ManyToManyConcurrentArrayQueue<>(2 * maxPending);
        for (int i = 0; i < maxPending; i++)
        {
            slots[i] = new PendingAppend(i);
            recycle(slots[i]);
        }
    }

    void start()
    {
        if (mode == WriterMode.THREAD)
        {
            final Thread t = new Thread(this::run, "tidemark-log-writer-" + name);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    WriterMode mode()
    {
        return mode;
    }

    /**
     * @return bytes in the ring not yet drained (any thread; a moment's view).
     */
    long ringOccupancyBytes()
    {
        return ring.size();
    }

    /**
     * @return the ring's capacity in bytes.
     */
    int ringCapacityBytes()
    {
        return ring.capacity();
    }

    /**
     * @return enqueues refused with {@link #BACK_PRESSURED} since start.
     */
    long backPressureEvents()
    {
        return backPressured.sum();
    }

    /**
     * @return the largest payload one message may carry.
     */
    int maxPayloadLength()
    {
        return ring.maxMsgLength() - HEADER_LENGTH;
    }

    synchronized int register(final Log log)
    {
        final Log[] current = logs;
        for (int i = 0; i < current.length; i++)
        {
            if (current[i] == null)
            {
                final Log[] copy = current.clone();
                copy[i] = log;
                logs = copy;
                return i;
            }
        }
        final Log[] copy = Arrays.copyOf(current, current.length + 1);
        copy[current.length] = log;
        logs = copy;
        return current.length;
    }

    synchronized void unregister(final int id)
    {
        final Log[] copy = logs.clone();
        copy[id] = null;
        logs = copy;
    }

    synchronized int registeredLogs()
    {
        int n = 0;
        for (final Log l : logs)
        {
            if (l != null)
            {
                n++;
            }
        }
        return n;
    }

    /**
     * Enqueues a message. Allocation free.
     *
     * @return {@link #ENQUEUED} or a negative code; the listener is called only when enqueued.
     */
    int enqueue(
        final int type,
        final int logId,
        final DirectBuffer src,
        final int offset,
        final int length,
        final int epoch,
        final int flags,
        final long arg,
        final int records,
        final AppendListener listener)
    {
        if (closed)
        {
            return WRITER_CLOSED;
        }
        if (length > maxPayloadLength())
        {
            return TOO_LARGE;
        }
        final PendingAppend slot = freeSlots.poll();
        if (slot == null)
        {
            backPressured.increment();
            return BACK_PRESSURED;
        }
        final int index = ring.tryClaim(type, HEADER_LENGTH + length);
        if (index == RingBuffer.INSUFFICIENT_CAPACITY)
        {
            recycle(slot);
            backPressured.increment();
            return BACK_PRESSURED;
        }
        slot.listener = listener;
        slot.records = records;
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putInt(index + LOG_ID_OFFSET, logId);
        buffer.putInt(index + SLOT_OFFSET, slot.index);
        buffer.putInt(index + EPOCH_OFFSET, epoch);
        buffer.putInt(index + FLAGS_OFFSET, flags);
        buffer.putLong(index + ARG_OFFSET, arg);
        if (length > 0)
        {
            buffer.putBytes(index + HEADER_LENGTH, src, offset, length);
        }
        ring.commit(index);
        wake();
        return ENQUEUED;
    }

    private void wake()
    {
        // Full fence: orders the ring commit (a release store) before reading the sleeping flag, the
        // other half of the writer's "set sleeping, fence, check ring" (Dekker style), so no wake-up is lost.
        VarHandle.fullFence();
        if (sleeping)
        {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public int doWork()
    {
        if (!working.compareAndSet(false, true))
        {
            throw new IllegalStateException("log writer " + name + " driven by two threads at once");
        }
        try
        {
            int work = ring.controlledRead(handler, MAX_MESSAGES_PER_DRAIN);
            if (!touched.isEmpty())
            {
                final Log[] current = logs;
                for (int i = 0; i < touched.size(); i++)
                {
                    final Log log = current[touched.getInt(i)];
                    if (log != null)
                    {
                        log.endCycle();
                    }
                }
                touched.clear();
            }
            final long now = nanoClock.nanoTime();
            for (final Log log : logs)
            {
                if (log != null)
                {
                    work += log.onTimer(now);
                }
            }
            return work;
        }
        finally
        {
            working.set(false);
        }
    }

    private ControlledMessageHandler.Action onMessage(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int logId = buffer.getInt(index + LOG_ID_OFFSET);
        final PendingAppend slot = slots[buffer.getInt(index + SLOT_OFFSET)];
        final Log[] current = logs;
        final Log log = logId < current.length ? current[logId] : null;
        if (log == null)
        {
            slot.result.reset();
            slot.result.fail(AppendResult.CLOSED, null);
            complete(slot);
            return ControlledMessageHandler.Action.CONTINUE;
        }
        if (!log.touched)
        {
            log.touched = true;
            touched.addInt(logId);
        }
        final int payload = index + HEADER_LENGTH;
        final int payloadLength = length - HEADER_LENGTH;
        switch (msgTypeId)
        {
            case APPEND_LEADER -> log.writeLeader(
                buffer, payload, payloadLength, buffer.getInt(index + EPOCH_OFFSET), buffer.getInt(index + FLAGS_OFFSET), slot);
            case APPEND_REPLICA -> log.writeReplica(buffer, payload, payloadLength, slot);
            case COMMAND -> log.runCommand(buffer.getInt(index + FLAGS_OFFSET), buffer.getLong(index + ARG_OFFSET), slot);
            default -> throw new IllegalStateException("unknown message type " + msgTypeId);
        }
        return log.breakDrain() ? ControlledMessageHandler.Action.BREAK : ControlledMessageHandler.Action.CONTINUE;
    }

    /**
     * Hands the result to the listener and recycles the slot.
     */
    void complete(final PendingAppend slot)
    {
        final AppendListener listener = slot.listener;
        slot.listener = null;
        try
        {
            if (listener != null)
            {
                listener.onAppendComplete(slot.result);
            }
        }
        finally
        {
            recycle(slot);
        }
    }

    /**
     * Writer thread: a log has just synced (see {@link #run}).
     */
    void onSynced()
    {
        synced = true;
    }

    /**
     * @return slots free now; every slot once nothing is pending.
     */
    int freeSlots()
    {
        return freeSlots.size();
    }

    /**
     * Returns a slot to the free queue. The queue holds every slot with room to spare, so a failed
     * offer is transient (a concurrent poll still releasing the cell): retry until it succeeds.
     * Ignoring the failure leaked slots until every append was back-pressured for good.
     */
    private void recycle(final PendingAppend slot)
    {
        while (!freeSlots.offer(slot))
        {
            Thread.yield();
        }
    }

    private void run()
    {
        try
        {
            int idleRounds = 0;
            while (!closed)
            {
                if (doWork() == 0)
                {
                    if (synced)
                    {
                        // After a group commit, park at once: the appenders it released come back
                        // within the wake-up delay and form the next group. Spinning would pick up
                        // the first alone and sync for it (4 threads under batch: -30% throughput).
                        synced = false;
                        idleRounds = IDLE_SPINS + IDLE_YIELDS;
                    }
                    idle(idleRounds);
                    idleRounds = Math.min(idleRounds + 1, IDLE_SPINS + IDLE_YIELDS);
                }
                else
                {
                    idleRounds = 0;
                }
            }
            // drain what was enqueued before close so no appender waits forever
            while (doWork() > 0)
            {
                Thread.onSpinWait();
            }
        }
        catch (final Throwable t)
        {
            fatal = t;
            closed = true;
            for (final Log log : logs)
            {
                if (log != null)
                {
                    log.failFromWriter(t);
                }
            }
            if (t instanceof Error)
            {
                // the logs of this writer are failed and can never append again: not a state to serve in
                fatalErrorHandler.onFatalError(Thread.currentThread().getName(), t);
            }
        }
    }

    /**
     * Backs off after an empty drain: spin, then yield, then park until woken. Parking costs a
     * wake-up (futex, context switch: tens of microseconds on a VM) on the next append, which a
     * blocking appender pays on every call when the writer parks between its appends.
     */
    private void idle(final int rounds)
    {
        if (rounds < IDLE_SPINS)
        {
            Thread.onSpinWait();
            return;
        }
        if (rounds < IDLE_SPINS + IDLE_YIELDS)
        {
            Thread.yield();
            return;
        }
        sleeping = true;
        // Full fence: the sleeping flag must be visible before we look at the ring (see wake()).
        VarHandle.fullFence();
        if (ring.size() > 0 || closed)
        {
            sleeping = false;
            return;
        }
        final long now = nanoClock.nanoTime();
        long parkNs = MAX_PARK_NS;
        for (final Log log : logs)
        {
            if (log != null)
            {
                final long deadline = log.timerDeadlineNs();
                if (deadline != Long.MAX_VALUE)
                {
                    parkNs = Math.min(parkNs, deadline - now);
                }
            }
        }
        if (parkNs > 0)
        {
            LockSupport.parkNanos(this, parkNs);
        }
        sleeping = false;
    }

    /**
     * @return the error that stopped the writer thread, or null.
     */
    Throwable fatalError()
    {
        return fatal;
    }

    boolean isWriterThread()
    {
        return Thread.currentThread() == thread;
    }

    @Override
    public String roleName()
    {
        return "tidemark-log-writer-" + name;
    }

    @Override
    public void close()
    {
        closed = true;
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
            if (t != Thread.currentThread())
            {
                boolean interrupted = false;
                while (t.isAlive())
                {
                    try
                    {
                        t.join();
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted = true;
                    }
                }
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
        else if (!working.get())
        {
            // invoker mode: drain what was enqueued (unless called from inside doWork, which drains anyway)
            while (doWork() > 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    boolean isClosed()
    {
        return closed;
    }
}
