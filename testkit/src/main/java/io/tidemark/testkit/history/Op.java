package io.tidemark.testkit.history;

import java.util.List;

/**
 * One event of a {@link History}: the invocation or the completion of an operation by a process, in
 * Jepsen's terms. Immutable.
 *
 * <table>
 *   <caption>fields used by each function</caption>
 *   <tr><th>f</th><th>partition</th><th>value</th><th>offset</th><th>group</th><th>other</th></tr>
 *   <tr><td>SEND</td><td>target</td><td>the unique value</td><td>OK: the acknowledged offset, or -1 when unknown</td><td>-</td><td></td></tr>
 *   <tr><td>POLL</td><td>-</td><td>-</td><td>-</td><td>consumer group, or null</td><td>OK: records</td></tr>
 *   <tr><td>COMMIT</td><td>partition</td><td>-</td><td>the committed offset (next to consume)</td><td>group</td><td></td></tr>
 *   <tr><td>ASSIGN</td><td>-</td><td>-</td><td>-</td><td>group or null</td><td>partitions (the new assignment)</td></tr>
 *   <tr><td>SEEK</td><td>partition</td><td>-</td><td>the next offset to read</td><td>-</td><td></td></tr>
 *   <tr><td>FAULT</td><td>-</td><td>fault id</td><td>-</td><td>-</td><td>INVOKE: started, OK: healed; error = description</td></tr>
 * </table>
 *
 * @param index     position in the history (0, 1, 2, ...): real-time order.
 * @param timeNanos nanoseconds since the history started (monotonic clock).
 * @param type      invoke or completion kind.
 * @param f         the function.
 * @param process   the logical process (a producer or consumer instance; use a new one after recreating a client).
 * @param partition the partition, or -1.
 * @param value     the value, or -1.
 * @param offset    the offset, or -1.
 * @param group     the consumer group, or null.
 * @param records   what a POLL returned (OK only), or null.
 * @param partitions an ASSIGN's partitions, or null.
 * @param error     why a FAIL or INFO happened, a FAULT's description, or null.
 */
public record Op(long index, long timeNanos, Type type, Fn f, int process, int partition, long value, long offset,
    String group, PollRecords records, List<Integer> partitions, String error)
{
    /** Invocation or completion. */
    public enum Type
    {
        /** The operation began. */
        INVOKE,
        /** It definitely happened. */
        OK,
        /** It definitely did not happen (e.g. rejected before append). */
        FAIL,
        /** Unknown whether it happened (timeout, disconnect). */
        INFO
    }

    /** What the operation was. */
    public enum Fn
    {
        /** Produce one record. */
        SEND,
        /** Consume a batch. */
        POLL,
        /** Commit a group offset. */
        COMMIT,
        /** A new assignment of partitions to a consumer (assign() or a rebalance). */
        ASSIGN,
        /** A consumer moved its position. */
        SEEK,
        /** A fault began (INVOKE) or was healed (OK). */
        FAULT
    }

    /** @return a short human-readable form. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append('#').append(index).append(' ').append(String.format("%.3fs", timeNanos / 1e9)).append(" p").append(process)
            .append(' ').append(type).append(' ').append(f);
        if (partition >= 0)
        {
            sb.append(" partition=").append(partition);
        }
        if (value >= 0)
        {
            sb.append(" value=").append(value);
        }
        if (offset >= 0)
        {
            sb.append(" offset=").append(offset);
        }
        if (group != null)
        {
            sb.append(" group=").append(group);
        }
        if (partitions != null)
        {
            sb.append(" partitions=").append(partitions);
        }
        if (records != null)
        {
            sb.append(" records=").append(records.size() <= 8 ? records.toString() : records.size() + " records");
        }
        if (error != null)
        {
            sb.append(" (").append(error).append(')');
        }
        return sb.toString();
    }
}
