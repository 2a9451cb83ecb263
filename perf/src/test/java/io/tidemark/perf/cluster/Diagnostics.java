package io.tidemark.perf.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.tidemark.testkit.history.FinalRead;
import io.tidemark.testkit.history.History;
import io.tidemark.testkit.history.Op;
import io.tidemark.testkit.process.ProcessCluster;

/**
 * Prints what a failed run needs for diagnosis beyond the checker's report.
 */
final class Diagnostics
{
    private Diagnostics()
    {
    }

    /**
     * Prints acknowledged sends whose value the final read holds at another offset than acknowledged.
     *
     * @param history the run's history.
     * @param read    the final read.
     * @param max     how many to print.
     */
    static void misplacedAcks(final History history, final FinalRead read, final int max)
    {
        final Map<Long, String> where = new HashMap<>();
        read.partitions().forEach((p, log) ->
        {
            for (int i = 0; i < log.size(); i++)
            {
                where.put(log.valueAt(i), p + "@" + log.offsetAt(i));
            }
        });
        int printed = 0;
        for (final Op op : history.ops())
        {
            if (op.type() == Op.Type.OK && op.f() == Op.Fn.SEND)
            {
                final String acked = op.partition() + "@" + op.offset();
                final String found = where.get(op.value());
                if (!acked.equals(found) && printed++ < max)
                {
                    System.out.printf("[diagnostics] value %d (process %d) acknowledged at %s at %.3fs, final read has it at %s%n",
                        op.value(), op.process(), acked, op.timeNanos() / 1e9, found);
                }
            }
        }
    }

    /**
     * Copies every broker's output and data to {@code perf/target/fault-logs/NAME}.
     *
     * @param cluster the cluster.
     * @param name    the run's name.
     */
    static void keepLogs(final TidemarkCluster cluster, final String name)
    {
        final Path to = cluster.root().resolve("perf/target/fault-logs").resolve(name);
        try
        {
            Files.createDirectories(to);
            for (final ProcessCluster.Node node : cluster.processes().nodes())
            {
                Files.copy(node.stdoutFile(), to.resolve(node.name() + ".out"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(node.stderrFile(), to.resolve(node.name() + ".err"), StandardCopyOption.REPLACE_EXISTING);
                final Path data = to.resolve(node.name() + "-data");
                try (Stream<Path> files = Files.walk(node.dataDir()))
                {
                    for (final Path f : files.toList())
                    {
                        final Path target = data.resolve(node.dataDir().relativize(f).toString());
                        if (Files.isDirectory(f))
                        {
                            Files.createDirectories(target);
                        }
                        else
                        {
                            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            System.out.println("[diagnostics] broker output kept in " + to);
        }
        catch (final IOException ex)
        {
            System.out.println("[diagnostics] cannot keep the broker output: " + ex);
        }
    }
}
