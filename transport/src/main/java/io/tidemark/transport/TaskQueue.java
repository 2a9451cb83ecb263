package io.tidemark.transport;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Intrusive multi-producer, single-consumer queue of {@link LoopTask}s: producers push onto a Treiber stack with
 * one CAS; the consumer takes the whole stack with one swap and reverses it, so tasks run in push order. Nothing
 * is allocated.
 *
 * <pre>
 *   producers ──CAS──► head ─► t3 ─► t2 ─► t1        drain(): swap(null), reverse ─► t1 ─► t2 ─► t3
 * </pre>
 */
final class TaskQueue
{
    private final AtomicReference<LoopTask> head = new AtomicReference<>();

    /**
     * @return true when the queue was empty, i.e. the consumer may need a wake-up.
     */
    boolean push(final LoopTask task)
    {
        LoopTask current;
        do
        {
            current = head.get();
            task.nextTask = current;
        }
        while (!head.compareAndSet(current, task)); // the CAS publishes the task's fields to the consumer

        return null == current;
    }

    /**
     * @return the queued tasks in push order, linked through {@link LoopTask#nextTask}, or null.
     */
    LoopTask drain()
    {
        LoopTask task = head.getAndSet(null);
        LoopTask reversed = null;
        while (null != task)
        {
            final LoopTask next = task.nextTask;
            task.nextTask = reversed;
            reversed = task;
            task = next;
        }
        return reversed;
    }

    boolean isEmpty()
    {
        return null == head.get();
    }
}
