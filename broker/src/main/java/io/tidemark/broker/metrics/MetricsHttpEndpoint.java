package io.tidemark.broker.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The {@code metrics.http.listener} endpoint: {@code GET /metrics} answers every metric of the broker in
 * Prometheus' text format (the Prometheus Java client's exposition), plus the JVM's ({@code jvm_*},
 * {@code process_*}). Its own registry per broker, so several brokers in one JVM each serve their own.
 * The HTTP server's threads are the client library's (daemon).
 */
public final class MetricsHttpEndpoint implements AutoCloseable
{
    private final HTTPServer server;

    private MetricsHttpEndpoint(final HTTPServer server)
    {
        this.server = server;
    }

    /**
     * @param listener {@code host:port} (validated by the config), or empty for none.
     * @param metrics  the broker's metrics.
     * @return the running endpoint, or null when {@code listener} is empty.
     */
    public static MetricsHttpEndpoint start(final String listener, final MetricsRegistry metrics)
    {
        if (listener == null || listener.isBlank())
        {
            return null;
        }
        final String value = listener.trim();
        final int colon = value.lastIndexOf(':');
        final String host = value.substring(0, colon).replace("[", "").replace("]", "");
        final int port = Integer.parseInt(value.substring(colon + 1));
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        JvmMetrics.builder().register(registry);
        try
        {
            final InetAddress address = host.isEmpty() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
            return new MetricsHttpEndpoint(HTTPServer.builder().inetAddress(address).port(port).registry(registry).buildAndStart());
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("metrics.http.listener=" + listener + ": unknown host " + host, ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("metrics.http.listener=" + listener + ": cannot listen: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the bound port.
     */
    public int port()
    {
        return server.getPort();
    }

    @Override
    public void close()
    {
        server.close();
    }
}
