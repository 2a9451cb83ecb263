package io.tidemark.broker.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark top}: a live terminal view of a running cluster's key figures, read from each broker's
 * {@code metrics.http.listener} endpoint: records and bytes per second in and out, partitions, leaders,
 * under-replicated partitions, the unsynced window, fsync and produce latency, connections. Rates are the
 * difference between two scrapes. Runs on the calling thread until interrupted or {@code --iterations}.
 */
@Command(name = "top", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Live view of a cluster's key figures, from the brokers' metrics.http.listener endpoints.")
public final class TopCommand implements Callable<Integer>
{
    private static final String HEADER = String.format("%-22s %10s %11s %11s %6s %6s %6s %9s %9s %9s %6s",
        "broker", "msgs-in/s", "bytes-in/s", "bytes-out/s", "parts", "leads", "under", "unsynced", "fsync-p99", "prod-p99", "conns");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--metrics-endpoint", required = true, split = ",", paramLabel = "HOST:PORT",
        description = "The brokers' metrics.http.listener addresses, comma-separated.")
    List<String> endpoints;

    @Option(names = "--interval-ms", defaultValue = "2000", paramLabel = "MS", description = "Refresh interval (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--iterations", defaultValue = "0", paramLabel = "N", description = "Stop after N refreshes (default: until interrupted).")
    int iterations;

    @Override
    public Integer call() throws InterruptedException
    {
        if (intervalMs < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval-ms must be at least 1, got " + intervalMs);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final boolean terminal = System.console() != null;
        Map<String, Map<String, Double>> previous = new HashMap<>();
        long previousNs = System.nanoTime();
        for (int i = 0; iterations == 0 || i < iterations; i++)
        {
            if (i > 0)
            {
                Thread.sleep(intervalMs); // a person's refresh rate, not synchronisation
            }
            final long nowNs = System.nanoTime();
            final double seconds = Math.max(1e-3, (nowNs - previousNs) / 1e9);
            final Map<String, Map<String, Double>> current = new HashMap<>();
            final List<String> rows = new ArrayList<>();
            for (final String endpoint : endpoints)
            {
                final Map<String, Double> scraped = scrape(http, endpoint.trim());
                if (scraped == null)
                {
                    rows.add(String.format("%-22s %s", endpoint, "unreachable"));
                    continue;
                }
                current.put(endpoint, scraped);
                rows.add(row(endpoint, scraped, previous.get(endpoint), seconds));
            }
            if (terminal)
            {
                out.print("\033[H\033[2J");
            }
            out.println(HEADER);
            rows.forEach(out::println);
            out.flush();
            previous = current;
            previousNs = nowNs;
        }
        return 0;
    }

    private static String row(final String endpoint, final Map<String, Double> now, final Map<String, Double> before, final double seconds)
    {
        return String.format("%-22s %10s %11s %11s %6.0f %6.0f %6.0f %9.0f %9.2f %9.2f %6.0f", endpoint,
            rate(now, before, "kafka_server_brokertopicmetrics_messagesin_total", seconds),
            rate(now, before, "kafka_server_brokertopicmetrics_bytesin_total", seconds),
            rate(now, before, "kafka_server_brokertopicmetrics_bytesout_total", seconds),
            now.getOrDefault("kafka_server_replicamanager_partitioncount", 0.0),
            now.getOrDefault("kafka_server_replicamanager_leadercount", 0.0),
            now.getOrDefault("kafka_server_replicamanager_underreplicatedpartitions", 0.0),
            now.getOrDefault("sum:tidemark_log_log_unsyncedrecords", 0.0),
            now.getOrDefault("max:tidemark_log_logdir_fsynctimems{quantile=\"0.99\"}", 0.0),
            now.getOrDefault("kafka_network_requestmetrics_totaltimems{quantile=\"0.99\",request=\"Produce\"}", 0.0),
            now.getOrDefault("sum:kafka_server_socket_server_metrics_connection_count", 0.0));
    }

    private static String rate(final Map<String, Double> now, final Map<String, Double> before, final String name, final double seconds)
    {
        final Double n = now.get(name);
        final Double b = before == null ? null : before.get(name);
        if (n == null || b == null)
        {
            return "-";
        }
        return String.format("%.0f", Math.max(0, n - b) / seconds);
    }

    /**
     * @return the samples by their text-format name and labels (as written), plus {@code sum:NAME} and
     *         {@code max:NAME{quantile=...}} aggregates; null when the endpoint cannot be read.
     */
    static Map<String, Double> scrape(final HttpClient http, final String endpoint)
    {
        final String body;
        try
        {
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + "/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200)
            {
                return null;
            }
            body = r.body();
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
        return parse(body);
    }

    static Map<String, Double> parse(final String body)
    {
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : body.split("\n"))
        {
            if (line.isEmpty() || line.charAt(0) == '#')
            {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            if (space <= 0)
            {
                continue;
            }
            final double value;
            try
            {
                value = Double.parseDouble(line.substring(space + 1));
            }
            catch (final NumberFormatException ex)
            {
                continue;
            }
            final String key = line.substring(0, space);
            samples.put(key, value);
            final int brace = key.indexOf('{');
            final String name = brace < 0 ? key : key.substring(0, brace);
            samples.merge("sum:" + name, value, Double::sum);
            final int quantile = key.indexOf("quantile=\"");
            if (quantile >= 0)
            {
                final String q = key.substring(quantile, key.indexOf('"', quantile + 10) + 1);
                samples.merge("max:" + name + "{" + q + "}", value, Math::max);
            }
        }
        return samples;
    }
}
