package io.tidemark.broker.config;

/**
 * The engine's per-process knobs.
 *
 * @param writerThreads            {@code log.writer.threads}.
 * @param writerRingBytes          {@code log.writer.ring.bytes}, 0 to size from {@code message.max.bytes}.
 * @param maxPendingAppends        {@code log.writer.max.pending}.
 * @param checkpointIntervalMs     {@code log.flush.offset.checkpoint.interval.ms}.
 * @param retentionCheckIntervalMs {@code log.retention.check.interval.ms}.
 */
public record LogWriterSettings(int writerThreads, int writerRingBytes, int maxPendingAppends, long checkpointIntervalMs,
    long retentionCheckIntervalMs)
{
}
