package io.tidemark.replication.controller.raft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

import io.tidemark.engine.TopicPartition;
import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.replication.controller.ProducerIdBlock;
import io.tidemark.replication.controller.ReplicaLogSummary;
import io.tidemark.replication.controller.TopicInfo;

/**
 * Binary forms of {@link ControllerOp}s and {@link ControllerResult}s (big-endian; maps written in key
 * order so equal values encode to equal bytes).
 *
 * <pre>
 *  op            := u8 tag, body
 *    1 NewTerm            i32 leaderId, i32 term, strMap defaults, i32 defaultPartitions, i16 defaultRf, i32 chunkBytes
 *    2 CreateTopic        reqId, str name, uuid topicId, i32 partitions, i16 rf, bool hasAssignment,
 *                         [i32 n, intList*n], strMap configs
 *    3 DeleteTopic        reqId, str name
 *    4 CreatePartitions   reqId, str name, i32 totalCount
 *    5 AlterConfigs       reqId, str name, i32 n, (str key, str value|null)*n
 *    6 RegisterBroker     reqId, broker, bool cleanShutdown, i32 n, (str topic, i32 partition, summary)*n
 *    7 FenceBroker        i32 brokerId, i64 brokerEpoch
 *    8 UnfenceBroker      i32 brokerId, i64 brokerEpoch
 *    9 AlterPartition     reqId, str topic, i32 partition, i32 leaderId, i32 leaderEpoch, i32 partitionEpoch,
 *                         intList newIsr, i32 n, (i32 broker, i64 epoch)*n
 *   10 ControlledShutdown reqId, i32 brokerId, i64 brokerEpoch
 *   11 ElectLeaders       reqId, bool preferred, i32 n, (str topic, intList)*n
 *   12 Validate           reqId, op (not itself a Validate)
 *   13 AllocateProducerIds reqId, i32 brokerId, i64 brokerEpoch
 *  reqId         := i64 session, i64 seq, i64 ackedBelow
 *  broker        := i32 id, i64 epoch, uuid incarnation, str host, i32 port, str rack|null, bool fenced, strMap endpoints
 *  result        := u8 tag, body
 *    1 Ok        u8 kind (0 none, 1 i64, 2 topic, 3 partition, 4 i32 n (str topic, i32 partition)*n,
 *                5 producer id block: i32 brokerId, i64 firstProducerId, i32 size), value
 *    2 Refused   str reason (enum name), str message
 *    3 Retry     i32 leaderHint, str message
 *  topic         := str name, uuid id, strMap configs, i32 n, partition*n
 *  partition     := i32 partition, intList replicas, intList isr, i32 leader, i32 leaderEpoch, i32 partitionEpoch,
 *                   intList elr, i32 n, summary*n
 *  summary       := i32 brokerId, i32 lastEpoch, i64 logEndOffset
 *  str           := i32 length (-1 = null), UTF-8 bytes;  intList := i32 n, i32*n;  strMap := i32 n, (str, str)*n
 * </pre>
 */
final class ControllerCodec
{
    private ControllerCodec()
    {
    }

    // ---------------------------------------------------------------------------------------------
    // operations
    // ---------------------------------------------------------------------------------------------

    static byte[] encodeOp(final ControllerOp op)
    {
        final WireWriter w = new WireWriter();
        writeOp(w, op);
        return w.toByteArray();
    }

    static ControllerOp decodeOp(final byte[] bytes)
    {
        return decode(new WireReader(bytes, "controller operation"), ControllerCodec::readOp);
    }

    /**
     * Runs a decoder that must consume every byte, turning any failure into a {@link CodecException}.
     */
    static <T> T decode(final WireReader r, final Function<WireReader, T> reader)
    {
        try
        {
            final T value = reader.apply(r);
            r.end();
            return value;
        }
        catch (final CodecException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // a record constructor refused a decoded value (bad topic name, null in a list, ...)
            throw r.error("invalid value: " + ex);
        }
    }

