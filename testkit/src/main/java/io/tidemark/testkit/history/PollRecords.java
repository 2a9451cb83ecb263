package io.tidemark.testkit.history;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one successful poll returned: records as (partition, offset, value), in the order received, and
 * optionally the high watermark each partition reported. A record whose bytes did not decode carries
 * {@link Values#CORRUPT}. Immutable once built.
 */
public final class PollRecords
{
    private static final PollRecords EMPTY = new PollRecords(new int[0], new long[0], new long[0], 0, Map.of());

    private final int[] partitions;
    private final long[] offsets;
    private final long[] values;
    private final int size;
    private final Map<Integer, Long> highWatermarks;

    private PollRecords(final int[] partitions, final long[] offsets, final long[] values, final int size,
        final Map<Integer, Long> highWatermarks)
    {
        this.partitions = partitions;
        this.offsets = offsets;
        this.values = values;
        this.size = size;
        this.highWatermarks = highWatermarks;
    }

    /** @return a poll that returned nothing. */
    public static PollRecords empty()
    {
        return EMPTY;
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return number of records. */
    public int size()
    {
        return size;
    }

    /**
     * @param i record index.
     * @return its partition.
     */
    public int partition(final int i)
    {
        return partitions[i];
    }

    /**
     * @param i record index.
     * @return its offset.
     */
    public long offset(final int i)
    {
        return offsets[i];
    }

    /**
     * @param i record index.
     * @return its value, or {@link Values#CORRUPT}.
     */
    public long value(final int i)
    {
        return values[i];
    }

    /**
     * @param partition a partition.
     * @return the high watermark the fetch reported for it, or -1 if not recorded.
     */
    public long highWatermark(final int partition)
    {
        final Long hw = highWatermarks.get(partition);
        return hw == null ? -1 : hw;
    }

    /** @return the recorded high watermarks by partition. */
    public Map<Integer, Long> highWatermarks()
    {
        return highWatermarks;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++)
        {
            sb.append(i == 0 ? "" : " ").append(partitions[i]).append('@').append(offsets[i]).append('=')
                .append(values[i] == Values.CORRUPT ? "CORRUPT" : Long.toString(values[i]));
        }
        if (!highWatermarks.isEmpty())
        {
            sb.append(" hw=").append(highWatermarks);
        }
        return sb.append(']').toString();
    }

    /** Collects one poll's records. Not thread-safe. */
    public static final class Builder
    {
        private int[] partitions = new int[16];
        private long[] offsets = new long[16];
        private long[] values = new long[16];
        private int size;
        private final Map<Integer, Long> highWatermarks = new TreeMap<>();

        /**
         * @param partition the record's partition.
         * @param offset    its offset.
         * @param value     its decoded value, or {@link Values#CORRUPT}.
         * @return this.
         */
        public Builder add(final int partition, final long offset, final long value)
        {
            if (size == offsets.length)
            {
                partitions = Arrays.copyOf(partitions, size * 2);
                offsets = Arrays.copyOf(offsets, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            partitions[size] = partition;
            offsets[size] = offset;
            values[size] = value;
            size++;
            return this;
        }

        /**
         * @param partition the record's partition.
         * @param offset    its offset.
         * @param bytes     the record value as received; decoded with {@link Values#decode(byte[])}.
         * @return this.
         */
        public Builder addRaw(final int partition, final long offset, final byte[] bytes)
        {
            return add(partition, offset, Values.decode(bytes));
        }

        /**
         * @param partition a partition of this poll.
         * @param hw        the high watermark the fetch response reported.
         * @return this.
         */
        public Builder highWatermark(final int partition, final long hw)
        {
            highWatermarks.put(partition, hw);
            return this;
        }

        /** @return the records. */
        public PollRecords build()
        {
            if (size == 0 && highWatermarks.isEmpty())
            {
                return EMPTY;
            }
            return new PollRecords(Arrays.copyOf(partitions, size), Arrays.copyOf(offsets, size),
                Arrays.copyOf(values, size), size, Map.copyOf(highWatermarks));
        }
    }
}
