package io.tidemark.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tidemark.broker.Broker;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * librdkafka (kcat's balanced consumer, {@code -G}) joins a group with the versions it negotiates, reads
 * every record, and its commits are what the Java Admin client then reads; a second run of the same group
 * starts at those commits and finds nothing left.
 */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class KcatGroupTest
{
    @TempDir
    Path dir;

    private static boolean kcatInstalled()
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

    private static List<String> kcat(final Broker broker, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("kcat", "-b", broker.bootstrapServers()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new AssertionError("kcat " + command + " did not finish");
        }
        assertEquals(0, p.exitValue(), "kcat " + command);
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void shouldConsumeAndCommitAsABalancedConsumer() throws Exception
    {
        Assumptions.assumeTrue(kcatInstalled(), "kcat is not installed (Debian package kcat; .ci/run installs it)");
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "rd", 2);
            GroupTestSupport.produce(broker, "rd", 2, 0, 20);
            final List<String> read = kcat(broker, "-G", "rdgroup", "-o", "beginning", "-c", "20", "-q", "-f", "%s\\n",
                "-X", "session.timeout.ms=6000", "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100", "rd");
            assertEquals(20, read.size(), read.toString());
            final Map<TopicPartition, Long> committed = new java.util.HashMap<>();
            for (final TopicPartition tp : GroupTestSupport.partitions("rd", 2))
            {
                final OffsetAndMetadata o = GroupTestSupport.committed(broker, "rdgroup", tp);
                committed.put(tp, o == null ? -1 : o.offset());
            }
            assertEquals(Map.of(new TopicPartition("rd", 0), 10L, new TopicPartition("rd", 1), 10L), committed,
                "librdkafka committed what it consumed (on close)");
        }
    }
}
