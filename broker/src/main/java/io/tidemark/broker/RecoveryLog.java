package io.tidemark.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.tidemark.engine.RecoveryReport;
import io.tidemark.engine.TopicPartition;
import io.tidemark.transport.LogText;

/**
 * The log lines that say what opening the logs repaired: one line per partition whose recovery truncated,
 * rebuilt or removed something (what, where and why, from {@link RecoveryReport}), none for the partitions
 * that opened as they were. Control characters are escaped by {@link LogText} ({@code \n}, {@code \r}, {@code \t},
 * {@code \\uXXXX}): topic names and paths come from clients, and a line must never forge another. Runs on
 * the thread starting the broker.
 */
final class RecoveryLog
{
    private RecoveryLog()
    {
    }

    /**
     * @param reports each partition's recovery report.
     * @return the lines to log, by partition; empty when nothing was repaired.
     */
    static List<String> lines(final Map<TopicPartition, RecoveryReport> reports)
    {
        final List<String> lines = new ArrayList<>();
        for (final Map.Entry<TopicPartition, RecoveryReport> e : new TreeMap<>(reports).entrySet())
        {
            final RecoveryReport r = e.getValue();
            if (r.truncations().isEmpty() && r.rebuiltIndexes().isEmpty() && r.notes().isEmpty())
            {
                continue;
            }
            final StringBuilder b = new StringBuilder("recovered ").append(e.getKey()).append(" (")
                .append(r.cleanShutdown() ? "clean shutdown" : "unclean shutdown, recovery point " + r.recoveryPoint()).append(')');
            for (final RecoveryReport.Truncation t : r.truncations())
            {
                b.append("; truncated ").append(t.segment().getFileName()).append(" at position ").append(t.position())
                    .append(" (expected offset ").append(t.expectedOffset()).append("): ").append(t.reason()).append(", ")
                    .append(t.bytesDropped()).append(" bytes dropped");
                if (t.segmentsDeleted() > 0)
                {
                    b.append(", ").append(t.segmentsDeleted()).append(" later segments deleted");
                }
                if (t.intactBatchesAfter())
                {
                    b.append(", intact-looking batches after it were never synced and were dropped");
                }
                if (t.corruption())
                {
                    b.append(", CORRUPTION in data known durable, truncated because log.recovery.truncate.on.corruption=true");
                }
            }
            for (final String rebuilt : r.rebuiltIndexes())
            {
                b.append("; rebuilt ").append(rebuilt);
            }
            for (final String note : r.notes())
            {
                b.append("; ").append(note);
            }
            b.append("; offsets now [").append(r.logStartOffset()).append(", ").append(r.logEndOffset()).append(')');
            lines.add(LogText.escape(b));
        }
        return lines;
    }
}
