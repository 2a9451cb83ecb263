package io.tidemark.engine.record;

import static io.tidemark.engine.record.RecordBatchDescriptor.*;
import static java.nio.ByteOrder.BIG_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A reusable view of one v2 record batch in a buffer (see {@link RecordBatchDescriptor} for the layout).
 * Wrapping copies nothing and allocates nothing; accessors read the buffer directly. The flyweight
 * does not check bounds beyond what {@link #validate} checks: validate before trusting a batch that
 * came from outside.
 *
 * <p>Not thread safe: one flyweight per thread.
 */
public final class RecordBatchFlyweight
{
    /** The batch is structurally sound and its CRC matches. */
    public static final int VALID = 0;
    /** Fewer bytes are available than the header or the declared length needs (a torn tail). */
    public static final int TRUNCATED = 1;
    /** The length field is below the minimum or above the allowed maximum. */
    public static final int BAD_LENGTH = 2;
    /** The magic byte is not 2. */
    public static final int BAD_MAGIC = 3;
    /** The CRC32C does not match the bytes. */
    public static final int BAD_CRC = 4;
    /** Record count, offset deltas or record framing are inconsistent. */
    public static final int BAD_RECORDS = 5;

    private static final String[] VALIDATION_NAMES =
        { "valid", "truncated", "bad length", "bad magic", "bad crc", "bad records" };

    private final Crc32cs crc = new Crc32cs();
    private final RecordFlyweight record = new RecordFlyweight();
    private DirectBuffer buffer;
    private int offset;

    /**
     * @param code a {@link #validate} result.
     * @return its name for messages.
     */
    public static String validationName(final int code)
    {
        return code >= 0 && code < VALIDATION_NAMES.length ? VALIDATION_NAMES[code] : "unknown(" + code + ")";
    }

    /**
     * @param buffer the buffer holding the batch.
     * @param offset where the batch starts.
     * @return this.
     */
    public RecordBatchFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * @return the wrapped buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the batch starts in the buffer.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return the first offset of the batch.
     */
    public long baseOffset()
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, BIG_ENDIAN);
    }

    /**
     * Assigns the base offset in place (outside the CRC).
     *
     * @param baseOffset the first offset.
     */
    public void baseOffset(final long baseOffset)
    {
        mutable().putLong(offset + BASE_OFFSET_OFFSET, baseOffset, BIG_ENDIAN);
    }

    /**
     * @return the length field: bytes after it.
     */
    public int batchLength()
    {
        return buffer.getInt(offset + LENGTH_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the whole batch size in bytes, header included.
     */
    public int sizeInBytes()
    {
        return batchLength() + LOG_OVERHEAD;
    }

    /**
     * @return the partition leader epoch stamped by the leader that appended the batch.
     */
    public int partitionLeaderEpoch()
    {
        return buffer.getInt(offset + PARTITION_LEADER_EPOCH_OFFSET, BIG_ENDIAN);
    }

    /**
     * Stamps the leader epoch in place (outside the CRC).
     *
     * @param epoch the leader epoch.
     */
    public void partitionLeaderEpoch(final int epoch)
    {
        mutable().putInt(offset + PARTITION_LEADER_EPOCH_OFFSET, epoch, BIG_ENDIAN);
    }

    /**
     * @return the magic byte.
     */
    public byte magic()
    {
        return buffer.getByte(offset + MAGIC_OFFSET);
    }

    /**
     * @return the stored CRC32C.
     */
    public int crc()
    {
        return buffer.getInt(offset + CRC_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the CRC32C computed over attributes to the end of the batch.
     */
    public int computeCrc()
    {
        return crc.compute(buffer, offset + ATTRIBUTES_OFFSET, sizeInBytes() - ATTRIBUTES_OFFSET);
    }

    /**
     * @return the attributes.
     */
    public short attributes()
    {
        return buffer.getShort(offset + ATTRIBUTES_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
     */
    public int compression()
    {
        return attributes() & COMPRESSION_MASK;
    }

    /**
     * @return true if the timestamps are log append time.
     */
    public boolean isLogAppendTime()
    {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    /**
     * @return true if the batch belongs to a transaction.
     */
    public boolean isTransactional()
    {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    /**
     * @return true for a control batch (transaction markers).
     */
    public boolean isControl()
    {
        return (attributes() & CONTROL_MASK) != 0;
    }

    /**
     * @return last offset minus base offset.
     */
    public int lastOffsetDelta()
    {
        return buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the last offset in the batch.
     */
    public long lastOffset()
    {
        return baseOffset() + lastOffsetDelta();
    }

    /**
     * @return the offset after the batch.
     */
    public long nextOffset()
    {
        return lastOffset() + 1;
    }

    /**
     * @return the base timestamp.
     */
    public long baseTimestamp()
    {
        return buffer.getLong(offset + BASE_TIMESTAMP_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the max timestamp.
     */
    public long maxTimestamp()
    {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the producer id, or -1.
     */
    public long producerId()
    {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the producer epoch, or -1.
     */
    public short producerEpoch()
    {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the base sequence, or -1.
     */
    public int baseSequence()
    {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET, BIG_ENDIAN);
    }

    /**
     * @return the sequence of the last record, wrapping at {@link Integer#MAX_VALUE} as Kafka does.
     */
    public int lastSequence()
    {
        final int base = baseSequence();
        if (base == NO_SEQUENCE)
        {
            return NO_SEQUENCE;
        }
        final long last = (long)base + lastOffsetDelta();
        return (int)(last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    /**
     * @return the number of records.
     */
    public int recordCount()
    {
        return buffer.getInt(offset + RECORDS_COUNT_OFFSET, BIG_ENDIAN);
    }

    /**
     * Positions {@code record} on the first record of this (uncompressed) batch.
     *
     * @param record the record flyweight to position.
     * @return false if the batch has no records or is compressed.
     */
    public boolean firstRecord(final RecordFlyweight record)
    {
        if (compression() != 0 || recordCount() <= 0)
        {
            return false;
        }
        return record.wrapFirst(this);
    }

    /**
     * Checks the batch without trusting any field: header bounds, length, magic, CRC and, for
     * uncompressed batches, the framing of every record and its offset delta.
     *
     * @param available     bytes available from the batch start.
     * @param maxBatchBytes the largest acceptable batch size in bytes.
     * @param strictOffsets true to require offset deltas 0..count-1 (producer appends); false to
     *                      accept the gaps a compacted log may carry (replica appends).
     * @return {@link #VALID} or one of the failure codes.
     */
    public int validate(final int available, final int maxBatchBytes, final boolean strictOffsets)
    {
        final int structural = validateHeader(available, maxBatchBytes);
        if (structural != VALID)
        {
            return structural;
        }
        if (crc() != computeCrc())
        {
            return BAD_CRC;
        }
        return validateRecords(strictOffsets);
    }

    /**
     * Checks only what does not need the CRC: enough bytes, a sane length, the magic.
     *
     * @param available     bytes available from the batch start.
     * @param maxBatchBytes the largest acceptable batch size in bytes.
     * @return {@link #VALID}, {@link #TRUNCATED}, {@link #BAD_LENGTH} or {@link #BAD_MAGIC}.
     */
    public int validateHeader(final int available, final int maxBatchBytes)
    {
        if (available < LOG_OVERHEAD)
        {
            return TRUNCATED;
        }
        final int length = batchLength();
        if (length < MIN_BATCH_LENGTH_FIELD || (long)length + LOG_OVERHEAD > maxBatchBytes)
        {
            return BAD_LENGTH;
        }
        if (available < HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        if (magic() != MAGIC_V2)
        {
            return BAD_MAGIC;
        }
        if ((long)length + LOG_OVERHEAD > available)
        {
            return TRUNCATED;
        }
        return VALID;
    }

    private int validateRecords(final boolean strictOffsets)
    {
        final int count = recordCount();
        final int lastOffsetDelta = lastOffsetDelta();
        if (count < 0 || lastOffsetDelta < 0)
        {
            return BAD_RECORDS;
        }
        if (strictOffsets && (count == 0 || lastOffsetDelta != count - 1))
        {
            return BAD_RECORDS;
        }
        if (!strictOffsets && count > 0 && lastOffsetDelta < count - 1)
        {
            return BAD_RECORDS;
        }
        if (compression() != 0)
        {
            return compression() > 4 ? BAD_RECORDS : VALID;
        }
        final int end = offset + sizeInBytes();
        int seen = 0;
        int previousDelta = -1;
        if (count > 0)
        {
            if (!record.wrapFirst(this))
            {
                return BAD_RECORDS;
            }
            do
            {
                final int delta = record.offsetDelta();
                if (strictOffsets ? delta != seen : delta <= previousDelta || delta > lastOffsetDelta)
                {
                    return BAD_RECORDS;
                }
                previousDelta = delta;
                seen++;
            }
            while (seen < count && record.next());
        }
        if (seen != count || record.malformed() || (count > 0 ? record.end() != end : RECORDS_OFFSET + offset != end))
        {
            return BAD_RECORDS;
        }
        return VALID;
    }

    private MutableDirectBuffer mutable()
    {
        return (MutableDirectBuffer)buffer;
    }

    /**
     * Rewrites the CRC after an in-place change of a covered field.
     */
    public void updateCrc()
    {
        mutable().putInt(offset + CRC_OFFSET, computeCrc(), BIG_ENDIAN);
    }

    /**
     * Sets log-append-time semantics: the timestamp type bit and the max timestamp, then the CRC.
     *
     * @param timestampMs the log append time.
     */
    public void stampLogAppendTime(final long timestampMs)
    {
        final MutableDirectBuffer b = mutable();
        b.putShort(offset + ATTRIBUTES_OFFSET, (short)(attributes() | TIMESTAMP_TYPE_MASK), BIG_ENDIAN);
        b.putLong(offset + MAX_TIMESTAMP_OFFSET, timestampMs, BIG_ENDIAN);
        updateCrc();
    }

    @Override
    public String toString()
    {
        return "RecordBatch{baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset() + ", size=" + sizeInBytes() +
            ", epoch=" + partitionLeaderEpoch() + ", count=" + recordCount() + ", compression=" + compression() +
            ", producerId=" + producerId() + ", producerEpoch=" + producerEpoch() + ", baseSequence=" + baseSequence() +
            ", maxTimestamp=" + maxTimestamp() + '}';
    }
}
