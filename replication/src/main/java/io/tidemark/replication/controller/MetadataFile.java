package io.tidemark.replication.controller;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import io.tidemark.engine.storage.AtomicFile;
import io.tidemark.engine.storage.Storage;
import io.tidemark.engine.storage.StorageFile;

/**
 * The single-node controller's metadata on disk, written in place into disk space reserved ahead, so that
 * a change that does not grow the metadata (deleting a topic: the operator's way to free a full disk) needs
 * no new disk block and no new file.
 *
 * <h2>Layout</h2>
 * Two slot files, {@code tidemark-metadata.0} and {@code tidemark-metadata.1}, each:
 * <pre>
 *   0  int    magic 0x544D4431 ("TMD1")
 *   4  long   generation (the newer record has the higher one)
 *  12  int    payload length
 *  16  int    CRC32C of bytes [4, 16) and the payload
 *  20  bytes  payload ({@link MetadataImageCodec})
 *  ..  zeros  the reserve, up to the file's size (written as zeros, so that overwriting allocates nothing)
 * </pre>
 *
 * <h2>Writing and the crash story</h2>
 * A change first grows both slots (writes zeros past their records, then forces them) until each holds the
 * new record, with headroom; a disk too full for that fails the change before anything is written, and both
 * records stay as they were. Then the record goes over the older slot's record, in place, and is forced. A
 * crash during that write leaves a record whose CRC fails, and the other slot, the previous generation,
 * loads. As both slots always hold at least the current record's size, a change that does not grow the
 * metadata overwrites blocks already allocated. (On a copy-on-write file system, btrfs or ZFS, an overwrite
 * allocates anyway; there the reserve only makes running out less likely.)
 *
 * <h2>Loading</h2>
 * The valid record with the highest generation wins; with none, the file {@code tidemark-metadata} of
 * earlier versions (replaced atomically through {@link AtomicFile}) loads as generation 0 and is deleted
 * once a slot holds a newer one; its leftover {@code tidemark-metadata.tmp}, if any, is deleted at once.
 *
 * <p>Not thread-safe: the controller calls it under its lock.
 */
final class MetadataFile
{
    private static final int MAGIC = 0x544D4431;
    private static final int HEADER_BYTES = 20;
    private static final int MIN_CAPACITY = 16 * 1024;
    private static final int PAGE = 4096;

    private final Storage storage;
    private final Path legacy;
    private final Path[] slots;
    private int current = -1;
    private long generation;
    private boolean legacyPresent;

    /**
     * @param storage the storage seam.
     * @param dir     the directory.
     * @param name    the base name ({@code tidemark-metadata}).
     */
    MetadataFile(final Storage storage, final Path dir, final String name)
    {
        this.storage = storage;
        this.legacy = dir.resolve(name);
        this.slots = new Path[] {dir.resolve(name + ".0"), dir.resolve(name + ".1")};
    }

    /**
     * @return the newest metadata, or null if none was ever written.
     * @throws IOException if the files cannot be read.
     */
    byte[] load() throws IOException
    {
        final Path tmp = legacy.resolveSibling(legacy.getFileName() + AtomicFile.TMP_SUFFIX);
        if (storage.exists(tmp))
        {
            storage.delete(tmp);
        }
        byte[] newest = null;
        for (int i = 0; i < slots.length; i++)
        {
            final Record r = read(slots[i]);
            if (r != null && (newest == null || r.generation > generation))
            {
                newest = r.payload;
                generation = r.generation;
                current = i;
            }
        }
        legacyPresent = storage.exists(legacy);
        if (newest == null && legacyPresent)
        {
            newest = AtomicFile.read(storage, legacy);
            generation = 0;
        }
        return newest;
    }

    /**
     * Writes a new generation over the older slot (see the class comment).
     *
     * @param payload the encoded metadata.
     * @throws IOException on failure (a full disk included); the previous generation is then what loads.
     */
    void write(final byte[] payload) throws IOException
    {
        final int recordBytes = HEADER_BYTES + payload.length;
        final int target = current < 0 ? 0 : 1 - current;
        for (final int i : new int[] {target, 1 - target})
        {
            reserve(slots[i], recordBytes);
        }
        final ByteBuffer record = ByteBuffer.allocate(recordBytes);
        record.putInt(MAGIC).putLong(generation + 1).putInt(payload.length);
        final CRC32C crc = new CRC32C();
        crc.update(record.array(), 4, 12);
        crc.update(payload);
        record.putInt((int)crc.getValue()).put(payload).flip();
        try (StorageFile file = storage.open(slots[target], false))
        {
            long position = 0;
            while (record.hasRemaining())
            {
                position += file.write(record, position);
            }
            file.force(false);
        }
        generation++;
        current = target;
        if (legacyPresent)
        {
            try
            {
                storage.delete(legacy);
                storage.fsyncDirectory(legacy.getParent());
                legacyPresent = false;
            }
            catch (final IOException ex)
            {
                // the new generation is durable and wins over the old file at every load; deleting it is retried next time
            }
        }
    }

    /**
     * Grows a slot with zeros until it holds {@code recordBytes} with headroom; nothing if it already does.
     */
    private void reserve(final Path slot, final int recordBytes) throws IOException
    {
        final boolean created = !storage.exists(slot);
        try (StorageFile file = storage.open(slot, true))
        {
            final long size = file.size();
            if (size >= recordBytes)
            {
                return;
            }
            final long capacity = Math.max(MIN_CAPACITY, ((2L * recordBytes + PAGE - 1) / PAGE) * PAGE);
            final ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            long position = size;
            while (position < capacity)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), capacity - position));
                while (zeros.hasRemaining())
                {
                    position += file.write(zeros, position);
                }
            }
            file.force(true);
        }
        if (created)
        {
            storage.fsyncDirectory(slot.getParent());
        }
    }

    private Record read(final Path slot) throws IOException
    {
        if (!storage.exists(slot))
        {
            return null;
        }
        try (StorageFile file = storage.open(slot, false))
        {
            final long size = file.size();
            if (size < HEADER_BYTES)
            {
                return null;
            }
            final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            readFully(file, header, 0);
            header.flip();
            final int magic = header.getInt();
            final long gen = header.getLong();
            final int length = header.getInt();
            final int expected = header.getInt();
            if (magic != MAGIC || length < 0 || length > size - HEADER_BYTES || length > AtomicFile.MAX_BYTES)
            {
                return null;
            }
            final ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(file, payload, HEADER_BYTES);
            final CRC32C crc = new CRC32C();
            crc.update(header.array(), 4, 12);
            crc.update(payload.array());
            return (int)crc.getValue() == expected ? new Record(gen, payload.array()) : null;
        }
    }

    private static void readFully(final StorageFile file, final ByteBuffer dst, final long from) throws IOException
    {
        long position = from;
        while (dst.hasRemaining())
        {
            final int n = file.read(dst, position);
            if (n <= 0)
            {
                throw new IOException(file.path() + ": ends at " + position + " inside a record");
            }
            position += n;
        }
    }

    private record Record(long generation, byte[] payload)
    {
    }
}
