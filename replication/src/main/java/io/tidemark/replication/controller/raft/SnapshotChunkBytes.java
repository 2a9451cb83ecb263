package io.tidemark.replication.controller.raft;

import java.util.Arrays;

/**
 * One chunk of a controller snapshot as MicroRaft carries it ({@code SnapshotChunk.getOperation()}):
 * a slice of the canonical snapshot bytes, so the chunks of a snapshot at a given index are the same
 * bytes on every voter (followers may serve them too).
 *
 * @param bytes the slice (not copied; never modified after creation).
 */
record SnapshotChunkBytes(byte[] bytes)
{
    @Override
    public boolean equals(final Object o)
    {
        return o instanceof SnapshotChunkBytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString()
    {
        return "SnapshotChunkBytes{" + bytes.length + " bytes}";
    }
}
