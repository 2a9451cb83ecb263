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
 * <p>Only for the single-node broker without a controller quorum: the file dies with the log directory,
 * so a wiped disk restarts the count. With a quorum every broker answers InitProducerId and ids must be
 * unique across brokers and survive disk loss (two idempotent producers given the same id would fence
 * each other's epochs and, worse, one's batch could be answered as a "duplicate" of the other's with the
 * other's offsets: acknowledged, never appended), so the controller allocates the blocks there
 * ({@link ControllerProducerIdManager}).
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

    private final Storage storage;
    private final Path file;
    private long next;
    private long blockEnd;

    /**
     * @param storage the storage seam.
     * @param dir     the directory of the block file (the first log directory).
     * @throws UncheckedIOException if the file cannot be read.
     */
    public LocalProducerIdManager(final Storage storage, final Path dir)
    {
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
        return next++;
    }
}
