package io.tidemark.testkit.history;

/**
 * One anomaly found by the {@link Checker}.
 *
 * @param kind      what.
 * @param partition where, or -1.
 * @param offset    the offset concerned, or -1.
 * @param value     the value concerned, or -1.
 * @param process   the process concerned, or -1.
 * @param opIndex   the history event that shows it, or -1 (e.g. when only the final read shows it).
 * @param detail    a readable explanation with the evidence.
 */
public record Anomaly(AnomalyKind kind, int partition, long offset, long value, int process, long opIndex, String detail)
{
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(kind.name());
        if (partition >= 0)
        {
            sb.append(" p").append(partition);
            if (offset >= 0)
            {
                sb.append('@').append(offset);
            }
        }
        if (value >= 0)
        {
            sb.append(" value=").append(value);
        }
        if (process >= 0)
        {
            sb.append(" process=").append(process);
        }
        if (opIndex >= 0)
        {
            sb.append(" op#").append(opIndex);
        }
        return sb.append(": ").append(detail).toString();
    }
}
