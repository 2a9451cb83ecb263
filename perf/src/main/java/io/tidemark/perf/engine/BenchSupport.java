package io.tidemark.perf.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.tidemark.engine.record.RecordBatchBuilder;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the benchmarks share: where their files go, record batches built once, preallocated files.
 */
final class BenchSupport
{
    /** Segment size for throughput runs: large enough that a roll is rare within an iteration. */
    static final int SEGMENT_BYTES = 256 * 1024 * 1024;

    private static final int ZERO_CHUNK = 1024 * 1024;

    private BenchSupport()
    {
    }

    /**
     * @param fs {@code disk} (ext4 or whatever backs /tmp) or {@code shm} (tmpfs: no device under it).
     * @param name a prefix for the directory.
     * @return a fresh empty directory.
     */
    static Path freshDir(final String fs, final String name)
    {
        final Path root = switch (fs)
        {
            case "disk" -> Path.of(System.getProperty("tidemark.bench.disk", "/tmp"));
            case "shm" -> Path.of(System.getProperty("tidemark.bench.shm", "/dev/shm"));
            default -> throw new IllegalArgumentException("fs must be disk or shm: " + fs);
        };
        try
        {
            return Files.createTempDirectory(root, "tidemark-" + name + "-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteRecursively(final Path dir)
    {
        if (dir == null || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Builds one v2 batch of {@code records} records, each with a null key and a value of
     * {@code valueBytes} bytes, into a fresh buffer.
     *
     * @return the buffer; the batch starts at 0 and fills it exactly.
     */
    static UnsafeBuffer batch(final int valueBytes, final int records)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(128 + records * (valueBytes + 32)));
        final RecordBatchBuilder builder = new RecordBatchBuilder(scratch);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[valueBytes]);
        for (int i = 0; i < valueBytes; i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
        final long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++)
        {
            if (!builder.append(now, null, 0, 0, value, 0, valueBytes))
            {
                throw new IllegalStateException("batch buffer too small");
            }
        }
        builder.build();
        final int size = builder.sizeInBytes();
        final UnsafeBuffer exact = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        exact.putBytes(0, scratch, builder.offset(), size);
        return exact;
    }

    /**
     * Creates a file of {@code bytes} zeros (written, not a hole: the same preallocation the engine
     * does) and maps it read-write.
     */
    static MappedByteBuffer preallocateAndMap(final Path file, final int bytes)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            writeZeros(channel, 0, bytes);
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void writeZeros(final FileChannel channel, final long from, final long length) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        long p = from;
        final long end = from + length;
        while (p < end)
        {
            zeros.clear().limit((int)Math.min(ZERO_CHUNK, end - p));
            while (zeros.hasRemaining())
            {
                p += channel.write(zeros, p);
            }
        }
    }

    /**
     * What a producer does when the log answers BACK_PRESSURED: give the core away (the writer needs
     * it on a 2-core machine) for about as long as the engine's own blocking path does.
     */
    static void backOff()
    {
        LockSupport.parkNanos(1_000);
    }

    static void unmap(final MappedByteBuffer buffer)
    {
        if (buffer != null)
        {
            IoUtil.unmap(buffer);
        }
    }
}