    static void writeOp(final WireWriter w, final ControllerOp op)
    {
        if (op instanceof ControllerOp.NewTerm o)
        {
            w.u8(1).i32(o.leaderId()).i32(o.term());
            writeStrMap(w, o.brokerDefaults());
            w.i32(o.defaultPartitions()).i16(o.defaultReplicationFactor()).i32(o.snapshotChunkBytes());
        }
        else if (op instanceof ControllerOp.CreateTopic o)
        {
            w.u8(2);
            writeId(w, o.id());
            w.string(o.name()).uuid(o.topicId()).i32(o.partitions()).i16(o.replicationFactor()).bool(o.assignment() != null);
            if (o.assignment() != null)
            {
                w.i32(o.assignment().size());
                for (final List<Integer> replicas : o.assignment())
                {
                    writeInts(w, replicas);
                }
            }
            writeStrMap(w, o.configs());
        }
        else if (op instanceof ControllerOp.DeleteTopic o)
        {
            w.u8(3);
            writeId(w, o.id());
            w.string(o.name());
        }
        else if (op instanceof ControllerOp.CreatePartitions o)
        {
            w.u8(4);
            writeId(w, o.id());
            w.string(o.name()).i32(o.totalCount());
        }
        else if (op instanceof ControllerOp.AlterConfigs o)
        {
            w.u8(5);
            writeId(w, o.id());
            w.string(o.name()).i32(o.changes().size());
            for (final Map.Entry<String, String> e : new TreeMap<>(o.changes()).entrySet())
            {
                w.string(e.getKey()).string(e.getValue());
            }
        }
        else if (op instanceof ControllerOp.RegisterBroker o)
        {
            w.u8(6);
            writeId(w, o.id());
            writeBroker(w, o.broker());
            w.bool(o.cleanShutdown()).i32(o.logSummaries().size());
            for (final Map.Entry<TopicPartition, ReplicaLogSummary> e : new TreeMap<>(o.logSummaries()).entrySet())
            {
                w.string(e.getKey().topic()).i32(e.getKey().partition());
                writeSummary(w, e.getValue());
            }
        }
        else if (op instanceof ControllerOp.FenceBroker o)
        {
            w.u8(7).i32(o.brokerId()).i64(o.brokerEpoch());
        }
        else if (op instanceof ControllerOp.UnfenceBroker o)
        {
            w.u8(8).i32(o.brokerId()).i64(o.brokerEpoch());
        }
        else if (op instanceof ControllerOp.AlterPartition o)
        {
            w.u8(9);
            writeId(w, o.id());
            w.string(o.topic()).i32(o.partition()).i32(o.leaderId()).i32(o.leaderEpoch()).i32(o.partitionEpoch());
            writeInts(w, o.newIsr());
            w.i32(o.brokerEpochs().size());
            for (final Map.Entry<Integer, Long> e : new TreeMap<>(o.brokerEpochs()).entrySet())
            {
                w.i32(e.getKey()).i64(e.getValue());
            }
        }
        else if (op instanceof ControllerOp.ControlledShutdown o)
        {
            w.u8(10);
            writeId(w, o.id());
            w.i32(o.brokerId()).i64(o.brokerEpoch());
        }
        else if (op instanceof ControllerOp.ElectLeaders o)
        {
            w.u8(11);
            writeId(w, o.id());
            w.bool(o.preferred()).i32(o.partitions().size());
            for (final Map.Entry<String, List<Integer>> e : new TreeMap<>(o.partitions()).entrySet())
            {
                w.string(e.getKey());
                writeInts(w, e.getValue());
            }
        }
        else if (op instanceof ControllerOp.AllocateProducerIds o)
        {
            w.u8(13);
            writeId(w, o.id());
            w.i32(o.brokerId()).i64(o.brokerEpoch());
        }
        else if (op instanceof ControllerOp.Validate o)
        {
            if (o.op() instanceof ControllerOp.Validate)
            {
                throw new IllegalArgumentException("nested Validate");
            }
            w.u8(12);
            writeId(w, o.id());
            writeOp(w, o.op());
        }
        else
        {
            throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    static ControllerOp readOp(final WireReader r)
    {
        return readOp(r, true);
    }

    private static ControllerOp readOp(final WireReader r, final boolean allowValidate)
    {
        final int tag = r.u8("operation tag");
        return switch (tag)
        {
            case 1 -> new ControllerOp.NewTerm(r.i32("leaderId"), r.i32("term"), readStrMap(r, "brokerDefaults"),
                r.i32("defaultPartitions"), r.i16("defaultReplicationFactor"), r.i32("snapshotChunkBytes", 1, RaftMessageCodec.MAX_CHUNK_BYTES));
            case 2 ->
            {
                final ControllerOp.RequestId id = readId(r);
                final String name = r.nonNullString("topic");
                final UUID topicId = r.uuid("topicId");
                final int partitions = r.i32("partitions");
                final short rf = r.i16("replicationFactor");
                List<List<Integer>> assignment = null;
                if (r.bool("hasAssignment"))
                {
                    final int n = r.count("assignment", 4);
                    assignment = new ArrayList<>(n);
                    for (int i = 0; i < n; i++)
                    {
                        assignment.add(readInts(r, "assignment replicas"));
                    }
                }
                yield new ControllerOp.CreateTopic(id, name, topicId, partitions, rf, assignment, readStrMap(r, "configs"));
            }
            case 3 -> new ControllerOp.DeleteTopic(readId(r), r.nonNullString("topic"));
            case 4 -> new ControllerOp.CreatePartitions(readId(r), r.nonNullString("topic"), r.i32("totalCount"));
            case 5 ->
            {
                final ControllerOp.RequestId id = readId(r);
                final String name = r.nonNullString("topic");
                final int n = r.count("changes", 8);
                final Map<String, String> changes = new TreeMap<>();
                for (int i = 0; i < n; i++)
                {
                    changes.put(r.nonNullString("config key"), r.string("config value"));
                }
                if (changes.size() != n)
                {
                    throw r.error("duplicate config key");
                }
                yield new ControllerOp.AlterConfigs(id, name, changes);
            }
            case 6 ->
            {
                final ControllerOp.RequestId id = readId(r);
                final BrokerInfo broker = readBroker(r);
                final boolean clean = r.bool("cleanShutdown");
                final int n = r.count("logSummaries", 24);
                final Map<TopicPartition, ReplicaLogSummary> summaries = new TreeMap<>();
                for (int i = 0; i < n; i++)
                {
                    summaries.put(new TopicPartition(r.nonNullString("topic"), r.i32("partition")), readSummary(r));
                }
                if (summaries.size() != n)
                {
                    throw r.error("duplicate partition in logSummaries");
                }
                yield new ControllerOp.RegisterBroker(id, broker, clean, summaries);
            }
            case 7 -> new ControllerOp.FenceBroker(r.i32("brokerId"), r.i64("brokerEpoch"));
            case 8 -> new ControllerOp.UnfenceBroker(r.i32("brokerId"), r.i64("brokerEpoch"));
            case 9 ->
            {
                final ControllerOp.RequestId id = readId(r);
                final String topic = r.nonNullString("topic");
                final int partition = r.i32("partition");
                final int leaderId = r.i32("leaderId");
                final int leaderEpoch = r.i32("leaderEpoch");
                final int partitionEpoch = r.i32("partitionEpoch");
                final List<Integer> isr = readInts(r, "newIsr");
                final int n = r.count("brokerEpochs", 12);
                final Map<Integer, Long> epochs = new HashMap<>();
                for (int i = 0; i < n; i++)
                {
                    epochs.put(r.i32("broker"), r.i64("brokerEpoch"));
                }
                if (epochs.size() != n)
                {
                    throw r.error("duplicate broker in brokerEpochs");
                }
                yield new ControllerOp.AlterPartition(id, topic, partition, leaderId, leaderEpoch, partitionEpoch, isr, epochs);
            }
            case 10 -> new ControllerOp.ControlledShutdown(readId(r), r.i32("brokerId"), r.i64("brokerEpoch"));
            case 11 ->
            {
                final ControllerOp.RequestId id = readId(r);
                final boolean preferred = r.bool("preferred");
                final int n = r.count("partitions", 8);
                final Map<String, List<Integer>> partitions = new TreeMap<>();
                for (int i = 0; i < n; i++)
                {
                    partitions.put(r.nonNullString("topic"), readInts(r, "partitions"));
                }
                if (partitions.size() != n)
                {
                    throw r.error("duplicate topic in partitions");
                }
                yield new ControllerOp.ElectLeaders(id, preferred, partitions);
            }
            case 12 ->
            {
                if (!allowValidate)
                {
                    throw r.error("a Validate cannot hold a Validate");
                }
                final ControllerOp.RequestId id = readId(r);
                final ControllerOp inner = readOp(r, false);
                if (inner instanceof ControllerOp.NewTerm)
                {
                    throw r.error("a Validate cannot hold " + inner.getClass().getSimpleName());
                }
                yield new ControllerOp.Validate(id, inner);
            }
            case 13 -> new ControllerOp.AllocateProducerIds(readId(r), r.i32("brokerId"), r.i64("brokerEpoch"));
            default -> throw r.error("unknown operation tag " + tag);
        };
    }

    private static void writeId(final WireWriter w, final ControllerOp.RequestId id)
    {
        w.i64(id.session()).i64(id.seq()).i64(id.ackedBelow());
    }

    private static ControllerOp.RequestId readId(final WireReader r)
    {
        return new ControllerOp.RequestId(r.i64("session"), r.i64("seq"), r.i64("ackedBelow"));
    }

    static void writeBroker(final WireWriter w, final BrokerInfo b)
    {
        w.i32(b.id()).i64(b.epoch()).uuid(b.incarnation()).string(b.host()).i32(b.port()).string(b.rack()).bool(b.fenced());
        writeStrMap(w, b.endpoints());
    }

    static BrokerInfo readBroker(final WireReader r)
    {
        return new BrokerInfo(r.i32("brokerId"), r.i64("brokerEpoch"), r.uuid("incarnation"), r.nonNullString("host"), r.i32("port"),
            r.string("rack"), r.bool("fenced"), readStrMap(r, "endpoints"));
    }

    static void writeInts(final WireWriter w, final List<Integer> values)
    {
        w.i32(values.size());
        for (final int v : values)
        {
            w.i32(v);
        }
    }

    static List<Integer> readInts(final WireReader r, final String field)
    {
        final int n = r.count(field, 4);
        final List<Integer> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            values.add(r.i32(field));
        }
        return values;
    }

    static void writeStrMap(final WireWriter w, final Map<String, String> map)
    {
        w.i32(map.size());
        for (final Map.Entry<String, String> e : new TreeMap<>(map).entrySet())
        {
            w.string(e.getKey()).string(e.getValue());
        }
    }

    static Map<String, String> readStrMap(final WireReader r, final String field)
    {
        final int n = r.count(field, 8);
        final Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++)
        {
            map.put(r.nonNullString(field + " key"), r.nonNullString(field + " value"));
        }
        if (map.size() != n)
        {
            throw r.error("duplicate key in " + field);
        }
        return map;
    }

