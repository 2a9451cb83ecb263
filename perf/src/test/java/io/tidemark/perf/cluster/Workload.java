package io.tidemark.perf.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * requests in flight), and one assign-reader polling every partition from the start; every operation is
 * recorded in a {@link History}. {@link #finalRead} reads every partition to its high watermark at the end.
 *
 * <p>Outcomes: a send's callback without error is {@code ok(offset)}; a callback error is {@code info}
 * (after retries and timeouts the record may still have been appended); a {@code send()} that throws
 * before the record reached the producer's buffer is {@code fail}.
 */
final class Workload
{
    /** The reader's process number in the history. */
    static final int READER = 1_000;

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

    /** Stops the reader. */
    void stopReading() throws InterruptedException
    {
        reading.set(false);
        threads.get(threads.size() - 1).join(30_000);
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
