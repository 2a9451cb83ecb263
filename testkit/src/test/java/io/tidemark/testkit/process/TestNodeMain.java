package io.tidemark.testkit.process;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A tiny stand-in for a broker, run as a child JVM by ProcessClusterTest: {@code broker --config FILE}.
 * Config: {@code port} (answers each line "x" with "pong x"), {@code data.dir} (events.log gets "started"
 * and, from the shutdown hook, "shutdown-hook"), {@code hang.on.shutdown} (the hook never returns),
 * {@code exit.at.start} (exit at once with that code).
 */
public final class TestNodeMain
{
    /** Keeps mappings alive (and their pages dirty) until the process dies. */
    private static final List<MappedByteBuffer> MAPPINGS = new ArrayList<>();
    private static final List<FileChannel> CHANNELS = new ArrayList<>();

    private TestNodeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 3 || !"broker".equals(args[0]) || !"--config".equals(args[1]))
        {
            System.err.println("usage: broker --config FILE");
            System.exit(2);
        }
        final Properties config = new Properties();
        try (InputStream in = new FileInputStream(args[2]))
        {
            config.load(in);
        }
        if (config.containsKey("exit.at.start"))
        {
            System.err.println("failing on purpose at start");
            System.exit(Integer.parseInt(config.getProperty("exit.at.start")));
        }
        final Path dataDir = Path.of(config.getProperty("data.dir"));
        Files.createDirectories(dataDir);
        final Path events = dataDir.resolve("events.log");
        final boolean hang = Boolean.parseBoolean(config.getProperty("hang.on.shutdown", "false"));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            event(events, "shutdown-hook");
            if (hang)
            {
                System.out.println("hanging in the shutdown hook");
                System.out.flush();
                while (true)
                {
                    try
                    {
                        Thread.sleep(60_000);
                    }
                    catch (final InterruptedException ignored)
                    {
                        // keep hanging
                    }
                }
            }
        }, "test-node-shutdown"));
        if (config.containsKey("mapped.file"))
        {
            mappedWrites(dataDir, dataDir.resolve(config.getProperty("mapped.file")));
        }
        final int port = Integer.parseInt(config.getProperty("port"));
        event(events, "started"); // before the port answers, so readiness implies the event is on disk
        final ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        System.out.println("test node listening on " + port);
        System.out.flush();
        while (true)
        {
            final Socket s = server.accept();
            final Thread t = new Thread(() -> serve(s), "test-node-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(final Socket s)
    {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)))
        {
            final OutputStream raw = s.getOutputStream();
            final PrintStream out = new PrintStream(raw, true, StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null)
            {
                out.println("pong " + line);
            }
        }
        catch (final IOException ignored)
        {
            // client gone
        }
    }

    /**
     * A durable 8 KiB file (fsynced, its directory fsynced), then through a shared mapping: byte 0 = 1 and
     * force(), byte 4096 = 2 and no force. What a segment's tail looks like to a power cut.
     */
    private static void mappedWrites(final Path dataDir, final Path file) throws IOException
    {
        // left open, as a segment is: the dirty page reaches the filesystem only when the process dies
        final FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(new byte[8192]), 0);
        ch.force(true);
        try (FileChannel d = FileChannel.open(dataDir, StandardOpenOption.READ))
        {
            d.force(true);
        }
        final MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
        map.put(0, (byte)1);
        map.force();
        map.put(4096, (byte)2);
        MAPPINGS.add(map);
        CHANNELS.add(ch);
    }

    private static void event(final Path events, final String what)
    {
        try
        {
            Files.writeString(events, what + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        }
        catch (final IOException e)
        {
            e.printStackTrace();
        }
    }
}
