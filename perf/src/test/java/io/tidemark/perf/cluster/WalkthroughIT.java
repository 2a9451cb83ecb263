package io.tidemark.perf.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tidemark.testkit.Await;
import io.tidemark.testkit.Tags;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source notes' walkthrough (seeds/002: {@code kafka-topics.sh --create --partitions 3
 * --replication-factor 3}, {@code --describe}, a broker down, describe again) with three broker processes,
 * checked through {@code bin/tidemark topics} and through the Java Admin client.
 *
 * <pre>
 *   create walk: 3 partitions, RF 3     describe: Leader 1,2,3 (one each), Replicas i,i+1,i+2 (the notes' rule), Isr of 3
 *   kill -9 broker-2                    describe until no leader is 2 and every Isr is {1,3}
 *   start broker-2                      describe until every Isr has 3 members again
 * </pre>
 */
@Tag(Tags.INTEGRATION)
class WalkthroughIT
{
    private static final Pattern PARTITION_LINE = Pattern.compile(
        "Topic: walk\\tPartition: (\\d+)\\tLeader: (\\S+)\\tReplicas: ([\\d,]+)\\tIsr: ([\\d,]*)(\\t.*)?");
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** One partition line of {@code topics --describe}. */
    private record Line(int partition, String leader, List<Integer> replicas, Set<Integer> isr)
    {
    }

    @Test
    void shouldShowLeadersReplicasAndIsrThroughAKillAndARestart() throws Exception
    {
        try (TidemarkCluster cluster = new TidemarkCluster(dir.resolve("cluster"), 3, false,
            Map.of("broker.session.timeout.ms", "6000", "replica.lag.time.max.ms", "5000")))
        {
            final String bootstrap = cluster.bootstrapServers();
            final Cli.Run create = Cli.run(cluster.root(), dir, "topics", "--bootstrap-server", bootstrap, "--create", "--topic", "walk",
                "--partitions", "3", "--replication-factor", "3");
            assertEquals(0, create.exit(), create.out() + create.err());
            cluster.awaitIsr("walk", 3, CHANGE_TIMEOUT);

            // 1. every partition: three distinct replicas by the notes' rule, leaders spread over the brokers, a full ISR
            final List<Line> before = describe(cluster);
            final Set<String> leaders = new HashSet<>();
            for (final Line l : before)
            {
                final int p = l.partition();
                assertEquals(List.of(1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3), l.replicas(), "placement of partition " + p);
                assertEquals(String.valueOf(l.replicas().get(0)), l.leader(), "the first replica leads partition " + p);
                assertEquals(Set.copyOf(l.replicas()), l.isr(), "full ISR of partition " + p);
                leaders.add(l.leader());
            }
            assertEquals(Set.of("1", "2", "3"), leaders, "leaders spread over the brokers");
            assertAdminAgrees(cluster, before);

            // 2. kill -9 broker 2: new leaders for its partition, every ISR without it
            assertEquals(137, cluster.processes().kill9(TidemarkCluster.name(2)));
            final List<List<Line>> seen = new ArrayList<>();
            Await.await(() -> "leaders moved off broker 2 and ISRs shrunk; last describe " + last(seen), CHANGE_TIMEOUT, () ->
            {
                final List<Line> now = describeQuietly(cluster, seen);
                return now != null && now.stream().allMatch(l -> !l.leader().equals("2") && !l.leader().equals("none")
                    && !l.leader().equals("-1") && l.isr().equals(Set.of(1, 3)));
            });
            final List<Line> down = last(seen);
            for (final Line l : down)
            {
                assertEquals(before.get(l.partition()).replicas(), l.replicas(), "replicas do not change when a broker dies");
                assertTrue(l.isr().contains(Integer.parseInt(l.leader())), "the leader is in the ISR: " + l);
            }
            assertAdminAgrees(cluster, down);

            // 3. restart it: it catches up and rejoins every ISR
            cluster.processes().start(TidemarkCluster.name(2));
            seen.clear();
            Await.await(() -> "every ISR restored to 3; last describe " + last(seen), CHANGE_TIMEOUT, () ->
            {
                final List<Line> now = describeQuietly(cluster, seen);
                return now != null && now.stream().allMatch(l -> l.isr().size() == 3);
            });
            final List<Line> after = last(seen);
            for (final Line l : after)
            {
                assertEquals(Set.copyOf(l.replicas()), l.isr());
            }
            assertAdminAgrees(cluster, after);
        }
    }

    private static List<Line> last(final List<List<Line>> seen)
    {
        return seen.isEmpty() ? List.of() : seen.get(seen.size() - 1);
    }

    private List<Line> describeQuietly(final TidemarkCluster cluster, final List<List<Line>> seen)
    {
        try
        {
            final List<Line> lines = describe(cluster);
            seen.add(lines);
            return lines;
        }
        catch (final Exception | AssertionError ex)
        {
            return null;
        }
    }

    private List<Line> describe(final TidemarkCluster cluster) throws Exception
    {
        final Cli.Run run = Cli.run(cluster.root(), dir, "topics", "--bootstrap-server", cluster.bootstrapServers(), "--describe",
            "--topic", "walk");
        assertEquals(0, run.exit(), run.out() + run.err());
        final List<String> text = run.out().lines().toList();
        assertEquals(4, text.size(), run.out());
        assertTrue(text.get(0).startsWith("Topic: walk\tTopicId: ") && text.get(0).contains("PartitionCount: 3\tReplicationFactor: 3"),
            text.get(0));
        final List<Line> lines = new ArrayList<>();
        for (int i = 1; i < text.size(); i++)
        {
            final Matcher m = PARTITION_LINE.matcher(text.get(i));
            assertTrue(m.matches(), "a describe line: " + text.get(i));
            assertEquals(i - 1, Integer.parseInt(m.group(1)));
            lines.add(new Line(Integer.parseInt(m.group(1)), m.group(2), ints(m.group(3)), Set.copyOf(ints(m.group(4)))));
        }
        return lines;
    }

    private static List<Integer> ints(final String csv)
    {
        final List<Integer> out = new ArrayList<>();
        for (final String s : csv.split(","))
        {
            if (!s.isEmpty())
            {
                out.add(Integer.parseInt(s));
            }
        }
        return out;
    }

    /** The Java Admin client (describeTopics) sees what the CLI printed. */
    private static void assertAdminAgrees(final TidemarkCluster cluster, final List<Line> cli) throws Exception
    {
        final List<TopicPartitionInfo> parts = cluster.describe("walk");
        assertEquals(3, parts.size());
        for (final TopicPartitionInfo p : parts)
        {
            final Line l = cli.get(p.partition());
            assertEquals(l.leader(), String.valueOf(p.leader().id()), "leader of " + p);
            assertEquals(l.replicas(), p.replicas().stream().map(Node::id).toList(), "replicas of " + p);
            assertEquals(l.isr(), Set.copyOf(p.isr().stream().map(Node::id).toList()), "ISR of " + p);
        }
    }
}
