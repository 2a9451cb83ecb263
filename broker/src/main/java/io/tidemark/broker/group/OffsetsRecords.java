package io.tidemark.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The key and value format of the records the coordinator writes to {@code __consumer_offsets}. Every
 * record is a plain Kafka v2 record (uncompressed batch, no producer id); the log's order is the truth:
 * replaying a partition from its start, the last record of a key wins and a record with a null value
 * (tombstone) deletes the key. All integers are big-endian; a string is an int16 length (-1 for null)
 * then UTF-8 bytes; a byte array is an int32 length (-1 for null) then the bytes.
 *
 * <pre>
 *  key of a committed offset                key of a group's metadata
 *  +------------------+                     +------------------+
 *  | int16 type = 1   |                     | int16 type = 2   |
 *  | string group     |                     | string group     |
 *  | string topic     |                     +------------------+
 *  | int32 partition  |
 *  +------------------+
 *
 *  value of a committed offset (version 0)  value of a group's metadata (version 0)
 *  +---------------------------+            +------------------------------------------+
 *  | int16 version = 0         |            | int16 version = 0                        |
 *  | int64 offset              |            | string protocolType (null: none yet)     |
 *  | int32 leaderEpoch (-1)    |            | int32 generation                         |
 *  | string metadata           |            | string protocol (null between rebalances)|
 *  | int64 commitTimestampMs   |            | string leader (null when empty)          |
 *  +---------------------------+            | int64 stateTimestampMs                   |
 *                                           | int32 memberCount, then per member:      |
 *                                           |   string memberId                        |
 *                                           |   string groupInstanceId (null: dynamic) |
 *                                           |   string clientId, string clientHost     |
 *                                           |   int32 rebalanceTimeoutMs               |
 *                                           |   int32 sessionTimeoutMs                 |
 *                                           |   bytes subscription (chosen protocol)   |
 *                                           |   bytes assignment                       |
 *                                           +------------------------------------------+
 * </pre>
 *
 * A group's metadata is written when a rebalance completes (the leader's SyncGroup: members with their
 * assignments), when it becomes empty, and when a static member is replaced; a committed offset on every
 * OffsetCommit. DeleteGroups writes tombstones for the group's offsets and metadata; OffsetDelete for
 * the offsets named.
 */
public final class OffsetsRecords
{
    /** Key type of a committed offset. */
    public static final short OFFSET_KEY = 1;
    /** Key type of a group's metadata. */
    public static final short GROUP_KEY = 2;

    private OffsetsRecords()
    {
    }

    /**
     * A decoded key.
     *
     * @param type      {@link #OFFSET_KEY} or {@link #GROUP_KEY}.
     * @param group     the group.
     * @param topic     the topic (offset keys), else null.
     * @param partition the partition (offset keys), else -1.
     */
    public record Key(short type, String group, String topic, int partition)
    {
    }

