package io.tidemark.perf.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces the lab's workload with one official kafka-clients producer, from the calling thread.
 *
 * <pre>
 *  closed loop (rate 0): send as fast as the producer takes records, at most MAX_OUTSTANDING unacknowledged;
 *                        latency = send call to acknowledgement (includes queueing in the client)
 *  open loop (rate R):   record i is due at start + i/R; latency = due time to acknowledgement, so a stall
 *                        is charged to every record it delays (no coordinated omission)
 * </pre>
 *
 * Latencies are recorded in microseconds. Acknowledged records go to an {@link AckLedger} if one is given.
 */
final class LoadGenerator implements AutoCloseable
{
    /** The most unacknowledged records (bounds the closed loop's client-side queue). */
    static final int MAX_OUTSTANDING = 8192;
    /** Highest latency the histograms track, in microseconds. */
    static final long MAX_LATENCY_US = TimeUnit.SECONDS.toMicros(120);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] filler;
    private final AckLedger ledger;
    private final Semaphore window = new Semaphore(MAX_OUTSTANDING);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private volatile boolean stopped;
    private long nextId;

    /**
     * @param bootstrap  bootstrap servers.
     * @param topic      the topic.
     * @param cell       acks and record size.
     * @param lingerMs   the producer's {@code linger.ms}.
     * @param seed       seeds the filler bytes.
     * @param ledger     where acknowledgements go, or null.
     * @param maxBlockMs the producer's {@code max.block.ms} (short when a power cut is coming).
     */
    LoadGenerator(final String bootstrap, final String topic, final Cell cell, final int lingerMs, final long seed, final AckLedger ledger,
        final int maxBlockMs)
    {
        this.topic = topic;
        this.filler = Payload.filler(cell.recordSize(), seed);
        this.ledger = ledger;
        final Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, cell.acks());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf("all".equals(cell.acks())));
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "tidemark-bench-producer");
        this.producer = new KafkaProducer<>(props);
    }

    /**
     * Sends until {@code untilNanos} (or {@link #stop()}).
     *
     * @param rate       records per second; 0 for the closed loop.
     * @param untilNanos {@code System.nanoTime()} to stop at.
     * @param recorder   latencies in microseconds, or null.
     * @return records sent.
     */
    long run(final double rate, final long untilNanos, final Recorder recorder)
    {
        final long start = System.nanoTime();
        final double intervalNs = rate > 0 ? 1e9 / rate : 0;
        long sent = 0;
        while (!stopped)
        {
            final long due;
            if (rate > 0)
            {
                due = start + (long)(sent * intervalNs);
                if (due >= untilNanos)
                {
                    break;
                }
                waitUntil(due);
            }
            else
            {
                due = System.nanoTime();
                if (due >= untilNanos)
                {
                    break;
                }
            }
            if (!acquire())
            {
                break;
            }
            final long id = nextId++;
            try
            {
                producer.send(new ProducerRecord<>(topic, null, Payload.value(filler, id, due)), new Ack(id, due, recorder));
            }
            catch (final RuntimeException ex)
            {
                window.release();
                failed(ex);
            }
            sent++;
        }
        return sent;
    }

    private boolean acquire()
    {
        try
        {
            while (!stopped)
            {
                if (window.tryAcquire(50, TimeUnit.MILLISECONDS))
                {
                    return true;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void waitUntil(final long due)
    {
        long now;
        while (!stopped && (now = System.nanoTime()) < due)
        {
            if (due - now > 60_000)
            {
                LockSupport.parkNanos(due - now - 40_000);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private void failed(final Exception ex)
    {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, ex);
    }

    /**
     * Waits for every record sent to be acknowledged or failed.
     */
    void flush()
    {
        producer.flush();
    }

    /**
     * Stops sending at once and abandons what is unacknowledged (their callbacks fail).
     */
    void stop()
    {
        stopped = true;
        producer.close(Duration.ZERO);
    }

    long acked()
    {
        return acked.get();
    }

    long failed()
    {
        return failed.get();
    }

    Exception firstFailure()
    {
        return firstFailure.get();
    }

    /**
     * @return ids handed out so far (one past the last).
     */
    long sentIds()
    {
        return nextId;
    }

    @Override
    public void close()
    {
        stopped = true;
        producer.close(Duration.ofSeconds(10));
    }

    private final class Ack implements Callback
    {
        private final long id;
        private final long dueNanos;
        private final Recorder recorder;

        Ack(final long id, final long dueNanos, final Recorder recorder)
        {
            this.id = id;
            this.dueNanos = dueNanos;
            this.recorder = recorder;
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception)
        {
            final long now = System.nanoTime();
            window.release();
            if (exception != null)
            {
                failed(exception);
                return;
            }
            if (ledger != null)
            {
                ledger.acked(id, metadata.partition(), metadata.offset(), now);
            }
            acked.incrementAndGet();
            if (recorder != null)
            {
                recorder.recordValue(Math.max(0, Math.min(MAX_LATENCY_US, (now - dueNanos) / 1000)));
            }
        }
    }
}
