package io.tidemark.engine.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A mapped region of a file. Closing unmaps it: nobody may touch {@link #buffer()} afterwards.
 */
public interface MappedRegion extends AutoCloseable
{
    /**
     * @return the memory of the region (position 0 is the region start).
     */
    ByteBuffer buffer();

    /**
     * Makes {@code [offset, offset + length)} of the region durable.
     *
     * @param offset first byte within the region.
     * @param length number of bytes.
     * @throws IOException if the sync failed.
     */
    void force(int offset, int length) throws IOException;

    /**
     * Unmaps the region.
     */
    @Override
    void close();
}
