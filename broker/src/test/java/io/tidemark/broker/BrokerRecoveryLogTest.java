package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.tidemark.engine.Log;
import io.tidemark.engine.RecoveryReport;
import io.tidemark.engine.TopicPartition;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 9 of issue 12: after a crash with a torn tail the broker logs, per partition, what recovery
 * truncated, where and why; nothing for the partitions that were intact.
 */
class BrokerRecoveryLogTest
{
    @TempDir
    Path dir;

    /** Collects the broker's log lines. */
    private static final class Captured extends Handler
    {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void publish(final LogRecord record)
        {
            lines.add(record.getMessage());
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    @Tag(Tags.FAULT)
    void shouldLogWhatRecoveryTruncatedPerPartitionAfterACrashWithATornTail() throws Exception
    {
        final Path logs = dir.resolve("logs");
        final Path torn;
        final long end;
        final Broker first = TestBrokers.start(logs);
        try (KafkaProducer<String, String> producer = TestBrokers.producer(first, Map.of()))
        {
            for (final String topic : List.of("torn", "intact"))
            {
                for (int i = 0; i < 5; i++)
                {
                    producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            final Log log = first.logManager().log(new TopicPartition("torn", 0));
            torn = log.dir().resolve("00000000000000000000.log");
            end = log.sizeInBytes();
        }
        finally
        {
            first.crash();
        }
        // a torn tail: the start of a batch that never finished writing
        final byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte)0x5a);
        try (FileChannel ch = FileChannel.open(torn, StandardOpenOption.WRITE))
        {
            ch.write(ByteBuffer.wrap(garbage), end);
        }
        final Logger logger = Logger.getLogger(Broker.class.getName());
        final Captured captured = new Captured();
        logger.addHandler(captured);
        try (Broker second = TestBrokers.start(logs))
        {
            assertEquals(5, second.logManager().log(new TopicPartition("torn", 0)).logEndOffset(), "truncated to the last whole batch");
        }
        finally
        {
            logger.removeHandler(captured);
        }
        final List<String> recovered = captured.lines.stream().filter(l -> l.startsWith("recovered ")).toList();
        assertEquals(1, recovered.size(), captured.lines.toString());
        final String line = recovered.get(0);
        assertTrue(line.startsWith("recovered torn-0 (unclean shutdown"), line);
        assertTrue(line.contains("truncated 00000000000000000000.log at position " + end + " (expected offset 5): "), line);
        assertTrue(line.contains(" bytes dropped"), line);
    }

    @Test
    void shouldEscapeControlCharactersAndSkipPartitionsWithNothingRecovered() throws IOException
    {
        final Path segment = dir.resolve("t-0").resolve("00000000000000000000.log");
        final RecoveryReport repaired = new RecoveryReport(segment.getParent(), false, 0, 1, 1, 3, 300,
            List.of(new RecoveryReport.Truncation(segment, 200, 3, "bad\nCRC \u001b[31m", 100, 0, false, false)), List.of(), List.of(), 0, 3, 1);
        final RecoveryReport clean = new RecoveryReport(dir.resolve("u-0"), false, 0, 1, 1, 3, 300, List.of(), List.of(), List.of(), 0, 3, 1);
        final List<String> lines = RecoveryLog.lines(Map.of(new TopicPartition("t", 0), repaired, new TopicPartition("u", 0), clean));
        assertEquals(List.of("recovered t-0 (unclean shutdown, recovery point 0); truncated 00000000000000000000.log at position 200 " +
            "(expected offset 3): bad\\nCRC \\u001b[31m, 100 bytes dropped; offsets now [0, 3)"), lines);
    }
}
