package io.tidemark.perf.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A consumer thread measuring end-to-end latency: from a record's due send time (in its value) to the
 * moment a consumer sees it, for records with ids from {@link #measureFrom(long)} on. Consumers read
 * below the high watermark, so this includes replication and, under {@code batch}, the sync.
 */
final class EndToEnd implements AutoCloseable
{
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Recorder recorder = new Recorder(LoadGenerator.MAX_LATENCY_US, 3);
    private final AtomicLong measured = new AtomicLong();
    private final Thread thread;
    private volatile long fromId = Long.MAX_VALUE;
    private volatile boolean stopped;
    private volatile RuntimeException failure;

    EndToEnd(final String bootstrap, final String topic)
    {
        consumer = Consumers.assignedToAll(bootstrap, topic, Duration.ofSeconds(30));
        thread = new Thread(this::poll, "tidemark-bench-e2e");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll()
    {
        try
        {
            while (!stopped)
            {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50)))
                {
                    final long now = System.nanoTime();
                    final long id = Payload.id(r.value());
                    if (id >= fromId)
                    {
                        recorder.recordValue(Math.max(0, Math.min(LoadGenerator.MAX_LATENCY_US, (now - Payload.sendNanos(r.value())) / 1000)));
                        measured.incrementAndGet();
                    }
                }
            }
        }
        catch (final org.apache.kafka.common.errors.WakeupException ex)
        {
            // stopping
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
    }

    void measureFrom(final long id)
    {
        fromId = id;
    }

    /**
     * Waits until {@code expected} measured records were seen or the timeout passed.
     *
     * @return the latencies in microseconds.
     */
    Histogram finish(final long expected, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (measured.get() < expected && System.nanoTime() < deadline && failure == null && thread.isAlive())
        {
            Thread.sleep(5); // polling a counter fed by the consumer thread, bounded by the deadline
        }
        if (failure != null)
        {
            throw failure;
        }
        return recorder.getIntervalHistogram();
    }

    long measured()
    {
        return measured.get();
    }

    @Override
    public void close()
    {
        stopped = true;
        consumer.wakeup();
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
