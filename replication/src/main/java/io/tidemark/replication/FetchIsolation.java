package io.tidemark.replication;

/**
 * How far a fetch may read.
 */
public enum FetchIsolation
{
    /** Consumers: below the high watermark (committed records only). */
    HIGH_WATERMARK,
    /** Replicas: up to the log end offset. */
    LOG_END
}
