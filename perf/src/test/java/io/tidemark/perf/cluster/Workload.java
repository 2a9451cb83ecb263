package io.tidemark.perf.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.testkit.history.FinalRead;
import io.tidemark.testkit.history.History;
import io.tidemark.testkit.history.PollRecords;
import io.tidemark.testkit.history.Values;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The RELIABILITY §4 workload over official kafka-clients: idempotent producers with acks=all, each a
 * thread sending unique {@link Values} at a fixed rate to seeded random partitions (pipelined: up to 5
 * requests in flight), one assign-reader polling every partition from the start, and one consumer-group
 * member committing, after each poll, the position past what it processed; every operation is recorded in a
 * {@link History}. {@link #finalRead} reads every partition to its high watermark at the end, with the
 * group's committed offsets.
 *
 * <p>Outcomes: a send's callback without error is {@code ok(offset)}; a callback error is {@code info}
 * (after retries and timeouts the record may still have been appended); a {@code send()} that throws
 * before the record reached the producer's buffer is {@code fail}.
 */
final class Workload
{
    /** The reader's process number in the history. */
    static final int READER = 1_000;
    /** The group member's process number in the history. */
    static final int MEMBER = 2_000;
    /** The group the member belongs to. */
    static final String GROUP = "workload-group";

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final History history;
    private final long seed;
    private final int producers;
    private final int ratePerProducer;
    private final AtomicBoolean producing = new AtomicBoolean();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicLong outstanding = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> crashes = new ArrayList<>();

    Workload(final String bootstrap, final String topic, final int partitions, final History history, final long seed,
        final int producers, final int ratePerProducer)
    {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.history = history;
        this.seed = seed;
        this.producers = producers;
        this.ratePerProducer = ratePerProducer;
    }

    /** Starts the producers and the reader. */
    void start()
    {
        producing.set(true);
        reading.set(true);
        for (int i = 0; i < producers; i++)
        {
            final int process = i;
            threads.add(thread("producer-" + i, () -> produce(process)));
        }
        threads.add(thread("group-member", this::consumeInGroup));
        threads.add(thread("reader", this::read));
        threads.forEach(Thread::start);
    }

    private Thread thread(final String name, final Runnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                synchronized (crashes)
                {
                    crashes.add(ex);
                }
            }
        }, "workload-" + name);
        t.setDaemon(true);
        return t;
    }

    private Properties producerProps(final int process)
    {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "workload-producer-" + process);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        // long enough that no record expires during a run: every send completes once the faults heal
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "2000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private void produce(final int process)
    {
        final Random random = new Random(seed * 31 + process);
        final Values.Sequence values = new Values.Sequence(process);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerProducer;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(process)))
        {
            long nextNs = System.nanoTime();
            while (producing.get())
            {
                final long value = values.next();
                final int partition = random.nextInt(partitions);
                final History.Send send = history.invokeSend(process, partition, value);
                outstanding.incrementAndGet();
                try
                {
                    producer.send(new ProducerRecord<>(topic, partition, null, Values.encode(value, random.nextInt(64))), (md, ex) ->
                    {
                        if (ex == null)
                        {
                            send.ok(md.offset());
                        }
                        else
                        {
                            send.info(ex.toString());
                        }
                        outstanding.decrementAndGet();
                    });
                }
                catch (final RuntimeException ex)
                {
                    // send() threw: the record never reached the producer's buffer
                    send.fail(ex.toString());
                    outstanding.decrementAndGet();
                }
                nextNs += intervalNs;
                final long waitNs = nextNs - System.nanoTime();
                if (waitNs > 0)
                {
                    LockSupport.parkNanos(waitNs); // pacing to a fixed rate, not synchronisation
                }
                else if (waitNs < -TimeUnit.SECONDS.toNanos(1))
                {
                    nextNs = System.nanoTime(); // blocked in send(): do not burst to catch up
                }
            }
            producer.flush();
        }
    }

    private Properties consumerProps(final String clientId)
    {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "2000");
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private List<TopicPartition> topicPartitions()
    {
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    private void read()
    {
        final List<TopicPartition> tps = topicPartitions();
        final Map<Integer, Long> next = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps("workload-reader")))
        {
            consumer.assign(tps);
            final List<Integer> ids = new ArrayList<>();
            tps.forEach(tp -> ids.add(tp.partition()));
            history.assign(READER, null, ids);
            for (final TopicPartition tp : tps)
            {
                consumer.seek(tp, 0);
                history.seek(READER, tp.partition(), 0);
                next.put(tp.partition(), 0L);
            }
            while (reading.get())
            {
                final History.Poll poll = history.invokePoll(READER);
                try
                {
                    final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                    final PollRecords.Builder b = PollRecords.builder();
                    for (final ConsumerRecord<byte[], byte[]> r : records)
                    {
                        b.addRaw(r.partition(), r.offset(), r.value());
                        next.put(r.partition(), r.offset() + 1);
                    }
                    poll.ok(b.build());
                }
                catch (final OffsetOutOfRangeException ex)
                {
                    poll.info(ex.toString());
                    // the position is beyond a new leader's log for now: read on from the same offset
                    for (final TopicPartition tp : ex.partitions())
                    {
                        final long offset = next.get(tp.partition());
                        consumer.seek(tp, offset);
                        history.seek(READER, tp.partition(), offset);
                    }
                }
                catch (final RuntimeException ex)
                {
                    poll.info(ex.toString());
                }
            }
        }
    }

    /**
     * Stops sending and waits until every send has completed (the faults are healed by now).
     *
     * @param timeout how long at most.
     * @return the number of sends still outstanding (0 when all completed).
     */
    long stopProducing(final Duration timeout) throws InterruptedException
    {
        producing.set(false);
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < producers; i++)
        {
            threads.get(i).join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
        }
        return outstanding.get();
    }

    /** Stops the reader and the group member. */
    void stopReading() throws InterruptedException
    {
        reading.set(false);
        threads.get(threads.size() - 1).join(30_000);
        threads.get(threads.size() - 2).join(30_000);
    }

    /**
     * A group member: subscribes, and after each poll commits the position past every record it processed.
     * Assignments and commits go into the history ({@code fail} when the commit was refused, {@code info}
     * when it timed out and may have been written).
     */
    private void consumeInGroup()
    {
        final Properties props = consumerProps("workload-member");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props))
        {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener()
            {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> revoked)
                {
                    // what was processed is committed after each poll already
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> assigned)
                {
                    history.assign(MEMBER, GROUP, assigned.stream().map(TopicPartition::partition).sorted().toList());
                }
            });
            while (reading.get())
            {
                final History.Poll poll = history.invokePoll(MEMBER, GROUP);
                final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
                try
                {
                    final PollRecords.Builder b = PollRecords.builder();
                    for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)))
                    {
                        b.addRaw(r.partition(), r.offset(), r.value());
                        processed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    poll.ok(b.build());
                }
                catch (final RuntimeException ex)
                {
                    poll.info(ex.toString());
                    continue;
                }
                if (!processed.isEmpty())
                {
                    commit(consumer, processed);
                }
            }
        }
    }

    private void commit(final KafkaConsumer<byte[], byte[]> consumer, final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        final List<History.Commit> commits = new ArrayList<>();
        offsets.forEach((tp, o) -> commits.add(history.invokeCommit(MEMBER, GROUP, tp.partition(), o.offset())));
        try
        {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
            commits.forEach(History.Commit::ok);
        }
        catch (final CommitFailedException ex)
        {
            commits.forEach(c -> c.fail(ex.toString()));
        }
        catch (final RuntimeException ex)
        {
            commits.forEach(c -> c.info(ex.toString()));
        }
    }

    /** @return what crashed a workload thread, if anything. */
    List<Throwable> crashes()
    {
        synchronized (crashes)
        {
            return new ArrayList<>(crashes);
        }
    }

    /**
     * Reads every partition from its log start to its high watermark with a fresh consumer.
     *
     * @param timeout how long at most.
     * @return the final read.
     */
    FinalRead finalRead(final Duration timeout)
    {
        final List<TopicPartition> tps = topicPartitions();
        final FinalRead.Builder read = FinalRead.builder();
        final Properties groupProps = consumerProps("workload-final-committed");
        groupProps.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP); // an OffsetFetch only: this consumer never joins
        try (KafkaConsumer<byte[], byte[]> offsets = new KafkaConsumer<>(groupProps))
        {
            offsets.committed(new HashSet<>(tps), Duration.ofSeconds(30)).forEach((tp, o) ->
            {
                if (o != null)
                {
                    read.committed(GROUP, tp.partition(), o.offset());
                }
            });
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps("workload-final-read")))
        {
            consumer.assign(tps);
            final Map<TopicPartition, Long> start = consumer.beginningOffsets(tps, Duration.ofSeconds(30));
            final Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
            final Map<Integer, FinalRead.LogBuilder> logs = new HashMap<>();
            for (final TopicPartition tp : tps)
            {
                logs.put(tp.partition(), read.partition(tp.partition(), start.get(tp), end.get(tp)));
                consumer.seek(tp, start.get(tp));
            }
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (!tps.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp)))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("final read did not reach the high watermarks " + end + " within " + timeout);
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)))
                {
                    final TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp))
                    {
                        logs.get(r.partition()).addRaw(r.offset(), r.value());
                    }
                }
            }
        }
        return read.build();
    }
}
