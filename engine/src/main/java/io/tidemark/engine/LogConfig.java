package io.tidemark.engine;

import static io.tidemark.engine.ConfigException.requireRange;

/**
 * Configuration of one log (one partition). Immutable; validated on construction. Names in the
 * documentation are the topic-level keys the broker maps onto these fields.
 *
 * @param segmentBytes        {@code segment.bytes}: roll when the active segment would exceed this.
 * @param segmentMs           {@code segment.ms}: roll when the active segment's first batch is this old.
 * @param segmentIndexBytes   {@code segment.index.bytes}: the most an offset or time index may hold.
 * @param indexIntervalBytes  {@code index.interval.bytes}: bytes between sparse index entries.
 * @param maxBatchBytes       {@code max.message.bytes}: the largest record batch accepted.
 * @param flushPolicy         {@code flush.policy}: when written bytes are forced to disk.
 * @param retentionMs         {@code retention.ms}: delete segments whose newest record is older; -1 keeps all.
 * @param retentionBytes      {@code retention.bytes}: delete oldest segments while the log is larger; -1 keeps all.
 * @param preallocateBytes    {@code segment.preallocate.bytes}: blocks reserved ahead of the writer, in one step.
 * @param truncateOnCorruption {@code recovery.truncate.on.corruption}: on finding a corrupt batch in data
 *                            known to be durable, truncate there instead of failing to open.
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    int segmentIndexBytes,
    int indexIntervalBytes,
    int maxBatchBytes,
    FlushPolicy flushPolicy,
    long retentionMs,
    long retentionBytes,
    int preallocateBytes,
    boolean truncateOnCorruption)
{
    /** Default {@code segment.bytes}: 1 GiB. */
    public static final int DEFAULT_SEGMENT_BYTES = 1 << 30;
    /** Default {@code segment.ms}: 7 days. */
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 3600 * 1000;
    /** Default {@code segment.index.bytes}: 10 MiB. */
    public static final int DEFAULT_SEGMENT_INDEX_BYTES = 10 * 1024 * 1024;
    /** Default {@code index.interval.bytes}. */
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    /** Default {@code max.message.bytes}, as Kafka's. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 1024 * 1024 + 12;
    /** Default {@code retention.ms}: 7 days. */
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 3600 * 1000;
    /** Default {@code segment.preallocate.bytes}: 4 MiB (or the segment size if smaller). */
    public static final int DEFAULT_PREALLOCATE_BYTES = 4 * 1024 * 1024;
    /** Smallest segment size accepted. */
    public static final int MIN_SEGMENT_BYTES = 1024;

    /**
     * Validates every field and their relations.
     */
    public LogConfig
    {
        requireRange("segment.bytes", segmentBytes, MIN_SEGMENT_BYTES, Integer.MAX_VALUE);
        requireRange("segment.ms", segmentMs, 1, Long.MAX_VALUE);
        requireRange("segment.index.bytes", segmentIndexBytes, 24, Integer.MAX_VALUE);
        requireRange("index.interval.bytes", indexIntervalBytes, 0, Integer.MAX_VALUE);
        requireRange("max.message.bytes", maxBatchBytes, 61 + 7, segmentBytes);
        if (flushPolicy == null)
        {
            throw new ConfigException("flush.policy", null, "one of none, messages:N, interval:T, batch");
        }
        if (retentionMs != -1)
        {
            requireRange("retention.ms", retentionMs, 0, Long.MAX_VALUE);
        }
        if (retentionBytes != -1)
        {
            requireRange("retention.bytes", retentionBytes, 0, Long.MAX_VALUE);
        }
        requireRange("segment.preallocate.bytes", preallocateBytes, 4096, Math.max(4096, segmentBytes));
    }

    /**
     * @return a builder with the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding this configuration's values.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.segmentBytes = segmentBytes;
        b.segmentMs = segmentMs;
        b.segmentIndexBytes = segmentIndexBytes;
        b.indexIntervalBytes = indexIntervalBytes;
        b.maxBatchBytes = maxBatchBytes;
        b.flushPolicy = flushPolicy;
        b.retentionMs = retentionMs;
        b.retentionBytes = retentionBytes;
        b.preallocateBytes = preallocateBytes;
        b.truncateOnCorruption = truncateOnCorruption;
        return b;
    }

    /**
     * @return the defaults.
     */
    public static LogConfig defaults()
    {
        return builder().build();
    }

    /**
     * Builds a {@link LogConfig}; unset fields take the defaults.
     */
    public static final class Builder
    {
        private int segmentBytes = DEFAULT_SEGMENT_BYTES;
        private long segmentMs = DEFAULT_SEGMENT_MS;
        private int segmentIndexBytes = DEFAULT_SEGMENT_INDEX_BYTES;
        private int indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;
        private int maxBatchBytes = -1;
        private FlushPolicy flushPolicy = FlushPolicy.NONE;
        private long retentionMs = DEFAULT_RETENTION_MS;
        private long retentionBytes = -1;
        private int preallocateBytes = -1;
        private boolean truncateOnCorruption;

        private Builder()
        {
        }

        /**
         * @param v {@code segment.bytes}.
         * @return this.
         */
        public Builder segmentBytes(final int v)
        {
            segmentBytes = v;
            return this;
        }

        /**
         * @param v {@code segment.ms}.
         * @return this.
         */
        public Builder segmentMs(final long v)
        {
            segmentMs = v;
            return this;
        }

        /**
         * @param v {@code segment.index.bytes}.
         * @return this.
         */
        public Builder segmentIndexBytes(final int v)
        {
            segmentIndexBytes = v;
            return this;
        }

        /**
         * @param v {@code index.interval.bytes}.
         * @return this.
         */
        public Builder indexIntervalBytes(final int v)
        {
            indexIntervalBytes = v;
            return this;
        }

        /**
         * @param v {@code max.message.bytes}; by default the smaller of Kafka's default and the segment size.
         * @return this.
         */
        public Builder maxBatchBytes(final int v)
        {
            maxBatchBytes = v;
            return this;
        }

        /**
         * @param v {@code flush.policy}.
         * @return this.
         */
        public Builder flushPolicy(final FlushPolicy v)
        {
            flushPolicy = v;
            return this;
        }

        /**
         * @param v {@code retention.ms}.
         * @return this.
         */
        public Builder retentionMs(final long v)
        {
            retentionMs = v;
            return this;
        }

        /**
         * @param v {@code retention.bytes}.
         * @return this.
         */
        public Builder retentionBytes(final long v)
        {
            retentionBytes = v;
            return this;
        }

        /**
         * @param v {@code segment.preallocate.bytes}; by default the smaller of 4 MiB and the segment size.
         * @return this.
         */
        public Builder preallocateBytes(final int v)
        {
            preallocateBytes = v;
            return this;
        }

        /**
         * @param v {@code recovery.truncate.on.corruption}.
         * @return this.
         */
        public Builder truncateOnCorruption(final boolean v)
        {
            truncateOnCorruption = v;
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws ConfigException naming the first bad knob.
         */
        public LogConfig build()
        {
            final int batch = maxBatchBytes < 0 ? Math.min(DEFAULT_MAX_BATCH_BYTES, segmentBytes) : maxBatchBytes;
            final int prealloc = preallocateBytes < 0 ?
                Math.max(4096, Math.min(DEFAULT_PREALLOCATE_BYTES, segmentBytes)) : preallocateBytes;
            return new LogConfig(segmentBytes, segmentMs, segmentIndexBytes, indexIntervalBytes, batch,
                flushPolicy, retentionMs, retentionBytes, prealloc, truncateOnCorruption);
        }
    }
}
