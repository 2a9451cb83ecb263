package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tidemark.replication.Partition;
import io.tidemark.replication.controller.PartitionInfo;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.history.Checker;
import io.tidemark.testkit.history.Contract;
import io.tidemark.testkit.history.FinalRead;
import io.tidemark.testkit.history.History;
import io.tidemark.testkit.history.PollRecords;
import io.tidemark.testkit.history.Report;
import io.tidemark.testkit.history.Values;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded faults against a three-broker cluster in one JVM under load from the official clients (an
 * idempotent acks=all producer, a consumer reading throughout), checked with the RELIABILITY §4 checker:
 * kill -9 of the leader, a power cut of one node (flush policy {@code none}: its unsynced pages tear), a
 * clean stop, each followed by a restart. The contract (acks=all, RF 3, min.insync.replicas 2): no
 * acknowledged record lost, none duplicated, order kept, nothing read that is later lost. A consumer-group
 * member commits what it processed after each poll (the coordinator moves with the faults): committed
 * offsets never go backwards and never pass a record no member had read (RELIABILITY §1, consumer groups).
 */
@Tag(Tags.INTEGRATION)
@Tag(Tags.FAULT)
class ClusterFaultTest
{
    private static final String TOPIC = "faults";
    private static final String GROUP = "faults-group";
    private static final int GROUP_MEMBER = 200;
    private static final int PARTITIONS = 2;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void shouldKeepTheAcksAllContractThroughCrashesPowerCutsAndRestarts() throws Exception
    {
        run(Seeds.seed("ClusterFaultTest"), 4);
    }

    @Test
    @Tag(Tags.SLOW)
    void shouldKeepTheAcksAllContractThroughALongFaultSchedule() throws Exception
    {
        run(Seeds.seed("ClusterFaultTest.long"), 15);
    }

    private enum Kind
    {
        CRASH_LEADER, POWER_CUT_ONE, POWER_CUT_LEADER, CLEAN_STOP
    }

