package io.tidemark.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Echoes every byte back; closes a connection when its client half-closes. Counts what it sees. */
final class EchoServer implements AutoCloseable
{
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final AtomicLong received = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();

    EchoServer() throws IOException
    {
        listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "tidemark-test-echo-accept");
        acceptor.start();
    }

    InetSocketAddress address()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private void acceptLoop()
    {
        try
        {
            while (true)
            {
                final Socket s = listener.accept();
                accepted.incrementAndGet();
                sockets.add(s);
                final Thread t = new Thread(() -> echo(s), "tidemark-test-echo-" + accepted.get());
                threads.add(t);
                t.start();
            }
        }
        catch (final IOException e)
        {
            // closed
        }
    }

    private void echo(final Socket s)
    {
        try (s)
        {
            final InputStream in = s.getInputStream();
            final OutputStream out = s.getOutputStream();
            final byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0)
            {
                received.addAndGet(n);
                out.write(buf, 0, n);
                out.flush();
            }
        }
        catch (final IOException e)
        {
            // reset by the proxy: fine
        }
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
        for (final Socket s : sockets)
        {
            s.close();
        }
        try
        {
            acceptor.join(5000);
            for (final Thread t : threads)
            {
                t.join(5000);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
