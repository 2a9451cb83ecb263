package io.tidemark.perf.bench;

import java.util.Locale;

/**
 * One point of the sweep.
 *
 * @param policy            the flush policy ({@code none}, {@code messages:N}, {@code interval:T}, {@code batch}).
 * @param acks              {@code 1} or {@code all}.
 * @param replicationFactor replicas per partition.
 * @param recordSize        bytes of each record's value.
 */
public record Cell(String policy, String acks, int replicationFactor, int recordSize)
{
    /**
     * Checks the values.
     */
    public Cell
    {
        if (!"1".equals(acks) && !"all".equals(acks))
        {
            throw new IllegalArgumentException("acks must be 1 or all, not " + acks);
        }
        if (replicationFactor < 1)
        {
            throw new IllegalArgumentException("replication factor must be >= 1, not " + replicationFactor);
        }
        if (recordSize < Payload.HEADER_BYTES)
        {
            throw new IllegalArgumentException("record size must be >= " + Payload.HEADER_BYTES + " bytes, not " + recordSize);
        }
    }

    /**
     * @return a name safe for files, e.g. {@code interval-100_acks-all_rf3_100B}.
     */
    public String fileName()
    {
        return policy.replace(':', '-') + "_acks-" + acks + "_rf" + replicationFactor + "_" + recordSize + "B";
    }

    /**
     * @return a short label, e.g. {@code interval:100 acks=all rf=3 100 B}.
     */
    public String label()
    {
        return String.format(Locale.ROOT, "%s acks=%s rf=%d %s", policy, acks, replicationFactor, size(recordSize));
    }

    static String size(final int bytes)
    {
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }
}