    private void run(final long seed, final int rounds) throws Exception
    {
        System.out.println("ClusterFaultTest seed " + seed + ", " + rounds + " faults");
        final Random random = new Random(seed);
        final History history = new History();
        final AtomicBoolean stop = new AtomicBoolean();
        try (EmbeddedCluster cluster = EmbeddedCluster.builder(dir).brokers(3)
            .set("broker.session.timeout.ms", 2000)
            .set("broker.heartbeat.interval.ms", 200)
            .set("replica.lag.time.max.ms", 2000)
            .set("replica.fetch.wait.max.ms", 50)
            .set("replica.fetch.backoff.ms", 100)
            .set("log.segment.bytes", 4 * 1024 * 1024)
            .set("log.segment.preallocate.bytes", 256 * 1024)
            .set("offsets.topic.num.partitions", 3)
            .set("group.initial.rebalance.delay.ms", 0)
            .start())
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3).configs(Map.of("min.insync.replicas", "2")))).all().get();
            }
            Await.await("full ISRs", WAIT, () -> fullIsr(cluster));
            final Thread producer = new Thread(() -> produce(cluster, history, stop), "fault-test-producer");
            final Thread consumer = new Thread(() -> consume(cluster, history, stop), "fault-test-consumer");
            final Thread member = new Thread(() -> consumeInGroup(cluster, history, stop), "fault-test-group-member");
            producer.start();
            consumer.start();
            member.start();
            try
            {
                for (int round = 0; round < rounds; round++)
                {
                    final long sendsBefore = history.size();
                    Await.await("load before fault " + round, WAIT, () -> history.size() > sendsBefore + 200);
                    final Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                    final int partition = random.nextInt(PARTITIONS);
                    final int leader = cluster.leaderOf(TOPIC, partition);
                    final int victim = kind == Kind.CRASH_LEADER || kind == Kind.POWER_CUT_LEADER ? leader : random.nextInt(3);
                    final History.Fault fault = history.faultStarted(kind + " broker " + victim);
                    System.out.println("ClusterFaultTest round " + round + ": " + kind + " broker " + victim);
                    switch (kind)
                    {
                        case CRASH_LEADER -> cluster.crash(victim);
                        case POWER_CUT_ONE, POWER_CUT_LEADER -> cluster.powerCut(victim, random);
                        case CLEAN_STOP -> cluster.stop(victim);
                        default -> throw new IllegalStateException();
                    }
                    final long sendsDuring = history.size();
                    Await.await("load while broker " + victim + " is down", WAIT, () -> history.size() > sendsDuring + 100 ||
                        !leaderElsewhere(cluster, victim));
                    cluster.restart(victim);
                    Await.await("full ISRs after restarting broker " + victim, WAIT, () -> fullIsr(cluster));
                    fault.healed();
                }
            }
            finally
            {
                stop.set(true);
                producer.join(TimeUnit.SECONDS.toMillis(60));
                consumer.join(TimeUnit.SECONDS.toMillis(60));
                member.join(TimeUnit.SECONDS.toMillis(60));
            }
            final FinalRead finalRead = finalRead(cluster);
            final Report report = new Checker(Contract.acksAll().toBuilder().idempotent(true).build()).seed(seed).check(history, finalRead);
            System.out.println(report);
            assertTrue(report.acknowledged() > 0, "something was acknowledged");
            assertTrue(history.ops().stream().anyMatch(op -> op.f() == io.tidemark.testkit.history.Op.Fn.COMMIT &&
                op.type() == io.tidemark.testkit.history.Op.Type.OK), "the group member committed offsets");
            assertTrue(finalRead.committed().containsKey(GROUP), "the group's committed offsets were read back");
            assertTrue(report.valid(), "seed " + seed + ": " + report);
        }
    }

    private static boolean leaderElsewhere(final EmbeddedCluster cluster, final int down)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            final int leader = cluster.leaderOf(TOPIC, p);
            if (leader < 0 || leader == down)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean fullIsr(final EmbeddedCluster cluster)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            final PartitionInfo info = cluster.partition(TOPIC, p);
            if (info == null || info.leader() < 0 || info.isr().size() != 3)
            {
                return false;
            }
        }
        return true;
    }

    private static void produce(final EmbeddedCluster cluster, final History history, final AtomicBoolean stop)
    {
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 500);
        final Values.Sequence values = new Values.Sequence(1);
        final Semaphore inFlight = new Semaphore(200);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            while (!stop.get())
            {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final long value = values.next();
                final int partition = (int)Math.floorMod(value, (long)PARTITIONS);
                final History.Send send = history.invokeSend(1, partition, value);
                try
                {
                    producer.send(new ProducerRecord<>(TOPIC, partition, null, Values.encode(value)), (md, error) ->
                    {
                        inFlight.release();
                        if (error == null)
                        {
                            send.ok(md.offset());
                        }
                        else
                        {
                            send.info(error.toString()); // an idempotent producer gave up: it may or may not be in the log
                        }
                    });
                }
                catch (final RuntimeException e)
                {
                    inFlight.release();
                    send.fail(e.toString()); // refused before it was sent
                }
            }
            producer.flush();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final EmbeddedCluster cluster)
    {
        return consumer(cluster, Map.of());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final EmbeddedCluster cluster, final Map<String, Object> extra)
    {
        final Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(extra);
        return new KafkaConsumer<>(props);
    }

    private static List<TopicPartition> partitions()
    {
        final List<TopicPartition> tps = new java.util.ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            tps.add(new TopicPartition(TOPIC, p));
        }
        return tps;
    }

    private static void consume(final EmbeddedCluster cluster, final History history, final AtomicBoolean stop)
    {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster))
        {
            consumer.assign(partitions());
            consumer.seekToBeginning(partitions());
            while (!stop.get())
            {
                final History.Poll poll = history.invokePoll(100);
                try
                {
                    final PollRecords.Builder records = PollRecords.builder();
                    for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100)))
                    {
                        records.add(r.partition(), r.offset(), Values.decode(r.value()));
                    }
                    poll.ok(records.build());
                }
                catch (final RuntimeException e)
                {
                    poll.info(e.toString());
                }
            }
        }
    }

    /**
     * A group member that commits, after each poll, the position past every record it processed; its
     * assignments and commits go into the history.
     */
    private static void consumeInGroup(final EmbeddedCluster cluster, final History history, final AtomicBoolean stop)
    {
        final Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster, props))
        {
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener()
            {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
                {
                    // what was processed is committed after each poll already
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
                {
                    history.assign(GROUP_MEMBER, GROUP, partitions.stream().map(TopicPartition::partition).sorted().toList());
                }
            });
            while (!stop.get())
            {
                final History.Poll poll = history.invokePoll(GROUP_MEMBER, GROUP);
                final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
                try
                {
                    final PollRecords.Builder records = PollRecords.builder();
                    for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100)))
                    {
                        records.add(r.partition(), r.offset(), Values.decode(r.value()));
                        processed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    poll.ok(records.build());
                }
                catch (final RuntimeException e)
                {
                    poll.info(e.toString());
                    continue;
                }
                if (processed.isEmpty())
                {
                    continue;
                }
                final List<History.Commit> commits = new java.util.ArrayList<>();
                processed.forEach((tp, o) -> commits.add(history.invokeCommit(GROUP_MEMBER, GROUP, tp.partition(), o.offset())));
                try
                {
                    consumer.commitSync(processed, Duration.ofSeconds(10));
                    commits.forEach(History.Commit::ok);
                }
                catch (final CommitFailedException e)
                {
                    commits.forEach(c -> c.fail(e.toString())); // refused: the member was no longer in the generation
                }
                catch (final RuntimeException e)
                {
                    commits.forEach(c -> c.info(e.toString())); // timed out or interrupted: it may have been written
                }
            }
        }
    }

    private static Map<Integer, Long> committedOffsets(final EmbeddedCluster cluster) throws Exception
    {
        final Map<Integer, Long> committed = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers())))
        {
            admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .forEach((tp, o) ->
                {
                    if (o != null)
                    {
                        committed.put(tp.partition(), o.offset());
                    }
                });
        }
        return committed;
    }

    private static FinalRead finalRead(final EmbeddedCluster cluster) throws Exception
    {
        // every leader's high watermark has caught up with its log end: the committed log is all there is
        Await.await("high watermarks at the log ends", WAIT, () ->
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                final int leader = cluster.leaderOf(TOPIC, p);
                final Broker b = leader < 0 ? null : cluster.broker(leader);
                final io.tidemark.engine.TopicPartition tp = new io.tidemark.engine.TopicPartition(TOPIC, p);
                final Partition partition = b == null ? null : b.replicaManager().partition(tp);
                if (partition == null || partition.highWatermark() < b.logManager().log(tp).logEndOffset())
                {
                    return false;
                }
            }
            return true;
        });
        final FinalRead.Builder builder = FinalRead.builder();
        committedOffsets(cluster).forEach((p, offset) -> builder.committed(GROUP, p, offset));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster))
        {
            final List<TopicPartition> tps = partitions();
            consumer.assign(tps);
            final Map<TopicPartition, Long> starts = consumer.beginningOffsets(tps);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            final Map<Integer, FinalRead.LogBuilder> logs = new HashMap<>();
            for (final TopicPartition tp : tps)
            {
                logs.put(tp.partition(), builder.partition(tp.partition(), starts.get(tp), ends.get(tp)));
            }
            consumer.seekToBeginning(tps);
            Await.await("final read to " + ends, WAIT, () ->
            {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)))
                {
                    if (r.offset() < ends.get(new TopicPartition(TOPIC, r.partition())))
                    {
                        logs.get(r.partition()).add(r.offset(), Values.decode(r.value()));
                    }
                }
                for (final TopicPartition tp : tps)
                {
                    if (consumer.position(tp) < ends.get(tp))
                    {
                        return false;
                    }
                }
                return true;
            });
        }
        return builder.build();
    }
}
