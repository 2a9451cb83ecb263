package io.tidemark.perf.metrics;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.metrics.Histogram;
import io.tidemark.broker.metrics.Meter;
import io.tidemark.broker.metrics.MetricsRegistry;
import io.tidemark.broker.metrics.RequestMetrics;
import io.tidemark.broker.metrics.TopicMetrics;
import io.tidemark.perf.engine.JvmFlags;
import org.agrona.concurrent.SystemNanoClock;
import org.apache.kafka.common.protocol.ApiKeys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the broker's metrics cost where records flow; run with {@code -prof gc} and read
 * {@code gc.alloc.rate.norm} (B/op, expected 0).
 *
 * <pre>
 *  produceRecorded   a produce partition counted: TopicMetrics.produce (4 meters, broker-wide and topic)
 *  fetchRecorded     a consumer fetch partition counted: TopicMetrics.fetch
 *  requestRecorded   a Produce response's timings: RequestMetrics (1 meter, 6 histograms)
 *  meterMark         one Meter.mark (a LongAdder)
 *  histogramUpdate   one Histogram.update (an HdrHistogram Recorder)
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.OPEN_MISC, JvmFlags.OPEN_NIO_CH, JvmFlags.OPEN_NIO, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX})
@State(Scope.Thread)
public class MetricsRecordingBenchmark
{
    MetricsRegistry registry;
    TopicMetrics topics;
    RequestMetrics requests;
    Meter meter;
    Histogram histogram;
    long n;

    /** Registers the metrics (in a private MBean server unless this JVM's platform one is free). */
    @Setup(Level.Trial)
    public void setUp()
    {
        registry = new MetricsRegistry();
        topics = new TopicMetrics(registry, SystemNanoClock.INSTANCE);
        requests = new RequestMetrics(registry, List.of(ApiKeys.PRODUCE, ApiKeys.FETCH), SystemNanoClock.INSTANCE);
        meter = new Meter("events", SystemNanoClock.INSTANCE);
        histogram = new Histogram(TimeUnit.MINUTES.toMicros(1), 1000.0, SystemNanoClock.INSTANCE);
        topics.produce("bench", 1, 100, false); // the topic's meters exist, as after its first produce
        topics.fetch("bench", 100, false);
    }

    /** Unregisters. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        registry.close();
    }

    /** A produce partition of 16 records, 1 KiB. */
    @Benchmark
    public void produceRecorded()
    {
        topics.produce("bench", 16, 1024, false);
    }

    /** A consumer fetch partition of 1 KiB. */
    @Benchmark
    public void fetchRecorded()
    {
        topics.fetch("bench", 1024, false);
    }

    /** The timings of one answered Produce. */
    @Benchmark
    public void requestRecorded()
    {
        final long t = ++n * 1_000;
        requests.onResponseSent(ApiKeys.PRODUCE, t, t + 10_000, t + 50_000, t + 900_000, t + 950_000, t + 1_000_000, false);
    }

    /** One meter mark. */
    @Benchmark
    public void meterMark()
    {
        meter.mark();
    }

    /** One histogram value. */
    @Benchmark
    public void histogramUpdate()
    {
        histogram.update(++n & 0xFFFF);
    }
}
