package io.tidemark.engine;

import java.nio.file.Path;

/**
 * A record batch of a sealed segment found bad (its CRC32C or its structure), with the offsets it
 * stands for. Once known, the log never serves those offsets ({@link Log#slice} refuses them) until a
 * truncation removes them.
 *
 * <p>The range is taken from the segment's structure, not from the bad batch's own header (which may be
 * what is corrupt): it starts after the last good batch before it (or at the segment's base offset) and
 * ends before the next good batch after it (or before the next segment's base offset).
 *
 * @param topicPartition the partition.
 * @param segmentFile    the segment file.
 * @param position       the byte position of the bad batch in the file.
 * @param firstOffset    the first offset of the bad range.
 * @param lastOffset     the last offset of the bad range (inclusive).
 * @param reason         what is wrong, in words.
 */
public record CorruptBatch(TopicPartition topicPartition, Path segmentFile, long position, long firstOffset, long lastOffset,
    String reason)
{
    /**
     * @param first first offset of a range.
     * @param last  last offset of a range (inclusive).
     * @return true if this batch's range and {@code [first, last]} share an offset.
     */
    public boolean overlaps(final long first, final long last)
    {
        return firstOffset <= last && first <= lastOffset;
    }

    @Override
    public String toString()
    {
        return topicPartition + " segment " + segmentFile + " position " + position + " offsets " + firstOffset + ".." +
            lastOffset + ": " + reason;
    }
}
