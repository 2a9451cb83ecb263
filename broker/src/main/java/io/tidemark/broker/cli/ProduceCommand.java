package io.tidemark.broker.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tidemark produce}: one record per line of standard input, with the official producer (like
 * {@code kafka-console-producer.sh}). Exits non-zero if any record could not be written.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write each line of standard input as a record.")
public final class ProduceCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all", description = "Acknowledgements (default ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = "--compression-type", paramLabel = "CODEC", defaultValue = "none",
        description = "none, gzip, snappy, lz4 or zstd (default ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
        description = "parse.key=true and key.separator=SEP (default tab) read a key before the separator.")
    List<String> properties = new ArrayList<>();

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE", description = "A producer config (repeatable).")
    List<String> producerProperties = new ArrayList<>();

    private final InputStream in;
    private final PrintStream err;

    /**
     * Reads the standard input.
     */
    public ProduceCommand()
    {
        this(System.in, System.err);
    }

    ProduceCommand(final InputStream in, final PrintStream err)
    {
        this.in = in;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception
    {
        final Map<String, String> reader;
        final Map<String, String> extra;
        try
        {
            reader = TopicsCommand.keyValues(properties);
            extra = TopicsCommand.keyValues(producerProperties);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("tidemark produce: " + ex.getMessage());
            return 2;
        }
        final boolean parseKey = Boolean.parseBoolean(reader.getOrDefault("parse.key", "false"));
        final String separator = reader.getOrDefault("key.separator", "\t");
        final Properties props = client.properties();
        props.put(ProducerConfig.ACKS_CONFIG, "-1".equals(acks) ? "all" : acks);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        if ("0".equals(acks))
        {
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        }
        props.putAll(extra);
        final AtomicReference<Exception> firstError = new AtomicReference<>();
        final AtomicLong failed = new AtomicLong();
        long sent = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props);
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = lines.readLine()) != null)
            {
                String key = null;
                String value = line;
                if (parseKey)
                {
                    final int at = line.indexOf(separator);
                    if (at < 0)
                    {
                        err.println("tidemark produce: no key separator '" + separator + "' in line " + (sent + 1) + ": " + line);
                        failed.incrementAndGet();
                        continue;
                    }
                    key = line.substring(0, at);
                    value = line.substring(at + separator.length());
                }
                producer.send(new ProducerRecord<>(topic, key, value), (metadata, ex) ->
                {
                    if (ex != null)
                    {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, ex);
                    }
                });
                sent++;
            }
            producer.flush();
        }
        if (failed.get() > 0)
        {
            err.println("tidemark produce: " + failed.get() + " of " + sent + " records failed" +
                (firstError.get() != null ? ": " + firstError.get() : ""));
            return 1;
        }
        return 0;
    }
}
