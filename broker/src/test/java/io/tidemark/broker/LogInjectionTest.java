package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log injection (issue 12, finding 7): a client id carrying a newline, a carriage return and an ANSI escape
 * reaches the broker's log (it logs through java.util.logging, formatted as {@code bin/tidemark broker}
 * formats it) as one line with those characters escaped.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class LogInjectionTest
{
    private static final String FORMAT = "[%1$tF %1$tT,%1$tL] %4$s %3$s: %5$s%6$s%n";
    private static final String EVIL = "evil\n[2026-01-01 00:00:00,000] ERROR io.tidemark.broker.Broker: forged line\r\u001b[31mred\u001b[0m";

    @TempDir
    Path dir;

    private Broker broker;
    private final Logger root = Logger.getLogger("");
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler()
    {
        private final Formatter formatter = new SimpleFormatter()
        {
            @Override
            public String format(final LogRecord record)
            {
                return String.format(FORMAT, new java.util.Date(record.getMillis()), record.getSourceClassName(), record.getLoggerName(),
                    record.getLevel().getLocalizedName(), formatMessage(record), record.getThrown() == null ? "" : "\n" + record.getThrown());
            }
        };

        @Override
        public void publish(final LogRecord record)
        {
            final String text = formatter.format(record);
            synchronized (lines)
            {
                lines.add(text);
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    @BeforeEach
    void start()
    {
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        broker = Broker.start(TestBrokers.config(dir, Map.of()));
    }

    @AfterEach
    void stop()
    {
        broker.close();
        root.removeHandler(capture);
    }

    private List<String> linesWith(final String text)
    {
        synchronized (lines)
        {
            return lines.stream().filter(l -> l.contains(text)).toList();
        }
    }

    @Test
    void shouldLogAClientIdWithNewlineCarriageReturnAndAnsiEscapeAsOneEscapedLine() throws IOException
    {
        final short version = 0;
        final ByteBuffer header = MessageUtil.toByteBufferAccessor(new RequestHeaderData().setRequestApiKey(ApiKeys.WRITE_TXN_MARKERS.id)
            .setRequestApiVersion(version).setCorrelationId(1).setClientId(EVIL), ApiKeys.WRITE_TXN_MARKERS.requestHeaderVersion(version)).buffer();
        final ByteBuffer body = MessageUtil.toByteBufferAccessor(new WriteTxnMarkersRequestData(), version).buffer();
        final ByteBuffer frame = ByteBuffer.allocate(4 + header.remaining() + body.remaining());
        frame.putInt(header.remaining() + body.remaining()).put(header).put(body);
        try (RawKafkaClient c = new RawKafkaClient(broker.port()))
        {
            c.sendRaw(frame.array());
            assertTrue(c.closedByPeer(10_000), "an API not offered closes the connection");
        }
        Await.await("the broker logs the refused request", Duration.ofSeconds(10), () -> !linesWith("evil").isEmpty());
        final List<String> logged = linesWith("evil");
        assertEquals(1, logged.size(), String.valueOf(logged));
        final String line = logged.get(0);
        assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
        assertFalse(line.contains("\r"), "no carriage return: " + line);
        assertFalse(line.contains("\u001b"), "no escape character: " + line);
        assertTrue(line.contains("evil\\n[2026-01-01 00:00:00,000] ERROR io.tidemark.broker.Broker: forged line\\r\\u001b[31mred\\u001b[0m"), line);
        assertTrue(linesWith("forged line").stream().allMatch(l -> l.contains("evil")), "no line of its own for the forged text");
    }
}