    /**
     * A committed offset's value.
     *
     * @param offset            the offset committed.
     * @param leaderEpoch       the leader epoch of the last consumed record, or -1.
     * @param metadata          the client's metadata string.
     * @param commitTimestampMs when it was committed.
     */
    public record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestampMs)
    {
    }

    /**
     * One member in a group's metadata value.
     *
     * @param memberId           the member id.
     * @param groupInstanceId    the static instance id, or null.
     * @param clientId           the client id.
     * @param clientHost         the client host.
     * @param rebalanceTimeoutMs the rebalance timeout.
     * @param sessionTimeoutMs   the session timeout.
     * @param subscription       the member's metadata for the chosen protocol.
     * @param assignment         its assignment.
     */
    public record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
        int sessionTimeoutMs, byte[] subscription, byte[] assignment)
    {
    }

    /**
     * A group's metadata value.
     *
     * @param protocolType     the protocol type, or null.
     * @param generation       the generation.
     * @param protocol         the chosen protocol, or null.
     * @param leader           the leader's member id, or null.
     * @param stateTimestampMs when it was written.
     * @param members          the members.
     */
    public record GroupValue(String protocolType, int generation, String protocol, String leader, long stateTimestampMs,
        List<MemberValue> members)
    {
    }

    /**
     * @param group     the group.
     * @param topic     the topic.
     * @param partition the partition.
     * @return the key of a committed offset.
     */
    public static byte[] offsetKey(final String group, final String topic, final int partition)
    {
        final ByteBuffer b = ByteBuffer.allocate(2 + size(group) + size(topic) + 4);
        b.putShort(OFFSET_KEY);
        putString(b, group);
        putString(b, topic);
        b.putInt(partition);
        return b.array();
    }

    /**
     * @param group the group.
     * @return the key of a group's metadata.
     */
    public static byte[] groupKey(final String group)
    {
        final ByteBuffer b = ByteBuffer.allocate(2 + size(group));
        b.putShort(GROUP_KEY);
        putString(b, group);
        return b.array();
    }

    /**
     * @param v a committed offset.
     * @return its value bytes.
     */
    public static byte[] offsetValue(final OffsetValue v)
    {
        final ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + size(v.metadata()) + 8);
        b.putShort((short)0);
        b.putLong(v.offset());
        b.putInt(v.leaderEpoch());
        putString(b, v.metadata());
        b.putLong(v.commitTimestampMs());
        return b.array();
    }

    /**
     * @param v a group's metadata.
     * @return its value bytes.
     */
    public static byte[] groupValue(final GroupValue v)
    {
        int size = 2 + size(v.protocolType()) + 4 + size(v.protocol()) + size(v.leader()) + 8 + 4;
        for (final MemberValue m : v.members())
        {
            size += size(m.memberId()) + size(m.groupInstanceId()) + size(m.clientId()) + size(m.clientHost()) + 8 +
                4 + length(m.subscription()) + 4 + length(m.assignment());
        }
        final ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short)0);
        putString(b, v.protocolType());
        b.putInt(v.generation());
        putString(b, v.protocol());
        putString(b, v.leader());
        b.putLong(v.stateTimestampMs());
        b.putInt(v.members().size());
        for (final MemberValue m : v.members())
        {
            putString(b, m.memberId());
            putString(b, m.groupInstanceId());
            putString(b, m.clientId());
            putString(b, m.clientHost());
            b.putInt(m.rebalanceTimeoutMs());
            b.putInt(m.sessionTimeoutMs());
            putBytes(b, m.subscription());
            putBytes(b, m.assignment());
        }
        return b.array();
    }

    /**
     * @param key key bytes.
     * @return the key.
     * @throws IllegalArgumentException if it is not one of ours.
     */
    public static Key readKey(final byte[] key)
    {
        final ByteBuffer b = ByteBuffer.wrap(key);
        final short type = b.getShort();
        final String group = getString(b);
        return switch (type)
        {
            case OFFSET_KEY -> new Key(type, group, getString(b), b.getInt());
            case GROUP_KEY -> new Key(type, group, null, -1);
            default -> throw new IllegalArgumentException("unknown __consumer_offsets key type " + type);
        };
    }

    /**
     * @param value value bytes (not a tombstone).
     * @return the committed offset.
     */
    public static OffsetValue readOffsetValue(final byte[] value)
    {
        final ByteBuffer b = ByteBuffer.wrap(value);
        checkVersion(b.getShort());
        return new OffsetValue(b.getLong(), b.getInt(), getString(b), b.getLong());
    }

    /**
     * @param value value bytes (not a tombstone).
     * @return the group's metadata.
     */
    public static GroupValue readGroupValue(final byte[] value)
    {
        final ByteBuffer b = ByteBuffer.wrap(value);
        checkVersion(b.getShort());
        final String protocolType = getString(b);
        final int generation = b.getInt();
        final String protocol = getString(b);
        final String leader = getString(b);
        final long timestamp = b.getLong();
        final int count = b.getInt();
        final List<MemberValue> members = new ArrayList<>(Math.max(0, Math.min(count, 10_000)));
        for (int i = 0; i < count; i++)
        {
            members.add(new MemberValue(getString(b), getString(b), getString(b), getString(b), b.getInt(), b.getInt(), getBytes(b),
                getBytes(b)));
        }
        return new GroupValue(protocolType, generation, protocol, leader, timestamp, members);
    }

    private static void checkVersion(final short version)
    {
        if (version != 0)
        {
            throw new IllegalArgumentException("unknown __consumer_offsets value version " + version);
        }
    }

    private static int size(final String s)
    {
        return 2 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    private static int length(final byte[] bytes)
    {
        return bytes == null ? 0 : bytes.length;
    }

    private static void putString(final ByteBuffer b, final String s)
    {
        if (s == null)
        {
            b.putShort((short)-1);
            return;
        }
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException("string longer than " + Short.MAX_VALUE + " bytes");
        }
        b.putShort((short)bytes.length);
        b.put(bytes);
    }

    private static String getString(final ByteBuffer b)
    {
        final short length = b.getShort();
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void putBytes(final ByteBuffer b, final byte[] bytes)
    {
        if (bytes == null)
        {
            b.putInt(-1);
            return;
        }
        b.putInt(bytes.length);
        b.put(bytes);
    }

    private static byte[] getBytes(final ByteBuffer b)
    {
        final int length = b.getInt();
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }
}