    // ---------------------------------------------------------------------------------------------
    // results
    // ---------------------------------------------------------------------------------------------

    static byte[] encodeResult(final ControllerResult result)
    {
        final WireWriter w = new WireWriter();
        writeResult(w, result);
        return w.toByteArray();
    }

    static ControllerResult decodeResult(final byte[] bytes)
    {
        return decode(new WireReader(bytes, "controller result"), ControllerCodec::readResult);
    }

    static void writeResult(final WireWriter w, final ControllerResult result)
    {
        if (result instanceof ControllerResult.Ok ok)
        {
            w.u8(1);
            final Object v = ok.value();
            if (v == null)
            {
                w.u8(0);
            }
            else if (v instanceof Long l)
            {
                w.u8(1).i64(l);
            }
            else if (v instanceof TopicInfo t)
            {
                w.u8(2);
                writeTopic(w, t);
            }
            else if (v instanceof PartitionInfo p)
            {
                w.u8(3);
                writePartition(w, p);
            }
            else if (v instanceof ProducerIdBlock b)
            {
                w.u8(5).i32(b.brokerId()).i64(b.firstProducerId()).i32(b.size());
            }
            else
            {
                final List<?> list = (List<?>)v;
                w.u8(4).i32(list.size());
                for (final Object o : list)
                {
                    final TopicPartition tp = (TopicPartition)o;
                    w.string(tp.topic()).i32(tp.partition());
                }
            }
        }
        else if (result instanceof ControllerResult.Refused refused)
        {
            w.u8(2).string(refused.reason().name()).string(refused.message());
        }
        else
        {
            final ControllerResult.Retry retry = (ControllerResult.Retry)result;
            w.u8(3).i32(retry.leaderHint()).string(retry.message());
        }
    }

