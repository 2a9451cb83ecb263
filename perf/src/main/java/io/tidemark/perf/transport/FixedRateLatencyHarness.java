package io.tidemark.perf.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.transport.ClientConnection;
import io.tidemark.transport.RpcServer;
import io.tidemark.transport.Send;
import io.tidemark.transport.TransportClient;
import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.TransportServer;
import org.HdrHistogram.Histogram;

/**
 * Open-loop latency at a fixed request rate on loopback, HdrHistogram in nanoseconds, the transport beside a
 * raw-socket pipeline at the same rate in the same run.
 *
 * <pre>
 *   pacer thread: request i is due at t0 + i / rate; its due time travels in the payload
 *   raw:        pacer ─► blocking socket ─► echo thread ─► reader thread records (now - due)
 *   transport:  pacer ─► ClientConnection.request ─► TransportServer + RpcServer echo
 *               ─► completion on the client selector records (now - due)
 * </pre>
 *
 * Latency is measured from the time a request was due, not from when it was sent, so a sender that falls behind
 * is charged for it (no coordinated omission). Warm-up results are discarded (histogram reset).
 *
 * <p>Arguments: {@code [ratePerSecond=10000] [seconds=5] [warmupSeconds=2] [payloadBytes=64]}.
 */
public final class FixedRateLatencyHarness
{
    private static final int ECHO_API = 1;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);

    private FixedRateLatencyHarness()
    {
    }

    /**
     * Runs both variants and prints percentiles, throughput and ratios.
     *
     * @param args rate per second, measured seconds, warm-up seconds, payload bytes.
     * @throws Exception on I/O failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rate = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int warmupSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        final int payloadBytes = Math.max(8, args.length > 3 ? Integer.parseInt(args[3]) : 64);
        System.out.printf("rate=%d/s seconds=%d warmup=%d payload=%dB cpus=%d%n",
            rate, seconds, warmupSeconds, payloadBytes, Runtime.getRuntime().availableProcessors());

        final Result raw = runRaw(rate, seconds, warmupSeconds, payloadBytes);
        final Result transport = runTransport(rate, seconds, warmupSeconds, payloadBytes);
        raw.print("raw socket pipeline (ceiling)");
        transport.print("TransportClient -> RpcServer");
        System.out.printf("ratio transport/raw: p50 %.2f  p99 %.2f  p99.9 %.2f  p99.99 %.2f  max %.2f%n",
            ratio(transport, raw, 50), ratio(transport, raw, 99), ratio(transport, raw, 99.9),
            ratio(transport, raw, 99.99), (double)transport.histogram.getMaxValue() / raw.histogram.getMaxValue());
    }

    private static double ratio(final Result a, final Result b, final double percentile)
    {
        return (double)a.histogram.getValueAtPercentile(percentile) / b.histogram.getValueAtPercentile(percentile);
    }

    private static Result runRaw(final int rate, final int seconds, final int warmupSeconds, final int payloadBytes)
        throws Exception
    {
        final Histogram histogram = new Histogram(HIGHEST_NS, 3);
        final AtomicLong received = new AtomicLong();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread echo = new Thread(() -> echo(listener), "raw-echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()))
            {
                socket.setTcpNoDelay(true);
                final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                final Thread reader = new Thread(() ->
                {
                    try
                    {
                        final byte[] body = new byte[payloadBytes];
                        while (true)
                        {
                            in.readInt();
                            in.readFully(body);
                            final long dueNs = ByteBuffer.wrap(body).getLong(0);
                            histogram.recordValue(Math.min(HIGHEST_NS, System.nanoTime() - dueNs));
                            received.incrementAndGet();
                        }
                    }
                    catch (final IOException ex)
                    {
                        // closed: run over
                    }
                }, "raw-reader");
                reader.setDaemon(true);
                reader.start();
                final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
                final byte[] payload = new byte[payloadBytes];
                final Pacer pacer = new Pacer(rate);
                final long warmupCount = (long)rate * warmupSeconds;
                final long total = warmupCount + (long)rate * seconds;
                long resetAt = -1;
                for (long i = 0; i < total; i++)
                {
                    final long dueNs = pacer.awaitDue(i);
                    ByteBuffer.wrap(payload).putLong(0, dueNs);
                    out.writeInt(payloadBytes);
                    out.write(payload);
                    out.flush();
                    if (i == warmupCount)
                    {
                        resetAt = i;
                        awaitCount(received, i);
                        histogram.reset();
                    }
                }
                awaitCount(received, total);
                return new Result(histogram, total - resetAt, pacer.elapsedNs(total - resetAt));
            }
        }
    }

    private static Result runTransport(final int rate, final int seconds, final int warmupSeconds,
        final int payloadBytes)
    {
        final Histogram histogram = new Histogram(HIGHEST_NS, 3);
        final AtomicLong received = new AtomicLong();
        final TransportConfig config = TransportConfig.builder().maxInFlightRequestsPerConnection(4096).build();
        final RpcServer rpc = RpcServer.builder()
            .register(ECHO_API, 0, 0, request -> request.respond(Send.of(request.body())))
            .build();
        try (TransportServer server = TransportServer.start(config, new InetSocketAddress("127.0.0.1", 0), rpc);
            TransportClient client = TransportClient.start(config))
        {
            final ClientConnection connection =
                client.connectBlocking(new InetSocketAddress("127.0.0.1", server.port()));
            final Pacer pacer = new Pacer(rate);
            final long warmupCount = (long)rate * warmupSeconds;
            final long total = warmupCount + (long)rate * seconds;
            long resetAt = -1;
            for (long i = 0; i < total; i++)
            {
                final long dueNs = pacer.awaitDue(i);
                final ByteBuffer body = ByteBuffer.allocate(payloadBytes).putLong(0, dueNs);
                connection.request(ECHO_API, 0, Send.of(body)).whenComplete((response, error) ->
                {
                    if (null == error)
                    {
                        // runs on the client selector thread: the histogram's single writer
                        final long sentNs = response.body().getLong(response.body().position());
                        histogram.recordValue(Math.min(HIGHEST_NS, System.nanoTime() - sentNs));
                    }
                    received.incrementAndGet();
                });
                if (i == warmupCount)
                {
                    resetAt = i;
                    awaitCount(received, i);
                    histogram.reset();
                }
            }
            awaitCount(received, total);
            return new Result(histogram, total - resetAt, pacer.elapsedNs(total - resetAt));
        }
    }

    private static void echo(final ServerSocket listener)
    {
        try (Socket socket = listener.accept())
        {
            socket.setTcpNoDelay(true);
            final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            byte[] body = new byte[0];
            while (true)
            {
                final int length = in.readInt();
                if (body.length != length)
                {
                    body = new byte[length];
                }
                in.readFully(body);
                out.writeInt(length);
                out.write(body);
                if (in.available() == 0)
                {
                    out.flush();
                }
            }
        }
        catch (final IOException ex)
        {
            // closed: run over
        }
    }

    private static void awaitCount(final AtomicLong counter, final long target)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (counter.get() < target)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("only " + counter.get() + " of " + target + " responses arrived");
            }
            LockSupport.parkNanos(50_000);
        }
    }

    /**
     * Paces request i to t0 + i * interval, spinning for the last stretch.
     */
    private static final class Pacer
    {
        private final long intervalNs;
        private final long startNs = System.nanoTime();

        Pacer(final int ratePerSecond)
        {
            intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        }

        long awaitDue(final long i)
        {
            final long dueNs = startNs + i * intervalNs;
            long nowNs;
            while ((nowNs = System.nanoTime()) - dueNs < 0)
            {
                if (dueNs - nowNs > 200_000)
                {
                    LockSupport.parkNanos(dueNs - nowNs - 100_000);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            return dueNs;
        }

        long elapsedNs(final long count)
        {
            return count * intervalNs;
        }
    }

    private record Result(Histogram histogram, long count, long intervalNs)
    {
        void print(final String name)
        {
            final double us = 1_000.0;
            System.out.printf("%-32s n=%d  %.0f req/s  p50 %.1f us  p99 %.1f us  p99.9 %.1f us  p99.99 %.1f us  max %.1f us%n",
                name, histogram.getTotalCount(), histogram.getTotalCount() * 1e9 / intervalNs,
                histogram.getValueAtPercentile(50) / us, histogram.getValueAtPercentile(99) / us,
                histogram.getValueAtPercentile(99.9) / us, histogram.getValueAtPercentile(99.99) / us,
                histogram.getMaxValue() / us);
        }
    }
}
