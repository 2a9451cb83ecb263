package io.tidemark.broker.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A process-level fuzzer: structure-aware mutations of real requests of every API a running broker advertises,
 * over many short connections, with slow senders, lying lengths and held frames among them, while a separate
 * client checks every 1,000 inputs that ApiVersions and Metadata are answered within 2 s and a well-behaved
 * {@code acks=all} producer writes alongside (every record it had acknowledged is read back at the end).
 *
 * <p>The broker is a child process, so its heap is its own: the live set after a full GC is read with
 * {@code jcmd <pid> GC.class_histogram} at the start and at the end (the histogram is kept for the report).
 *
 * <p>Threads: {@link #run} on the caller's thread; {@code connections} fuzzing threads, one health-check
 * thread and one producer thread, all joined before {@link #run} returns.
 */
public final class ProcessFuzzer
{
    /** Inputs between health checks. */
    public static final int HEALTH_CHECK_EVERY = 1_000;
    /** A health check fails when either answer takes longer. */
    public static final int HEALTH_CHECK_TIMEOUT_MS = 2_000;
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
    /**
     * A thread killed by an exception, an OOM anywhere, or a line the broker's logger wrote at SEVERE/ERROR
     * ({@code [yyyy-MM-dd HH:mm:ss,SSS] LEVEL logger: message}); the fuzzer's forged client ids
     * ({@code [2026-01-01] ERROR forged}) do not have that timestamp.
     */
    private static final Pattern UNCAUGHT = Pattern.compile(
        "(?m)^(.*(Exception in thread|OutOfMemoryError|[Uu]ncaught exception).*|\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}\\] (SEVERE|ERROR) .*)$");
    /** RequestProcessor logs an unexpected handler exception (UNKNOWN_SERVER_ERROR) as "WARNING ... handling X vN from A failed". */
    private static final Pattern HANDLER_FAILURE = Pattern.compile("(?m)^.*WARN.*(handling [A-Z_]+ v\\d+ from .* failed|cannot encode).*\\R.*$");

    /**
     * @param inputs      send at least this many inputs (frames)...
     * @param duration    ...and go on for at least this long; the run stops when both are reached.
     * @param connections concurrent fuzzing threads, each opening a new connection per unit of 1-4 frames.
     * @param seed        the run's seed (printed; every thread derives its own from it).
     */
    public record Settings(long inputs, Duration duration, int connections, long seed)
    {
    }

    /**
     * What a run saw.
     *
     * @param inputs              frames sent.
     * @param elapsed             how long the fuzzing ran.
     * @param healthChecks        health checks made.
     * @param failedHealthChecks  one line per failed health check.
     * @param uncaught            broker log lines that report an uncaught exception, an ERROR or an OOM.
     * @param handlerFailures     broker log lines of unexpected exceptions in request handlers.
     * @param liveBytesStart      heap live set after a full GC at the start.
     * @param liveBytesEnd        the same at the end.
     * @param acknowledged        records the well-behaved producer had acknowledged.
     * @param missing             acknowledged records not read back.
     * @param histogramStart      the start histogram's top lines.
     * @param histogramEnd        the end histogram's top lines.
     * @param apis                the APIs fuzzed with their versions.
     * @param brokerAlive         the broker process was alive at the end.
     */
    public record Result(long inputs, Duration elapsed, long healthChecks, List<String> failedHealthChecks,
        List<String> uncaught, List<String> handlerFailures, long liveBytesStart, long liveBytesEnd, long acknowledged,
        long missing, String histogramStart, String histogramEnd, String apis, boolean brokerAlive)
    {
        /**
         * @return a report for the console and docs/FAULTS.md.
         */
        public String report(final Settings settings)
        {
            return "process fuzz: seed " + settings.seed() + ", " + settings.connections() + " connections\n" +
                "inputs sent: " + inputs + " in " + elapsed.toSeconds() + " s\n" +
                "APIs: " + apis + "\n" +
                "health checks: " + healthChecks + ", failed: " + failedHealthChecks.size() + "\n" +
                String.join("\n", failedHealthChecks.subList(0, Math.min(10, failedHealthChecks.size()))) + "\n" +
                "uncaught/ERROR lines in the broker log: " + uncaught.size() + "\n" +
                String.join("\n", uncaught.subList(0, Math.min(10, uncaught.size()))) + "\n" +
                "unexpected handler failures in the broker log: " + handlerFailures.size() + "\n" +
                String.join("\n", handlerFailures.subList(0, Math.min(10, handlerFailures.size()))) + "\n" +
                "heap live set after full GC: start " + liveBytesStart / 1024 + " KiB, end " + liveBytesEnd / 1024 + " KiB (" +
                String.format("%.2f", liveBytesStart == 0 ? 0.0 : (double)liveBytesEnd / liveBytesStart) + "x)\n" +
                "well-behaved producer: " + acknowledged + " acknowledged, " + missing + " not read back\n" +
                "broker alive at the end: " + brokerAlive + "\n" +
                "histogram at the start:\n" + histogramStart + "\nhistogram at the end:\n" + histogramEnd + "\n";
        }
    }

    /** How a unit of input is delivered. */
    private enum Delivery
    {
        /** Whole frames, then half-close and read every answer. */
        NORMAL,
        /** The length prefix claims more bytes than follow, then the socket closes. */
        LYING_LENGTH,
        /** A frame a few bytes at a time. */
        SLOW_SENDER,
        /** A frame header declaring up to 1 MiB, part of the body, a pause, then close. */
        HELD_FRAME
    }

    private record Api(ApiKeys key, short min, short max)
    {
    }

    private final InetSocketAddress address;
    private final long pid;
    private final LongSupplier clock;
    private final AtomicLong inputs = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<String> failedHealthChecks = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong healthChecks = new AtomicLong();
    private final List<Throwable> harnessErrors = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param port the broker's PLAINTEXT port on 127.0.0.1.
     * @param pid  the broker's process id (for jcmd).
     */
    public ProcessFuzzer(final int port, final long pid)
    {
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.pid = pid;
        this.clock = System::nanoTime;
    }

    /**
     * Runs the fuzz.
     *
     * @param settings   the bounds.
     * @param goodTopic  an existing one-partition topic for the well-behaved producer.
     * @param brokerLog  supplies the broker's output so far.
     * @param brokerAlive tells whether the broker process still runs.
     * @return what it saw.
     */
    public Result run(final Settings settings, final String goodTopic, final java.util.function.Supplier<String> brokerLog,
        final java.util.function.BooleanSupplier brokerAlive) throws Exception
    {
        final List<Api> apis = advertised();
        final String[] histogramStart = liveSet();
        final long startNs = clock.getAsLong();
        final long deadlineNs = startNs + settings.duration().toNanos();
        final Thread producer = thread("fuzz-good-producer", () -> produce(goodTopic));
        final Thread health = thread("fuzz-health-check", this::healthChecks);
        final List<Thread> fuzzers = new ArrayList<>();
        for (int i = 0; i < settings.connections(); i++)
        {
            final Random random = new Random(settings.seed() * 31 + i);
            final RequestSeeds seeds = new RequestSeeds(goodTopic);
            fuzzers.add(thread("fuzz-" + i, () -> fuzz(apis, seeds, random, settings.inputs(), deadlineNs)));
        }
        for (final Thread t : fuzzers)
        {
            t.join();
        }
        final Duration elapsed = Duration.ofNanos(clock.getAsLong() - startNs);
        stop.set(true);
        health.join();
        producer.join();
        healthCheck("final");
        final long missing = readBack(goodTopic);
        final String[] histogramEnd = liveSet();
        if (!harnessErrors.isEmpty())
        {
            final AssertionError error = new AssertionError("the fuzz harness failed (not the broker)", harnessErrors.get(0));
            harnessErrors.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
        final String log = brokerLog.get();
        return new Result(inputs.get(), elapsed, healthChecks.get(), List.copyOf(failedHealthChecks), matches(UNCAUGHT, log),
            matches(HANDLER_FAILURE, log), Long.parseLong(histogramStart[0]), Long.parseLong(histogramEnd[0]), acked.size(),
            missing, histogramStart[1], histogramEnd[1], describe(apis), brokerAlive.getAsBoolean());
    }

    private Thread thread(final String name, final ThrowingRunnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Exception | AssertionError ex)
            {
                harnessErrors.add(ex);
                stop.set(true);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------------------------------------
    // fuzzing
    // ---------------------------------------------------------------------------------------------

    private void fuzz(final List<Api> apis, final RequestSeeds seeds, final Random random, final long maxInputs,
        final long deadlineNs)
    {
        while (!stop.get() && (inputs.get() < maxInputs || clock.getAsLong() < deadlineNs))
        {
            final int pick = random.nextInt(100);
            final Delivery delivery = pick < 91 ? Delivery.NORMAL : pick < 95 ? Delivery.LYING_LENGTH :
                pick < 98 ? Delivery.SLOW_SENDER : Delivery.HELD_FRAME;
            final int frames = delivery == Delivery.NORMAL ? 1 + random.nextInt(4) : 1;
            try (Socket socket = new Socket())
            {
                socket.connect(address, HEALTH_CHECK_TIMEOUT_MS);
                socket.setSoTimeout(5_000);
                socket.setTcpNoDelay(true);
                final OutputStream out = socket.getOutputStream();
                for (int f = 0; f < frames; f++)
                {
                    final byte[] frame = input(apis, seeds, random);
                    inputs.incrementAndGet();
                    send(out, frame, delivery, random);
                }
                if (delivery == Delivery.NORMAL)
                {
                    socket.shutdownOutput();
                    drain(socket.getInputStream());
                }
            }
            catch (final IOException closedByTheBroker)
            {
                // the broker may close a connection at any byte of bad input: that is an answer
            }
        }
    }

    private byte[] input(final List<Api> apis, final RequestSeeds seeds, final Random random)
    {
        final Api api = apis.get(random.nextInt(apis.size()));
        final short version = (short)(api.min() + random.nextInt(api.max() - api.min() + 1));
        final String clientId = random.nextInt(50) == 0 ? "c\n[2026-01-01] ERROR forged\u001b[31m" :
            "c-" + Integer.toHexString(random.nextInt());
        byte[] request;
        try
        {
            request = KafkaWire.encode(api.key(), version, random.nextInt(), clientId, seeds.body(api.key(), version, random));
        }
        catch (final RuntimeException fieldNotInThisVersion)
        {
            final ApiMessage plain = ApiMessageType.fromApiKey(api.key().id).newRequest();
            request = KafkaWire.encode(api.key(), version, random.nextInt(), clientId, plain);
        }
        final int mutations = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(3);
        return RequestMutator.mutate(request, mutations, random);
    }

    private static void send(final OutputStream out, final byte[] frame, final Delivery delivery, final Random random)
        throws IOException
    {
        switch (delivery)
        {
            case NORMAL -> KafkaWire.writeFrame(out, frame);
            case LYING_LENGTH ->
            {
                out.write(ByteBuffer.allocate(4).putInt(frame.length + 1 + random.nextInt(1 << 16)).array());
                out.write(frame);
                out.flush();
            }
            case SLOW_SENDER ->
            {
                final byte[] whole = ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
                int at = 0;
                for (int chunk = 0; chunk < 20 && at < whole.length; chunk++)
                {
                    final int n = Math.min(whole.length - at, 1 + random.nextInt(8));
                    out.write(whole, at, n);
                    out.flush();
                    at += n;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(80)));
                }
                out.write(whole, at, whole.length - at);
                out.flush();
            }
            case HELD_FRAME ->
            {
                out.write(ByteBuffer.allocate(4).putInt(frame.length + random.nextInt(1 << 20)).array());
                out.write(frame, 0, frame.length / 2);
                out.flush();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(2_000)));
            }
            default -> throw new IllegalStateException(delivery.name());
        }
    }

    private static void drain(final InputStream in) throws IOException
    {
        final byte[] sink = new byte[8192];
        while (in.read(sink) >= 0)
        {
            // answers are not checked here: the health check and the producer check the broker's health
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the separate client: health checks and the well-behaved producer
    // ---------------------------------------------------------------------------------------------

    private void healthChecks()
    {
        long next = HEALTH_CHECK_EVERY;
        while (!stop.get())
        {
            if (inputs.get() >= next)
            {
                healthCheck("after " + inputs.get() + " inputs");
                next += HEALTH_CHECK_EVERY;
            }
            else
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private void healthCheck(final String when)
    {
        healthChecks.incrementAndGet();
        final long start = clock.getAsLong();
        try
        {
            final AbstractResponse versions = KafkaWire.roundTrip(address, HEALTH_CHECK_TIMEOUT_MS, ApiKeys.API_VERSIONS, (short)3,
                new ApiVersionsRequestData().setClientSoftwareName("health").setClientSoftwareVersion("1"));
            final short versionsError = ((ApiVersionsResponse)versions).data().errorCode();
            final AbstractResponse metadata = KafkaWire.roundTrip(address, HEALTH_CHECK_TIMEOUT_MS, ApiKeys.METADATA, (short)12,
                new MetadataRequestData().setTopics(List.of()).setAllowAutoTopicCreation(false));
            final long ms = TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - start);
            if (versionsError != Errors.NONE.code() || ((MetadataResponse)metadata).brokers().isEmpty() || ms > HEALTH_CHECK_TIMEOUT_MS)
            {
                failedHealthChecks.add(when + ": ApiVersions error " + versionsError + ", brokers " +
                    ((MetadataResponse)metadata).brokers().size() + ", " + ms + " ms");
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failedHealthChecks.add(when + ": " + ex + " after " + TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - start) + " ms");
        }
    }

    private void produce(final String topic)
    {
        final Map<String, Object> config = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, address.getHostString() + ":" + address.getPort(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer()))
        {
            long n = 0;
            while (!stop.get())
            {
                final String value = "good-" + n++;
                producer.send(new ProducerRecord<>(topic, 0, null, value), (metadata, error) ->
                {
                    if (error == null)
                    {
                        acked.add(value);
                    }
                });
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            producer.flush();
        }
    }

    private long readBack(final String topic)
    {
        final Map<String, Object> config = Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, address.getHostString() + ":" + address.getPort(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        final Set<String> missing = ConcurrentHashMap.newKeySet();
        missing.addAll(acked);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer()))
        {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            final long deadline = clock.getAsLong() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(tp, Duration.ofSeconds(30)) < end && clock.getAsLong() < deadline)
            {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500)))
                {
                    missing.remove(r.value());
                }
            }
        }
        return missing.size();
    }

    // ---------------------------------------------------------------------------------------------
    // the broker's APIs and heap
    // ---------------------------------------------------------------------------------------------

    private List<Api> advertised() throws IOException
    {
        final ApiVersionsResponse response = (ApiVersionsResponse)KafkaWire.roundTrip(address, 10_000, ApiKeys.API_VERSIONS,
            (short)3, new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1"));
        final List<Api> apis = new ArrayList<>();
        for (final ApiVersionsResponseData.ApiVersion v : response.data().apiKeys())
        {
            if (ApiKeys.hasId(v.apiKey()))
            {
                final ApiKeys key = ApiKeys.forId(v.apiKey());
                final short max = (short)Math.min(v.maxVersion(), key.latestVersion());
                if (max >= v.minVersion())
                {
                    apis.add(new Api(key, v.minVersion(), max));
                }
            }
        }
        if (apis.isEmpty())
        {
            throw new IOException("the broker advertises no API");
        }
        return apis;
    }

    private static String describe(final List<Api> apis)
    {
        final StringBuilder s = new StringBuilder();
        for (final Api a : apis)
        {
            s.append(s.length() == 0 ? "" : ", ").append(a.key().name).append(" v").append(a.min()).append('-').append(a.max());
        }
        return apis.size() + " (" + s + ")";
    }

    /**
     * @return {live bytes, the top of the histogram}, after the full GC {@code GC.class_histogram} makes.
     */
    private String[] liveSet() throws IOException, InterruptedException
    {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        final Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
        {
            throw new IOException("jcmd " + pid + " GC.class_histogram failed:\n" + out);
        }
        final Matcher total = HISTOGRAM_TOTAL.matcher(out);
        if (!total.find())
        {
            throw new IOException("no Total line in the histogram:\n" + out);
        }
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir")).resolve("histogram-" + pid + "-" + System.nanoTime() + ".txt"),
            out, StandardCharsets.UTF_8);
        final String[] lines = out.split("\n");
        final StringBuilder top = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, 28); i++)
        {
            top.append(lines[i]).append('\n');
        }
        return new String[] {total.group(2), top.toString()};
    }

    private static List<String> matches(final Pattern pattern, final String text)
    {
        final List<String> found = new ArrayList<>();
        final Matcher m = pattern.matcher(text);
        while (m.find())
        {
            found.add(m.group().strip());
        }
        return found;
    }

    /**
     * Writes the report next to the run's files.
     */
    static void write(final Path file, final String report) throws IOException
    {
        Files.writeString(file, report, StandardCharsets.UTF_8);
    }
}
