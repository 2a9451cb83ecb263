package io.tidemark.broker.network;

import java.nio.ByteBuffer;

import io.tidemark.transport.Send;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.UnalignedMemoryRecords;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * A Kafka {@link Writable} that builds a transport {@link Send}: primitives go into one heap buffer sized
 * exactly by {@code MessageSizeAccumulator.sizeExcludingZeroCopy()}; every zero-copy write (records,
 * zero-copy byte fields) cuts the heap written so far into a part and adds the referenced bytes as their
 * own part: a buffer, or a file region for {@link FileRegionRecords}.
 *
 * <pre>
 *   heap:  [hdr|fields...|len][fields...|len][fields...]
 *   parts:  slice 0, records A (file region), slice 1, records B (buffer), slice 2
 * </pre>
 */
final class SendWritable implements Writable
{
    private final ByteBuffer heap;
    private final Send.Builder builder;
    private int sliceStart;

    SendWritable(final int heapBytes, final Send.Builder builder)
    {
        this.heap = ByteBuffer.allocate(heapBytes);
        this.builder = builder;
    }

    @Override
    public void writeByte(final byte val)
    {
        heap.put(val);
    }

    @Override
    public void writeShort(final short val)
    {
        heap.putShort(val);
    }

    @Override
    public void writeInt(final int val)
    {
        heap.putInt(val);
    }

    @Override
    public void writeLong(final long val)
    {
        heap.putLong(val);
    }

    @Override
    public void writeDouble(final double val)
    {
        heap.putDouble(val);
    }

    @Override
    public void writeByteArray(final byte[] arr)
    {
        heap.put(arr);
    }

    @Override
    public void writeUnsignedVarint(final int i)
    {
        ByteUtils.writeUnsignedVarint(i, heap);
    }

    @Override
    public void writeVarint(final int i)
    {
        ByteUtils.writeVarint(i, heap);
    }

    @Override
    public void writeVarlong(final long i)
    {
        ByteUtils.writeVarlong(i, heap);
    }

    @Override
    public void writeByteBuffer(final ByteBuffer buf)
    {
        cut();
        if (buf.hasRemaining())
        {
            builder.add(buf.duplicate());
        }
    }

    @Override
    public void writeRecords(final BaseRecords records)
    {
        if (records instanceof FileRegionRecords region)
        {
            cut();
            if (region.sizeInBytes() > 0)
            {
                builder.addFileRegion(region.channel(), region.position(), region.sizeInBytes());
            }
        }
        else if (records instanceof MemoryRecords memory)
        {
            writeByteBuffer(memory.buffer());
        }
        else if (records instanceof UnalignedMemoryRecords unaligned)
        {
            writeByteBuffer(unaligned.buffer());
        }
        else
        {
            throw new UnsupportedOperationException("records of type " + records.getClass().getName());
        }
    }

    private void cut()
    {
        final int end = heap.position();
        if (end > sliceStart)
        {
            builder.add(heap.duplicate().position(sliceStart).limit(end).slice());
            sliceStart = end;
        }
    }

    /**
     * Adds the last heap slice and checks that the size computed up front was exactly used.
     *
     * @throws IllegalStateException if the message wrote fewer heap bytes than it declared.
     */
    void finish()
    {
        cut();
        if (heap.hasRemaining())
        {
            throw new IllegalStateException("response size mismatch: " + heap.remaining() + " of " + heap.capacity() +
                " heap bytes unused");
        }
    }
}
