package io.tidemark.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What opening a log found and did: which segments were validated, what was truncated where and
 * why, which indexes were rebuilt.
 *
 * @param dir                the partition directory.
 * @param cleanShutdown      true if the log was closed cleanly (nothing was validated).
 * @param recoveryPoint      offsets below it were known durable; validation started at its segment.
 * @param segmentsLoaded     segments in the log.
 * @param segmentsValidated  segments whose every batch was checked (CRC included).
 * @param batchesValidated   batches checked.
 * @param bytesValidated     bytes checked.
 * @param truncations        torn tails (or, if configured, corruption) cut off.
 * @param rebuiltIndexes     index files rebuilt, with the reason.
 * @param notes              other repairs: leftover temporary files removed, epoch cache rebuilt, ...
 * @param logStartOffset     log start offset after loading.
 * @param logEndOffset       log end offset after loading.
 * @param durationMs         time spent.
 */
public record RecoveryReport(
    Path dir,
    boolean cleanShutdown,
    long recoveryPoint,
    int segmentsLoaded,
    int segmentsValidated,
    long batchesValidated,
    long bytesValidated,
    List<Truncation> truncations,
    List<String> rebuiltIndexes,
    List<String> notes,
    long logStartOffset,
    long logEndOffset,
    long durationMs)
{
    /**
     * One cut.
     *
     * @param segment             the segment file.
     * @param position            byte position of the cut.
     * @param expectedOffset      offset the first dropped batch should have had.
     * @param reason              why the batch there was rejected.
     * @param bytesDropped        bytes removed from that segment (up to its end of data).
     * @param segmentsDeleted     later segments deleted.
     * @param intactBatchesAfter  true if an intact-looking batch followed the bad one (dropped: it was
     *                            never known durable and a power cut tears pages in any order).
     * @param corruption          true if the cut was in data known durable (only with
     *                            {@code recovery.truncate.on.corruption}).
     */
    public record Truncation(
        Path segment,
        long position,
        long expectedOffset,
        String reason,
        long bytesDropped,
        int segmentsDeleted,
        boolean intactBatchesAfter,
        boolean corruption)
    {
    }

    /**
     * @return true if anything was cut off.
     */
    public boolean truncated()
    {
        return !truncations.isEmpty();
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("recovery of ").append(dir).append(": ")
            .append(cleanShutdown ? "clean shutdown" : "no clean shutdown, recovery point " + recoveryPoint)
            .append(", ").append(segmentsLoaded).append(" segments, ").append(segmentsValidated).append(" validated (")
            .append(batchesValidated).append(" batches, ").append(bytesValidated).append(" bytes), offsets [")
            .append(logStartOffset).append(", ").append(logEndOffset).append("), ").append(durationMs).append(" ms");
        for (final Truncation t : truncations)
        {
            sb.append("\n  truncated ").append(t.segment().getFileName()).append(" at position ").append(t.position())
                .append(" (expected offset ").append(t.expectedOffset()).append("): ").append(t.reason())
                .append(", ").append(t.bytesDropped()).append(" bytes dropped");
            if (t.segmentsDeleted() > 0)
            {
                sb.append(", ").append(t.segmentsDeleted()).append(" later segments deleted");
            }
            if (t.intactBatchesAfter())
            {
                sb.append(", intact-looking batches after it were unsynced and dropped");
            }
            if (t.corruption())
            {
                sb.append(" [CORRUPTION in durable data, truncated by configuration]");
            }
        }
        for (final String r : rebuiltIndexes)
        {
            sb.append("\n  rebuilt ").append(r);
        }
        for (final String n : notes)
        {
            sb.append("\n  ").append(n);
        }
        return sb.toString();
    }
}
