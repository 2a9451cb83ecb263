package io.tidemark.broker.group;

import static io.tidemark.broker.group.GroupTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import io.tidemark.broker.Broker;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that crashes (its JVM killed with SIGKILL: no LeaveGroup, no more heartbeats) is removed when
 * its session times out, and its partitions go to the surviving member.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class SessionTimeoutTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReassignACrashedMembersPartitionsAfterItsSessionTimeout() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "crashy", 4);
            final GroupTestSupport.Ownership survivor = new GroupTestSupport.Ownership();
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "crash-g", Map.of()))
            {
                c.subscribe(List.of("crashy"), survivor);
                Await.await("the first member owns all 4", WAIT, () ->
                {
                    c.poll(Duration.ofMillis(20));
                    return survivor.owned().size() == 4;
                });
                final Path out = dir.resolve("member.out");
                final Process member = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), CrashingMember.class.getName(), broker.bootstrapServers(), "crash-g",
                    "crashy", "1000").redirectErrorStream(true).redirectOutput(out.toFile()).start();
                try
                {
                    Await.await(() -> "the second member owns 2: " + read(out), WAIT, () ->
                    {
                        c.poll(Duration.ofMillis(20));
                        return read(out).contains("ASSIGNED 2") && survivor.owned().size() == 2;
                    });
                    final int before = survivor.history.size();
                    member.destroyForcibly().waitFor();
                    Await.await("the survivor gets the crashed member's partitions after its session timeout", WAIT, () ->
                    {
                        c.poll(Duration.ofMillis(20));
                        return survivor.owned().size() == 4;
                    });
                    assertEquals(new HashSet<>(GroupTestSupport.partitions("crashy", 4)), survivor.owned());
                    assertEquals(true, survivor.history.size() > before);
                }
                finally
                {
                    member.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
