package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tidemark.engine.TopicPartition;
import io.tidemark.engine.LogCursor;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat (librdkafka) against the broker: metadata, produce with every codec (and idempotence), consume from
 * the beginning, from an offset and by timestamp. CI installs kcat ({@code .ci/run}); without it these tests
 * are skipped, saying so.
 */
@Tag(Tags.INTEGRATION)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KcatTest
{
    @TempDir
    static Path dir;

    private Broker broker;

    static boolean kcatInstalled()
    {
        try
        {
            final Process p = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        catch (final IOException | InterruptedException ex)
        {
            return false;
        }
    }

    @BeforeAll
    void start()
    {
        Assumptions.assumeTrue(kcatInstalled(), "kcat is not installed (Debian package kcat; .ci/run installs it)");
        broker = TestBrokers.start(dir);
    }

    @AfterAll
    void stop()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    private record Result(int exit, String out)
    {
    }

    private Result kcat(final String stdin, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add("kcat");
        command.add("-b");
        command.add(broker.bootstrapServers());
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (stdin != null)
        {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new AssertionError("kcat " + command + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String lines(final String prefix, final int n)
    {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            b.append(prefix).append(i).append('\n');
        }
        return b.toString();
    }

    @Test
    void shouldListMetadata() throws Exception
    {
        broker.controller().createTopic("kcat-meta", 3, (short)1, null, Map.of(), false).join();
        final Result r = kcat(null, "-L", "-t", "kcat-meta");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("topic \"kcat-meta\" with 3 partitions"), r.out());
        assertTrue(r.out().contains("broker 1 at 127.0.0.1:" + broker.port()), r.out());
    }

    @ParameterizedTest(name = "codec={0}")
    @ValueSource(strings = { "none", "gzip", "snappy", "lz4", "zstd" })
    void shouldProduceAndConsumeWithEveryCodec(final String codec) throws Exception
    {
        final String topic = "kcat-" + codec;
        broker.controller().createTopic(topic, 1, (short)1, null, Map.of(), false).join();
        assertEquals(0, kcat(lines("k:value-", 500), "-P", "-t", topic, "-p", "0", "-z", codec, "-K", ":",
            "-X", "enable.idempotence=true", "-X", "linger.ms=20").exit());
        final Result r = kcat(null, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%k=%s@%o\\n");
        assertEquals(0, r.exit());
        final String[] got = r.out().split("\n");
        assertEquals(500, got.length, r.out());
        for (int i = 0; i < 500; i++)
        {
            assertEquals("k=value-" + i + "@" + i, got[i]);
        }
        if (!"none".equals(codec))
        {
            int compressed = 0;
            try (LogCursor cursor = broker.logManager().log(new TopicPartition(topic, 0)).cursor().seek(0))
            {
                while (cursor.nextBatch())
                {
                    compressed += cursor.batch().compression() != 0 ? 1 : 0;
                }
            }
            // librdkafka sends a batch uncompressed when compression does not make it smaller, hence "some"; it enables
            // LZ4 only when the broker advertises FindCoordinator (its marker of Kafka 0.8.2, rdkafka_feature.c), which
            // the group coordinator does
            assertTrue(compressed > 0, codec + " batches are stored as sent, compressed");
        }
    }

    @Test
    void shouldConsumeFromAnOffsetAndByTimestamp() throws Exception
    {
        broker.controller().createTopic("kcat-offsets", 1, (short)1, null, Map.of(), false).join();
        assertEquals(0, kcat(lines("v", 20), "-P", "-t", "kcat-offsets", "-p", "0").exit());
        final Result fromTen = kcat(null, "-C", "-t", "kcat-offsets", "-p", "0", "-o", "10", "-e", "-q");
        assertEquals(10, fromTen.out().split("\n").length, fromTen.out());
        assertTrue(fromTen.out().startsWith("v10\n"));
        final Result tail = kcat(null, "-C", "-t", "kcat-offsets", "-p", "0", "-o", "-2", "-e", "-q");
        assertEquals("v18\nv19\n", tail.out());
        final Result byTime = kcat(null, "-C", "-t", "kcat-offsets", "-p", "0", "-o", "s@0", "-e", "-q");
        assertEquals(20, byTime.out().split("\n").length, byTime.out());
    }
}
