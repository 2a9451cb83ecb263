package io.tidemark.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * An open file. Positional reads and writes only (no shared position), so it is safe to use from
 * several threads.
 */
public interface StorageFile extends Closeable
{
    /**
     * @return the file's path.
     */
    Path path();

    /**
     * @return the current size in bytes.
     * @throws IOException on failure.
     */
    long size() throws IOException;

    /**
     * @param dst      destination.
     * @param position file position.
     * @return bytes read, -1 at end of file.
     * @throws IOException on failure.
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Writes some bytes; may write fewer than remain (a short write), callers loop.
     *
     * @param src      source.
     * @param position file position.
     * @return bytes written.
     * @throws IOException on failure (ENOSPC included).
     */
    int write(ByteBuffer src, long position) throws IOException;

    /**
     * Sets the size: shrinking discards the tail; growing adds a hole (no blocks reserved).
     *
     * @param size new size.
     * @throws IOException on failure.
     */
    void setLength(long size) throws IOException;

    /**
     * Reserves real blocks for {@code [position, position + length)} by writing zeros, so that later
     * writes through a mapping cannot fail for lack of space (no SIGBUS). ENOSPC surfaces here as an
     * {@link IOException}.
     *
     * @param position first byte.
     * @param length   number of bytes.
     * @throws IOException on failure.
     */
    void allocate(long position, long length) throws IOException;

    /**
     * Makes every byte written so far (through writes or mappings) durable.
     *
     * @param metadata also sync metadata not needed to read the data back.
     * @throws IOException if the sync failed; the data's durability is then unknown.
     */
    void force(boolean metadata) throws IOException;

    /**
     * Maps a region of the file; mapping past the end grows the file with a hole.
     *
     * @param position first byte.
     * @param length   bytes to map (at most {@link Integer#MAX_VALUE}).
     * @param writable map read-write rather than read-only.
     * @return the mapping, to be closed (unmapped) by the caller.
     * @throws IOException on failure.
     */
    MappedRegion map(long position, long length, boolean writable) throws IOException;

    /**
     * @return a channel over the same file for {@link FileChannel#transferTo} by readers; it must not be
     *         closed by them and shares this file's lifetime.
     */
    FileChannel channel();
}
