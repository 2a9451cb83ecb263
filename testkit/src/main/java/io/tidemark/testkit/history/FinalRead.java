package io.tidemark.testkit.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the logs finally contain, read after every fault was healed and the ISR is full: per partition the
 * log start offset, the end (the high watermark the read reached) and offset → value for every record in
 * between; optionally each replica's own log (from a dump tool) to check that replicas converged, and each
 * group's final committed offsets. Immutable once built.
 */
public final class FinalRead
{
    private final Map<Integer, PartitionLog> partitions;
    private final Map<Integer, Map<String, PartitionLog>> replicas;
    private final Map<String, Map<Integer, Long>> committed;

    private FinalRead(final Builder b)
    {
        final Map<Integer, PartitionLog> p = new TreeMap<>();
        b.partitions.forEach((k, v) -> p.put(k, v.build()));
        this.partitions = Collections.unmodifiableMap(p);
        final Map<Integer, Map<String, PartitionLog>> r = new TreeMap<>();
        b.replicas.forEach((k, v) ->
        {
            final Map<String, PartitionLog> byReplica = new LinkedHashMap<>();
            v.forEach((name, log) -> byReplica.put(name, log.build()));
            r.put(k, Collections.unmodifiableMap(byReplica));
        });
        this.replicas = Collections.unmodifiableMap(r);
        final Map<String, Map<Integer, Long>> c = new TreeMap<>();
        b.committed.forEach((k, v) -> c.put(k, Collections.unmodifiableMap(new TreeMap<>(v))));
        this.committed = Collections.unmodifiableMap(c);
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return every partition read, by partition. */
    public Map<Integer, PartitionLog> partitions()
    {
        return partitions;
    }

    /**
     * @param partition a partition.
     * @return its final log, or null if it was not read.
     */
    public PartitionLog partition(final int partition)
    {
        return partitions.get(partition);
    }

    /** @return per partition, each replica's log. */
    public Map<Integer, Map<String, PartitionLog>> replicas()
    {
        return replicas;
    }

    /** @return per group, per partition, the committed offset read at the end. */
    public Map<String, Map<Integer, Long>> committed()
    {
        return committed;
    }

    /**
     * One partition's (or one replica's) log: offsets in {@code [logStart, end)} with their values. Offsets
     * declared skipped (control records a consumer never sees) are not holes.
     */
    public static final class PartitionLog
    {
        private final long logStart;
        private final long end;
        private final long highWatermark;
        private final long[] offsets;
        private final long[] values;
        private final long[] skipped;

        PartitionLog(final long logStart, final long end, final long highWatermark, final long[] offsets,
            final long[] values, final long[] skipped)
        {
            this.logStart = logStart;
            this.end = end;
            this.highWatermark = highWatermark;
            this.offsets = offsets;
            this.values = values;
            this.skipped = skipped;
        }

        /** @return the log start offset: offsets below it are gone by retention, not lost. */
        public long logStart()
        {
            return logStart;
        }

        /** @return the end of what was read (exclusive): the high watermark, or a replica's log end offset. */
        public long end()
        {
            return end;
        }

        /** @return a replica's high watermark, or -1 if unknown (for the partition read: equals end). */
        public long highWatermark()
        {
            return highWatermark;
        }

        /** @return number of records. */
        public int size()
        {
            return offsets.length;
        }

        /**
         * @param i index, 0..size-1, in offset order.
         * @return the i-th record's offset.
         */
        public long offsetAt(final int i)
        {
            return offsets[i];
        }

        /**
         * @param i index, 0..size-1, in offset order.
         * @return the i-th record's value, or {@link Values#CORRUPT}.
         */
        public long valueAt(final int i)
        {
            return values[i];
        }

        /**
         * @param offset an offset.
         * @return the index of the record at that offset, or a negative number.
         */
        public int indexOf(final long offset)
        {
            return Arrays.binarySearch(offsets, offset);
        }

        /**
         * @param offset an offset.
         * @return true when a record (possibly corrupt) sits there.
         */
        public boolean has(final long offset)
        {
            return indexOf(offset) >= 0;
        }

        /**
         * @param from first offset (inclusive).
         * @param to   last offset (exclusive).
         * @return how many records lie in {@code [from, to)}.
         */
        public int countIn(final long from, final long to)
        {
            if (to <= from)
            {
                return 0;
            }
            return insertionPoint(to) - insertionPoint(from);
        }

        private int insertionPoint(final long offset)
        {
            final int i = Arrays.binarySearch(offsets, offset);
            return i >= 0 ? i : -i - 1;
        }

        /**
         * @param offset an offset.
         * @return true when it was declared skipped (a control record).
         */
        public boolean skipped(final long offset)
        {
            return Arrays.binarySearch(skipped, offset) >= 0;
        }

        /**
         * @param from first offset (inclusive).
         * @param to   last offset (exclusive).
         * @return the declared skipped offsets in {@code [from, to)}, ascending.
         */
        public long[] skippedIn(final long from, final long to)
        {
            int a = Arrays.binarySearch(skipped, from);
            a = a >= 0 ? a : -a - 1;
            int b = Arrays.binarySearch(skipped, to);
            b = b >= 0 ? b : -b - 1;
            return Arrays.copyOfRange(skipped, a, Math.max(a, b));
        }

        @Override
        public String toString()
        {
            return "log[" + logStart + ", " + end + ") " + offsets.length + " records";
        }
    }

    /** Collects a final read. Not thread-safe. */
    public static final class Builder
    {
        private final Map<Integer, LogBuilder> partitions = new TreeMap<>();
        private final Map<Integer, Map<String, LogBuilder>> replicas = new TreeMap<>();
        private final Map<String, Map<Integer, Long>> committed = new TreeMap<>();

        /**
         * Starts a partition's final read.
         *
         * @param partition      the partition.
         * @param logStartOffset its log start offset.
         * @param end            the offset the read stopped at (the high watermark), exclusive.
         * @return the partition's builder; add its records.
         */
        public LogBuilder partition(final int partition, final long logStartOffset, final long end)
        {
            final LogBuilder log = new LogBuilder(logStartOffset, end, end);
            if (partitions.putIfAbsent(partition, log) != null)
            {
                throw new IllegalArgumentException("partition " + partition + " read twice");
            }
            return log;
        }

        /**
         * Starts one replica's log, for the divergence check.
         *
         * @param partition      the partition.
         * @param replica        the replica's name (broker).
         * @param logStartOffset its log start offset.
         * @param logEndOffset   its log end offset.
         * @param highWatermark  its high watermark, or -1.
         * @return the replica's builder; add its records.
         */
        public LogBuilder replica(final int partition, final String replica, final long logStartOffset,
            final long logEndOffset, final long highWatermark)
        {
            final LogBuilder log = new LogBuilder(logStartOffset, logEndOffset, highWatermark);
            if (replicas.computeIfAbsent(partition, k -> new LinkedHashMap<>()).putIfAbsent(replica, log) != null)
            {
                throw new IllegalArgumentException("replica " + replica + " of partition " + partition + " added twice");
            }
            return log;
        }

        /**
         * @param group     a group.
         * @param partition a partition.
         * @param offset    the group's committed offset read at the end.
         * @return this.
         */
        public Builder committed(final String group, final int partition, final long offset)
        {
            committed.computeIfAbsent(group, k -> new TreeMap<>()).put(partition, offset);
            return this;
        }

        /** @return the final read. */
        public FinalRead build()
        {
            return new FinalRead(this);
        }
    }

    /** Collects one log's records, in any order. */
    public static final class LogBuilder
    {
        private final long logStart;
        private final long end;
        private final long highWatermark;
        private long[] offsets = new long[64];
        private long[] values = new long[64];
        private int size;
        private final List<Long> skipped = new ArrayList<>();

        LogBuilder(final long logStart, final long end, final long highWatermark)
        {
            if (logStart < 0 || end < logStart)
            {
                throw new IllegalArgumentException("bad range [" + logStart + ", " + end + ")");
            }
            this.logStart = logStart;
            this.end = end;
            this.highWatermark = highWatermark;
        }

        /**
         * @param offset the record's offset, in {@code [logStart, end)}.
         * @param value  its value, or {@link Values#CORRUPT}.
         * @return this.
         */
        public LogBuilder add(final long offset, final long value)
        {
            if (offset < logStart || offset >= end)
            {
                throw new IllegalArgumentException("offset " + offset + " outside the read range [" + logStart + ", " + end + ")");
            }
            if (size == offsets.length)
            {
                offsets = Arrays.copyOf(offsets, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            offsets[size] = offset;
            values[size] = value;
            size++;
            return this;
        }

        /**
         * @param offset the record's offset.
         * @param bytes  its value as read; decoded with {@link Values#decode(byte[])}.
         * @return this.
         */
        public LogBuilder addRaw(final long offset, final byte[] bytes)
        {
            return add(offset, Values.decode(bytes));
        }

        /**
         * @param offset an offset that holds no data record (e.g. a transaction marker): not a hole.
         * @return this.
         */
        public LogBuilder skip(final long offset)
        {
            skipped.add(offset);
            return this;
        }

        PartitionLog build()
        {
            final long[] o = Arrays.copyOf(offsets, size);
            final long[] v = Arrays.copyOf(values, size);
            if (!sorted(o))
            {
                sortTogether(o, v);
            }
            for (int i = 1; i < o.length; i++)
            {
                if (o[i] == o[i - 1])
                {
                    throw new IllegalArgumentException("offset " + o[i] + " added twice to one read: a read returns one "
                        + "value per offset; record conflicting observations as polls");
                }
            }
            final long[] s = skipped.stream().mapToLong(Long::longValue).sorted().toArray();
            return new PartitionLog(logStart, end, highWatermark, o, v, s);
        }

        private static boolean sorted(final long[] a)
        {
            for (int i = 1; i < a.length; i++)
            {
                if (a[i] < a[i - 1])
                {
                    return false;
                }
            }
            return true;
        }

        private static void sortTogether(final long[] keys, final long[] vals)
        {
            final Integer[] idx = new Integer[keys.length];
            for (int i = 0; i < idx.length; i++)
            {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Long.compare(keys[a], keys[b]));
            final long[] k2 = new long[keys.length];
            final long[] v2 = new long[keys.length];
            for (int i = 0; i < idx.length; i++)
            {
                k2[i] = keys[idx[i]];
                v2[i] = vals[idx[i]];
            }
            System.arraycopy(k2, 0, keys, 0, keys.length);
            System.arraycopy(v2, 0, vals, 0, vals.length);
        }
    }
}