    static ControllerResult readResult(final WireReader r)
    {
        final int tag = r.u8("result tag");
        return switch (tag)
        {
            case 1 ->
            {
                final int kind = r.u8("value kind");
                yield switch (kind)
                {
                    case 0 -> ControllerResult.OK;
                    case 1 -> new ControllerResult.Ok(r.i64("value"));
                    case 2 -> new ControllerResult.Ok(readTopic(r));
                    case 3 -> new ControllerResult.Ok(readPartition(r));
                    case 4 ->
                    {
                        final int n = r.count("partitions", 8);
                        final List<TopicPartition> tps = new ArrayList<>(n);
                        for (int i = 0; i < n; i++)
                        {
                            tps.add(new TopicPartition(r.nonNullString("topic"), r.i32("partition")));
                        }
                        yield new ControllerResult.Ok(List.copyOf(tps));
                    }
                    case 5 -> new ControllerResult.Ok(new ProducerIdBlock(r.i32("brokerId"), r.i64("firstProducerId"), r.i32("size")));
                    default -> throw r.error("unknown value kind " + kind);
                };
            }
            case 2 ->
            {
                final String reason = r.nonNullString("reason");
                final ControllerException.Reason parsed;
                try
                {
                    parsed = ControllerException.Reason.valueOf(reason);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw r.error("unknown refusal reason " + reason);
                }
                yield new ControllerResult.Refused(parsed, r.string("message"));
            }
            case 3 -> new ControllerResult.Retry(r.i32("leaderHint"), r.string("message"));
            default -> throw r.error("unknown result tag " + tag);
        };
    }

