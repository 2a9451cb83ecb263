package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.fuzz.ProcessFuzzer;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sustained structure-aware fuzz of RELIABILITY §6 against a broker in a child JVM (issue 12, "How it is
 * proven"): every advertised API, mutated, over many connections, with a health check every 1,000 inputs and a
 * well-behaved producer alongside. The default build runs a short bounded fuzz; {@code -Pslow} runs at least
 * 1,000,000 inputs over at least 30 minutes. Both are sized by system properties:
 * {@code tidemark.fuzz.inputs}, {@code tidemark.fuzz.duration.s}, {@code tidemark.fuzz.connections},
 * {@code tidemark.fuzz.heap} (the broker's -Xmx) and {@code tidemark.fuzz.seed}.
 */
@Tag(Tags.INTEGRATION)
class BrokerFuzzSoakTest
{
    private static final String GOOD_TOPIC = "fuzz-good";

    @TempDir
    Path dir;

    @Test
    void shouldKeepServingEveryoneUnderAShortStructureAwareFuzz() throws Exception
    {
        run(3_000, 0, "256m");
    }

    @Test
    @Tag(Tags.SLOW)
    @Timeout(value = 3, unit = TimeUnit.HOURS)
    void shouldKeepServingEveryoneAndBoundedMemoryUnderAMillionInputsOverHalfAnHour() throws Exception
    {
        run(1_000_000, 1_800, "512m");
    }

    private void run(final long defaultInputs, final long defaultSeconds, final String defaultHeap) throws Exception
    {
        final ProcessFuzzer.Settings settings = new ProcessFuzzer.Settings(
            Long.getLong("tidemark.fuzz.inputs", defaultInputs),
            Duration.ofSeconds(Long.getLong("tidemark.fuzz.duration.s", defaultSeconds)),
            Integer.getInteger("tidemark.fuzz.connections", 8),
            Long.getLong("tidemark.fuzz.seed", Seeds.seed("BrokerFuzzSoakTest")));
        final String heap = System.getProperty("tidemark.fuzz.heap", defaultHeap);
        try (BrokerProcess broker = BrokerProcess.start(dir, config(dir.resolve("data")), "fuzz-broker", List.of("-Xmx" + heap)))
        {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + broker.port())))
            {
                admin.createTopics(List.of(new NewTopic(GOOD_TOPIC, 1, (short)1))).all().get(30, TimeUnit.SECONDS);
            }
            final ProcessFuzzer.Result result = new ProcessFuzzer(broker.port(), broker.pid())
                .run(settings, GOOD_TOPIC, broker::output, broker::isAlive);
            final String report = result.report(settings);
            System.out.println(report);
            final Path out = Path.of(System.getProperty("java.io.tmpdir"));
            Files.writeString(out.resolve("process-fuzz-report.txt"), report);
            Files.writeString(out.resolve("process-fuzz-broker.log"), broker.output());
            assertTrue(result.brokerAlive(), report);
            assertTrue(result.inputs() >= settings.inputs(), report);
            assertEquals(List.of(), result.failedHealthChecks(), report);
            assertEquals(List.of(), result.uncaught(), report);
            assertTrue(result.acknowledged() > 0, "the well-behaved producer got acknowledgements\n" + report);
            assertEquals(0, result.missing(), "every acknowledged record is read back\n" + report);
            assertTrue(result.liveBytesEnd() <= 2 * result.liveBytesStart(), "live set within 2x its start\n" + report);
        }
    }

    private static Map<String, String> config(final Path logDir)
    {
        final Map<String, String> props = new HashMap<>();
        props.put("log.dirs", logDir.toString());
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "1");
        props.put("log.segment.bytes", String.valueOf(4 * 1024 * 1024));
        props.put("log.segment.preallocate.bytes", String.valueOf(64 * 1024));
        props.put("offsets.topic.num.partitions", "4");
        // Every fuzzed OffsetCommit names a new group and keeps its offsets for offsets.retention.minutes, as Kafka
        // does (7 days by default): a hostile client's groups are bounded by that knob, set here to what an operator
        // under such a load would choose, so that the half-hour run sees them expire.
        props.put("offsets.retention.minutes", "5");
        props.put("offsets.retention.check.interval.ms", "30000");
        return props;
    }
}
