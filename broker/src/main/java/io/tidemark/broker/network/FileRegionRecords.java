package io.tidemark.broker.network;

import java.io.IOException;
import java.nio.channels.FileChannel;

import io.tidemark.engine.FileSlice;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.RecordsSend;

/**
 * Record batches that stay in a segment file: a {@link BaseRecords} the generated Kafka message classes
 * size and "write" like any records, while {@link SendWritable} turns it into a file region of the
 * transport's {@code Send}, sent with {@code transferTo} (zero copy). The slice's segment reference is
 * released when the send completes.
 */
public final class FileRegionRecords implements BaseRecords
{
    private final FileSlice slice;

    /**
     * @param slice whole batches of one segment; owned by the response from now on.
     */
    public FileRegionRecords(final FileSlice slice)
    {
        this.slice = slice;
    }

    /**
     * @return the slice.
     */
    public FileSlice slice()
    {
        return slice;
    }

    /**
     * @return the segment file.
     */
    public FileChannel channel()
    {
        return slice.channel();
    }

    /**
     * @return file position of the first byte.
     */
    public long position()
    {
        return slice.position();
    }

    @Override
    public int sizeInBytes()
    {
        return slice.length();
    }

    /**
     * Only used if someone serializes through Kafka's own {@code SendBuilder}; the broker uses {@link SendWritable}.
     */
    @Override
    public RecordsSend<FileRegionRecords> toSend()
    {
        return new RecordsSend<>(this, slice.length())
        {
            @Override
            protected int writeTo(final TransferableChannel channel, final int previouslyWritten, final int remaining)
                throws IOException
            {
                return (int)channel.transferFrom(slice.channel(), slice.position() + previouslyWritten, remaining);
            }
        };
    }

    @Override
    public String toString()
    {
        return "FileRegionRecords{" + slice + '}';
    }
}