    static void writeTopic(final WireWriter w, final TopicInfo t)
    {
        w.string(t.name()).uuid(t.id());
        writeStrMap(w, t.configs());
        w.i32(t.partitions().size());
        for (final PartitionInfo p : t.partitions())
        {
            writePartition(w, p);
        }
    }

    static TopicInfo readTopic(final WireReader r)
    {
        final String name = r.nonNullString("topic");
        final UUID id = r.uuid("topicId");
        final Map<String, String> configs = readStrMap(r, "configs");
        final int n = r.count("partitions", 32);
        final List<PartitionInfo> partitions = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            partitions.add(readPartition(r));
        }
        return new TopicInfo(name, id, configs, partitions);
    }

    static void writePartition(final WireWriter w, final PartitionInfo p)
    {
        w.i32(p.partition());
        writeInts(w, p.replicas());
        writeInts(w, p.isr());
        w.i32(p.leader()).i32(p.leaderEpoch()).i32(p.partitionEpoch());
        writeInts(w, p.elr());
        w.i32(p.recovery().size());
        for (final ReplicaLogSummary s : p.recovery())
        {
            writeSummary(w, s);
        }
    }

    static void writeSummary(final WireWriter w, final ReplicaLogSummary s)
    {
        w.i32(s.brokerId()).i32(s.lastEpoch()).i64(s.logEndOffset());
    }

    static ReplicaLogSummary readSummary(final WireReader r)
    {
        return new ReplicaLogSummary(r.i32("brokerId"), r.i32("lastEpoch"), r.i64("logEndOffset"));
    }

    static PartitionInfo readPartition(final WireReader r)
    {
        final int partition = r.i32("partition");
        final List<Integer> replicas = readInts(r, "replicas");
        final List<Integer> isr = readInts(r, "isr");
        final int leader = r.i32("leader");
        final int leaderEpoch = r.i32("leaderEpoch");
        final int partitionEpoch = r.i32("partitionEpoch");
        final List<Integer> elr = readInts(r, "elr");
        final int n = r.count("recovery", 16);
        final List<ReplicaLogSummary> recovery = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            recovery.add(readSummary(r));
        }
        return new PartitionInfo(partition, replicas, isr, leader, leaderEpoch, partitionEpoch, elr, recovery);
    }
}
