package io.tidemark.engine.record;

/**
 * Layout of a Kafka v2 record batch (magic 2). All fixed-width fields are big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Base Offset (int64)                      |  0
 *  +---------------------------------------------------------------+
 *  |                   Batch Length (int32)                        |  8  bytes after this field
 *  +---------------------------------------------------------------+
 *  |               Partition Leader Epoch (int32)                  | 12
 *  +---------------+-----------------------------------------------+
 *  |  Magic (int8) |                CRC32C (uint32) ...            | 16 / 17
 *  +---------------+---------------+-------------------------------+
 *  | ... CRC32C    | Attributes (int16)            |               | 21
 *  +---------------+-------------------------------+               |
 *  |                  Last Offset Delta (int32)                    | 23
 *  +---------------------------------------------------------------+
 *  |                    Base Timestamp (int64)                     | 27
 *  +---------------------------------------------------------------+
 *  |                    Max Timestamp (int64)                      | 35
 *  +---------------------------------------------------------------+
 *  |                     Producer Id (int64)                       | 43
 *  +-------------------------------+-------------------------------+
 *  |   Producer Epoch (int16)      |  Base Sequence (int32) ...    | 51 / 53
 *  +-------------------------------+-------------------------------+
 *  |                     Records Count (int32)                     | 57
 *  +---------------------------------------------------------------+
 *  |                         Records ...                           | 61
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The CRC covers attributes to the end of the batch. Base offset and partition leader epoch are
 * outside it, which is why the log can assign both in place without re-encoding anything.
 *
 * <p>Attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp
 * type (0 create time, 1 log append time), bit 4 transactional, bit 5 control batch, bit 6 delete
 * horizon present.
 */
public final class RecordBatchDescriptor
{
    /** Offset of the int64 base offset. */
    public static final int BASE_OFFSET_OFFSET = 0;
    /** Offset of the int32 batch length (bytes that follow the length field). */
    public static final int LENGTH_OFFSET = 8;
    /** Offset of the int32 partition leader epoch. */
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    /** Offset of the int8 magic. */
    public static final int MAGIC_OFFSET = 16;
    /** Offset of the uint32 CRC32C. */
    public static final int CRC_OFFSET = 17;
    /** Offset of the int16 attributes; the CRC covers from here to the end. */
    public static final int ATTRIBUTES_OFFSET = 21;
    /** Offset of the int32 last offset delta. */
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    /** Offset of the int64 base timestamp. */
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    /** Offset of the int64 max timestamp. */
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    /** Offset of the int64 producer id. */
    public static final int PRODUCER_ID_OFFSET = 43;
    /** Offset of the int16 producer epoch. */
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    /** Offset of the int32 base sequence. */
    public static final int BASE_SEQUENCE_OFFSET = 53;
    /** Offset of the int32 records count. */
    public static final int RECORDS_COUNT_OFFSET = 57;
    /** Offset of the first record. */
    public static final int RECORDS_OFFSET = 61;

    /** Bytes of base offset and length that precede what the length field counts. */
    public static final int LOG_OVERHEAD = 12;
    /** Size of the header; the smallest possible batch. */
    public static final int HEADER_LENGTH = RECORDS_OFFSET;
    /** Smallest legal value of the batch length field. */
    public static final int MIN_BATCH_LENGTH_FIELD = HEADER_LENGTH - LOG_OVERHEAD;

    /** The only magic value this format has. */
    public static final byte MAGIC_V2 = 2;

    /** Compression codec mask of the attributes. */
    public static final int COMPRESSION_MASK = 0x07;
    /** Timestamp type bit: log append time when set. */
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    /** Transactional bit. */
    public static final int TRANSACTIONAL_MASK = 0x10;
    /** Control batch bit. */
    public static final int CONTROL_MASK = 0x20;

    /** Producer id of a batch written without idempotence. */
    public static final long NO_PRODUCER_ID = -1L;
    /** Producer epoch of a batch written without idempotence. */
    public static final short NO_PRODUCER_EPOCH = -1;
    /** Sequence of a batch written without idempotence. */
    public static final int NO_SEQUENCE = -1;
    /** Partition leader epoch when none is known. */
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    /** Timestamp when none is known. */
    public static final long NO_TIMESTAMP = -1L;

    private RecordBatchDescriptor()
    {
    }
}
