package io.tidemark.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.tidemark.engine.storage.Storage;

/**
 * Kafka's per-log-dir offset checkpoint ({@code recovery-point-offset-checkpoint},
 * {@code replication-offset-checkpoint}, {@code log-start-offset-checkpoint}): one
 * {@code topic partition offset} line per partition, replaced atomically.
 */
final class OffsetCheckpoint
{
    private final CheckpointFile file;

    OffsetCheckpoint(final Storage storage, final Path path)
    {
        this.file = new CheckpointFile(storage, path);
    }

    Path path()
    {
        return file.path();
    }

    void write(final Map<TopicPartition, Long> offsets) throws IOException
    {
        final List<String> lines = new ArrayList<>(offsets.size());
        for (final Map.Entry<TopicPartition, Long> e : new TreeMap<>(offsets).entrySet())
        {
            lines.add(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue());
        }
        file.write(lines);
    }

    /**
     * @return the offsets; empty if the file is missing.
     * @throws CheckpointFile.CorruptCheckpointException if it does not parse.
     */
    Map<TopicPartition, Long> read() throws IOException
    {
        final List<String> lines = file.read();
        final Map<TopicPartition, Long> result = new TreeMap<>();
        if (lines == null)
        {
            return result;
        }
        for (final String line : lines)
        {
            final String[] parts = line.trim().split("\\s+");
            if (parts.length != 3 || !TopicPartition.isValidTopic(parts[0]))
            {
                throw new CheckpointFile.CorruptCheckpointException(file.path(), "bad entry '" + line + "'");
            }
            try
            {
                result.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CheckpointFile.CorruptCheckpointException(file.path(), "bad entry '" + line + "'");
            }
        }
        return result;
    }
}
