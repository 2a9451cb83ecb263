package io.tidemark.engine;

/**
 * The answer to "the first record at or after this time".
 *
 * @param timestamp the record's timestamp (the batch's max timestamp when {@code exact} is false).
 * @param offset    its offset.
 * @param exact     false when the batch is compressed: {@code offset} is the batch's base offset and a
 *                  caller that can decompress should refine it.
 */
public record TimestampOffset(long timestamp, long offset, boolean exact)
{
}
