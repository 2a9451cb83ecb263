package io.tidemark.broker.producer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.tidemark.engine.storage.AtomicFile;
import io.tidemark.engine.storage.Storage;

/**
 * Producer ids from blocks persisted in a file of the first log directory, like Kafka's
 * AllocateProducerIds blocks of 1000: the end of the current block is written (atomically, synced)
 * before any id of it is handed out, so after a crash or restart allocation resumes at the next block
 * and no id is ever reused (at most one block's unused ids are skipped).
 *
 * <p>In a cluster every broker answers InitProducerId, so ids must be unique across brokers, not only
 * within one: a node-aware manager hands out {@code local * NODE_STRIDE + nodeId} (the local counter is
 * the one persisted), so brokers with different node ids never share an id. Two idempotent producers
 * given the same id by two brokers would fence each other's epochs and, worse, one's batch could be
 * answered as a "duplicate" of the other's with the other's offsets: acknowledged, never appended.
 * (Kafka allocates blocks through the controller; this keeps the allocation local.)
 *
 * <pre>
 *   file "producer-id-block":  block.end=&lt;first id of the next block&gt;
 * </pre>
 */
public final class LocalProducerIdManager implements ProducerIdManager
{
    /** File name. */
    public static final String FILE_NAME = "producer-id-block";
    /** Ids per block. */
    public static final int BLOCK_SIZE = 1000;

    /** Node ids a node-aware manager accepts: 0 .. NODE_STRIDE - 1. */
    public static final int NODE_STRIDE = 1 << 16;

    private final Storage storage;
    private final Path file;
    private final long stride;
    private final int nodeId;
    private long next;
    private long blockEnd;

    /**
     * @param storage the storage seam.
     * @param dir     the directory of the block file (the first log directory).
     * @throws UncheckedIOException if the file cannot be read.
     */
    public LocalProducerIdManager(final Storage storage, final Path dir)
    {
        this(storage, dir, 1, 0);
    }

    /**
     * A manager whose ids no broker with another node id hands out.
     *
     * @param storage the storage seam.
     * @param dir     the directory of the block file (the first log directory).
     * @param nodeId  this broker's node id, 0 .. {@link #NODE_STRIDE} - 1.
     * @return the manager.
     */
    public static LocalProducerIdManager forNode(final Storage storage, final Path dir, final int nodeId)
    {
        if (nodeId < 0 || nodeId >= NODE_STRIDE)
        {
            throw new IllegalArgumentException("node.id " + nodeId + " not in 0.." + (NODE_STRIDE - 1) + " (producer id allocation)");
        }
        return new LocalProducerIdManager(storage, dir, NODE_STRIDE, nodeId);
    }

    private LocalProducerIdManager(final Storage storage, final Path dir, final long stride, final int nodeId)
    {
        this.stride = stride;
        this.nodeId = nodeId;
        this.storage = storage;
        this.file = dir.resolve(FILE_NAME);
        try
        {
            final byte[] bytes = AtomicFile.read(storage, file);
            long end = 0;
            if (bytes != null)
            {
                final String text = new String(bytes, StandardCharsets.UTF_8).trim();
                if (!text.startsWith("block.end="))
                {
                    throw new IOException(file + " is not a producer id block file: " + text);
                }
                end = Long.parseLong(text.substring("block.end=".length()).trim());
            }
            next = end;
            blockEnd = end;
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new UncheckedIOException(new IOException("cannot read " + file + ": " + ex.getMessage(), ex));
        }
    }

    @Override
    public synchronized long nextProducerId()
    {
        if (next >= blockEnd)
        {
            final long newEnd = blockEnd + BLOCK_SIZE;
            try
            {
                AtomicFile.write(storage, file, ("block.end=" + newEnd + "\n").getBytes(StandardCharsets.UTF_8));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot persist the producer id block ending at " + newEnd + " in " + file, ex);
            }
            next = blockEnd;
            blockEnd = newEnd;
        }
        return next++ * stride + nodeId;
    }
}
