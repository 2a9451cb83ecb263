package io.tidemark.transport;

/**
 * Work handed to a selector thread from any thread through its {@link TaskQueue}. Intrusive: the task is its
 * own queue node, so queueing allocates nothing. A task is queued at most once.
 */
abstract class LoopTask
{
    LoopTask nextTask;

    /**
     * Runs on the selector thread.
     */
    abstract void run(EventLoop loop);

    /**
     * Runs instead of {@link #run(EventLoop)} when the selector thread has stopped, on whichever thread found the
     * task: release what the task holds and report {@code error}.
     */
    abstract void fail(TransportException error);
}
