package io.tidemark.testkit.fault;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A one-node toy log served over a line protocol, run as a child JVM by the end-to-end fault tests:
 * {@code broker --config FILE}. {@code APPEND v} answers {@code OK offset}; {@code READ from} answers
 * {@code RECORDS end o:v o:v ...} (at most 500). With {@code durable=true} every append is written and
 * fsynced to {@code data.dir/log.bin} before it is acknowledged and reloaded at start; with
 * {@code durable=false} the log lives in memory only, so kill -9 loses acknowledged records — the bug the
 * checker must catch.
 */
public final class ToyLogMain
{
    private static final List<Long> LOG = new ArrayList<>();
    private static FileChannel file;

    private ToyLogMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Properties config = new Properties();
        try (InputStream in = new FileInputStream(args[2]))
        {
            config.load(in);
        }
        if (Boolean.parseBoolean(config.getProperty("durable")))
        {
            final Path dir = Path.of(config.getProperty("data.dir"));
            Files.createDirectories(dir);
            file = FileChannel.open(dir.resolve("log.bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            final ByteBuffer all = ByteBuffer.allocate((int)(file.size() / 8 * 8));
            file.read(all, 0);
            all.flip();
            while (all.remaining() >= 8)
            {
                LOG.add(all.getLong());
            }
            file.position(LOG.size() * 8L);
        }
        final ServerSocket server = new ServerSocket(Integer.parseInt(config.getProperty("port")), 50,
            InetAddress.getLoopbackAddress());
        System.out.println("toy log with " + LOG.size() + " records on " + server.getLocalPort());
        while (true)
        {
            final Socket s = server.accept();
            final Thread t = new Thread(() -> serve(s), "toy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(final Socket s)
    {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)))
        {
            final PrintStream out = new PrintStream(s.getOutputStream(), true, StandardCharsets.US_ASCII);
            String line;
            while ((line = in.readLine()) != null)
            {
                final String[] parts = line.split(" ");
                if ("APPEND".equals(parts[0]))
                {
                    out.println("OK " + append(Long.parseLong(parts[1])));
                }
                else if ("READ".equals(parts[0]))
                {
                    out.println(read(Integer.parseInt(parts[1])));
                }
                else
                {
                    out.println("ERR unknown command");
                }
            }
        }
        catch (final IOException ignored)
        {
            // the client or the proxy went away
        }
    }

    private static synchronized long append(final long value) throws IOException
    {
        if (file != null)
        {
            final ByteBuffer b = ByteBuffer.allocate(8).putLong(value).flip();
            while (b.hasRemaining())
            {
                file.write(b);
            }
            file.force(false);
        }
        LOG.add(value);
        return LOG.size() - 1;
    }

    private static synchronized String read(final int from)
    {
        final StringBuilder sb = new StringBuilder("RECORDS ").append(LOG.size());
        for (int o = from; o < Math.min(LOG.size(), from + 500); o++)
        {
            sb.append(' ').append(o).append(':').append(LOG.get(o));
        }
        return sb.toString();
    }
}
