package io.tidemark.engine;

/**
 * A slot for one append or command between the producer that enqueued it and the writer that
 * completes it. Slots are preallocated by the writer and recycled: no allocation per append.
 */
final class PendingAppend
{
    final int index;
    final AppendResult result = new AppendResult();
    AppendListener listener;
    int records;

    PendingAppend(final int index)
    {
        this.index = index;
    }
}
