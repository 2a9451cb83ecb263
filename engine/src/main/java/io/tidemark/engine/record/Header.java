package io.tidemark.engine.record;

import java.util.Objects;

/**
 * A record header for the convenience (allocating) side of {@link RecordBatchBuilder}.
 *
 * @param key   header key, not null.
 * @param value header value, may be null.
 */
public record Header(String key, byte[] value)
{
    /**
     * Validates the key.
     */
    public Header
    {
        Objects.requireNonNull(key, "key");
    }
}
