package io.tidemark.broker.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tidemark consume}: prints records with the official consumer, like {@code kafka-console-consumer.sh}.
 * Without {@code --group} it is assigned every partition (or {@code --partition}) and commits nothing; with
 * {@code --group} it subscribes as a member of that group (classic protocol), starts at the group's
 * committed offsets (else the end, or the beginning with {@code --from-beginning}), auto-commits while it
 * runs and commits its position when it exits (also on Ctrl-C).
 */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Print records of a topic, one per line.")
public final class ConsumeCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset (default: the end).")
    boolean fromBeginning;

    @Option(names = "--partition", paramLabel = "P", description = "Only this partition (default: all).")
    Integer partition;

    @Option(names = "--offset", paramLabel = "O", description = "Start offset in --partition: a number, earliest or latest.")
    String offset;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Exit after MS without a record.")
    Long timeoutMs;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
        description = "print.key=true, print.offset=true, print.partition=true, key.separator=SEP (default tab).")
    List<String> properties = new ArrayList<>();

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE", description = "A consumer config (repeatable).")
    List<String> consumerProperties = new ArrayList<>();

    @Option(names = "--group", paramLabel = "GROUP", description = "Consume as a member of this group and commit offsets.")
    String group;

    private final PrintStream out;
    private final PrintStream err;
    private long printed;

    /**
     * Prints to the standard streams.
     */
    public ConsumeCommand()
    {
        this(System.out, System.err);
    }

    ConsumeCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception
    {
        if (group != null && (partition != null || offset != null))
        {
            err.println("tidemark consume: --group cannot be combined with --partition or --offset (the group assigns partitions)");
            return 2;
        }
        if (offset != null && partition == null)
        {
            err.println("tidemark consume: --offset needs --partition");
            return 2;
        }
        final Map<String, String> format;
        final Map<String, String> extra;
        try
        {
            format = TopicsCommand.keyValues(properties);
            extra = TopicsCommand.keyValues(consumerProperties);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("tidemark consume: " + ex.getMessage());
            return 2;
        }
        final boolean printKey = Boolean.parseBoolean(format.getOrDefault("print.key", "false"));
        final boolean printOffset = Boolean.parseBoolean(format.getOrDefault("print.offset", "false"));
        final boolean printPartition = Boolean.parseBoolean(format.getOrDefault("print.partition", "false"));
        final String separator = format.getOrDefault("key.separator", "\t");
        final Properties props = client.properties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, String.valueOf(group != null));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        if (group != null)
        {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        }
        props.putAll(extra);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props))
        {
            if (group != null)
            {
                return consumeInGroup(consumer, printKey, printOffset, printPartition, separator);
            }
            return consumeAssigned(consumer, printKey, printOffset, printPartition, separator);
        }
    }

    private int consumeInGroup(final KafkaConsumer<String, String> consumer, final boolean printKey, final boolean printOffset,
        final boolean printPartition, final String separator)
    {
        final Thread main = Thread.currentThread();
        final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        final Thread hook = new Thread(() ->
        {
            if (!finished.get())
            {
                consumer.wakeup(); // Ctrl-C: leave the poll loop, commit and leave the group
                try
                {
                    main.join(10_000);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }, "tidemark-consume-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            consumer.subscribe(List.of(topic));
            // at the limit, commit exactly what was printed: records polled beyond it are left for the group
            printRecords(consumer, printKey, printOffset, printPartition, separator, true);
            consumer.commitSync();
        }
        catch (final org.apache.kafka.common.errors.WakeupException ex)
        {
            consumer.commitSync();
        }
        finally
        {
            finished.set(true);
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // the JVM is shutting down: the hook is running
            }
        }
        err.println("Processed a total of " + printed + " messages");
        return 0;
    }

    /**
     * Polls and prints until {@code --max-messages} were printed or {@code --timeout-ms} passed without a record.
     *
     * @param seekPastLast at the limit, seek each partition just past the last record printed (so a commit covers
     *                     exactly what was printed).
     */
    private void printRecords(final KafkaConsumer<String, String> consumer, final boolean printKey, final boolean printOffset,
        final boolean printPartition, final String separator, final boolean seekPastLast)
    {
        long idleSince = System.nanoTime();
        while (maxMessages == null || printed < maxMessages)
        {
            boolean any = false;
            for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
            {
                any = true;
                print(r, printKey, printOffset, printPartition, separator);
                printed++;
                if (maxMessages != null && printed >= maxMessages)
                {
                    if (seekPastLast)
                    {
                        consumer.seek(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    }
                    break;
                }
            }
            out.flush();
            if (any)
            {
                idleSince = System.nanoTime();
            }
            else if (timeoutMs != null && System.nanoTime() - idleSince > timeoutMs * 1_000_000L)
            {
                break;
            }
        }
    }

    private void print(final ConsumerRecord<String, String> r, final boolean printKey, final boolean printOffset,
        final boolean printPartition, final String separator)
    {
        final StringBuilder line = new StringBuilder();
        if (printPartition)
        {
            line.append("Partition:").append(r.partition()).append(separator);
        }
        if (printOffset)
        {
            line.append("Offset:").append(r.offset()).append(separator);
        }
        if (printKey)
        {
            line.append(r.key()).append(separator);
        }
        line.append(r.value());
        out.println(line);
    }

    private int consumeAssigned(final KafkaConsumer<String, String> consumer, final boolean printKey, final boolean printOffset,
        final boolean printPartition, final String separator)
    {
        final List<TopicPartition> assigned = new ArrayList<>();
        if (partition != null)
        {
            assigned.add(new TopicPartition(topic, partition));
        }
        else
        {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty())
            {
                err.println("tidemark consume: topic " + topic + " does not exist");
                return 1;
            }
            infos.forEach(i -> assigned.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(assigned);
        if (offset != null)
        {
            final TopicPartition tp = assigned.get(0);
            switch (offset)
            {
                case "earliest" -> consumer.seekToBeginning(assigned);
                case "latest" -> consumer.seekToEnd(assigned);
                default -> consumer.seek(tp, Long.parseLong(offset));
            }
        }
        else if (fromBeginning)
        {
            consumer.seekToBeginning(assigned);
        }
        else
        {
            consumer.seekToEnd(assigned);
        }
        printRecords(consumer, printKey, printOffset, printPartition, separator, false);
        err.println("Processed a total of " + printed + " messages");
        return 0;
    }
}
