package io.tidemark.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * A Kafka-aware TCP proxy for tests: forwards every frame, but drops chosen Produce responses and then
 * cuts the client's connection, as if the acknowledgement was lost (the client must retry, and an idempotent
 * broker must not write the batch twice).
 */
final class ResponseDroppingProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger produceResponses = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final IntPredicate drop;
    private volatile int targetPort;
    private volatile boolean closed;

    /**
     * @param drop given the 1-based number of a Produce response, true to drop it.
     * @throws IOException if it cannot listen.
     */
    ResponseDroppingProxy(final IntPredicate drop) throws IOException
    {
        this.drop = drop;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    void target(final int port)
    {
        targetPort = port;
    }

    int dropped()
    {
        return dropped.get();
    }

    private void accept()
    {
        while (!closed)
        {
            try
            {
                final Socket client = server.accept();
                final Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress("127.0.0.1", targetPort), 5000);
                sockets.add(client);
                sockets.add(upstream);
                final Map<Integer, Short> apiByCorrelation = new ConcurrentHashMap<>();
                start("proxy-up", () -> pump(client, upstream, apiByCorrelation, true));
                start("proxy-down", () -> pump(upstream, client, apiByCorrelation, false));
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    ex.printStackTrace();
                }
                return;
            }
        }
    }

    private void start(final String name, final Runnable r)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void pump(final Socket from, final Socket to, final Map<Integer, Short> apis, final boolean requests)
    {
        try
        {
            final DataInputStream in = new DataInputStream(from.getInputStream());
            final DataOutputStream out = new DataOutputStream(to.getOutputStream());
            while (true)
            {
                final int size = in.readInt();
                final byte[] body = new byte[size];
                in.readFully(body);
                final ByteBuffer b = ByteBuffer.wrap(body);
                if (requests)
                {
                    apis.put(b.getInt(4), b.getShort(0));
                }
                else
                {
                    final Short api = apis.remove(b.getInt(0));
                    if (api != null && api == ApiKeys.PRODUCE.id && drop.test(produceResponses.incrementAndGet()))
                    {
                        dropped.incrementAndGet();
                        from.close();
                        to.close();
                        return;
                    }
                }
                out.writeInt(size);
                out.write(body);
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        sockets.forEach(ResponseDroppingProxy::closeQuietly);
        for (final Thread t : threads)
        {
            try
            {
                t.join(5000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
