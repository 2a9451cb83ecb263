package io.tidemark.testkit.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.tidemark.testkit.Await;

/**
 * A mount of lossyfs, the FUSE filesystem that forgets what was not fsynced (LazyFS semantics; the C source
 * is the resource {@code lossyfs.c} beside this class's package, compiled with gcc and libfuse3 on first use).
 * Every operation passes through to a backing directory; the filesystem keeps the synced content of every
 * page written since its file's last fsync and every namespace operation whose directory was not fsynced.
 * {@link #cut()} drops all of it (or {@link #cutTorn(long) tears} it page by page), after which the mount
 * refuses every write until {@link #remount()}: the kernel's dirty pages of a killed process's mappings
 * never arrive.
 *
 * <p>Measured on this kernel (LossyFsTest proves each): {@code MappedByteBuffer.force()} is an msync, which
 * the kernel turns into the dirty pages' writes followed by a FUSE fsync; mapped writes not forced reach the
 * filesystem only at writeback or when the process's files are closed (its exit, SIGKILL included), as
 * unsynced writes the cut drops. The mount uses neither {@code direct_io} (shared writable mappings need the
 * page cache) nor {@code writeback_cache} (write() stays write-through, so what the filesystem saw is what the
 * process wrote).
 *
 * <p>Thread-safe: the control file serialises commands; mount and unmount are synchronized.
 */
public final class LossyFs implements AutoCloseable
{
    /** The control file's name in the mount's root (not listed by readdir). */
    public static final String CONTROL = ".lossyfs-ctl";

    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(20);
    private static Path binary;
    private static String unavailable;

    private final Path backing;
    private final Path trash;
    private final Path mountPoint;
    private final Path log;
    private Process daemon;

    private LossyFs(final Path backing, final Path trash, final Path mountPoint, final Path log)
    {
        this.backing = backing;
        this.trash = trash;
        this.mountPoint = mountPoint;
        this.log = log;
    }

    /**
     * @return why lossyfs cannot be used here (no /dev/fuse, no gcc, no libfuse3 headers, the build failed),
     *         or empty when it can; the first call builds the program.
     */
    public static synchronized Optional<String> unavailable()
    {
        if (binary == null && unavailable == null)
        {
            try
            {
                binary = build();
            }
            catch (final IOException | IllegalStateException e)
            {
                unavailable = e.getMessage();
            }
        }
        return Optional.ofNullable(unavailable);
    }

    /**
     * Mounts a lossy filesystem over a backing directory.
     *
     * @param backing    where the data lives (created if missing).
     * @param trash      where unlinked files wait for their directory's fsync; same filesystem as backing.
     * @param mountPoint an empty directory (created if missing).
     * @param log        where the filesystem's messages are appended.
     * @return the mounted filesystem.
     */
    public static LossyFs mount(final Path backing, final Path trash, final Path mountPoint, final Path log)
    {
        final Optional<String> why = unavailable();
        if (why.isPresent())
        {
            throw new IllegalStateException("lossyfs is unavailable: " + why.get());
        }
        final LossyFs fs = new LossyFs(backing.toAbsolutePath(), trash.toAbsolutePath(), mountPoint.toAbsolutePath(),
            log.toAbsolutePath());
        fs.start();
        return fs;
    }

    /** @return the mount point. */
    public Path mountPoint()
    {
        return mountPoint;
    }

    /** @return the backing directory (read it only while the mount is cut or unmounted). */
    public Path backing()
    {
        return backing;
    }

    /** Drops everything not synced: pages, sizes and namespace operations; the mount then refuses writes. */
    public void cut()
    {
        command("cut");
    }

    /**
     * Tears everything not synced: each unsynced page independently old, new or zero; a random prefix of the
     * namespace operations survives. The same seed over the same unsynced state gives the same result.
     *
     * @param seed the seed.
     */
    public void cutTorn(final long seed)
    {
        command("cut-torn " + Long.toUnsignedString(seed));
    }

    /**
     * @param glob an fnmatch pattern over paths from the mount's root, e.g. {@code "/*&#47;*.log"}: the next
     *             fsync of a matching file or directory fails with EIO.
     */
    public void failNextFsync(final String glob)
    {
        command("fail-fsync " + glob);
    }

    /**
     * @param glob every write past a file's size, extending truncate, fallocate or create of a matching path fails
     *             with ENOSPC (a full disk: blocks already reserved, by fallocate or earlier writes, take overwrites).
     */
    public void enospc(final String glob)
    {
        command("enospc " + glob);
    }

    /** Ends every injected fault. */
    public void clearFaults()
    {
        command("clear");
    }

    /** @return the filesystem's state: {@code key value} lines, then one {@code file ...} line per dirty file. */
    public String status()
    {
        try
        {
            return Files.readString(mountPoint.resolve(CONTROL), StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read the state of lossyfs at " + mountPoint, e);
        }
    }

    /** @return the numeric fields of {@link #status()} (cut, dirty-files, unsynced-pages, unsynced-bytes, ...). */
    public Map<String, Long> counters()
    {
        final Map<String, Long> result = new LinkedHashMap<>();
        for (final String line : status().split("\n"))
        {
            final String[] parts = line.split(" ");
            if (parts.length == 2)
            {
                result.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return result;
    }

    /** Unmounts (the state of a cut stays in the backing directory) and mounts again: a rebooted machine. */
    public synchronized void remount()
    {
        unmount();
        start();
    }

    /** Unmounts; unsynced data stays as it is in the backing directory (a clean unmount, not a cut). */
    public synchronized void unmount()
    {
        if (daemon == null)
        {
            return;
        }
        final Process p = daemon;
        daemon = null;
        if (run(List.of("fusermount3", "-u", mountPoint.toString())) != 0)
        {
            // busy (a mapping of this JVM): detach it, and the daemon would serve the old references forever
            run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
            p.destroy();
        }
        try
        {
            if (!p.waitFor(10, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    @Override
    public void close()
    {
        unmount();
    }

    private synchronized void start()
    {
        try
        {
            Files.createDirectories(backing);
            Files.createDirectories(trash);
            Files.createDirectories(mountPoint);
            Files.createDirectories(log.getParent());
            final ProcessBuilder pb = new ProcessBuilder(binary.toString(), backing.toString(), trash.toString(),
                mountPoint.toString(), "-f", "-o", "auto_unmount")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            daemon = pb.start();
            daemon.getOutputStream().close();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot start lossyfs on " + mountPoint, e);
        }
        final Process p = daemon;
        Await.await(() -> "lossyfs mounted at " + mountPoint + " (log " + log + ")", MOUNT_TIMEOUT,
            () ->
            {
                if (!p.isAlive())
                {
                    throw new IllegalStateException("lossyfs exited with " + p.exitValue() + " mounting " + mountPoint
                        + "; see " + log);
                }
                return Files.exists(mountPoint.resolve(CONTROL));
            });
    }

    private void command(final String command)
    {
        try
        {
            Files.writeString(mountPoint.resolve(CONTROL), command, StandardCharsets.UTF_8, StandardOpenOption.WRITE);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("lossyfs at " + mountPoint + " refused '" + command + "' (see " + log + ")", e);
        }
    }

    private static int run(final List<String> cmd)
    {
        try
        {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            return p.waitFor();
        }
        catch (final IOException e)
        {
            return -1;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String output(final List<String> cmd) throws IOException
    {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try
        {
            if (p.waitFor() != 0)
            {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        }
        return out;
    }

    private static Path build() throws IOException
    {
        if (!Files.exists(Path.of("/dev/fuse")))
        {
            throw new IllegalStateException("/dev/fuse does not exist");
        }
        final byte[] source;
        try (InputStream in = LossyFs.class.getResourceAsStream("/io/tidemark/testkit/lossyfs/lossyfs.c"))
        {
            if (in == null)
            {
                throw new IllegalStateException("the resource lossyfs.c is missing from the class path");
            }
            source = in.readAllBytes();
        }
        final String hash;
        try
        {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
        final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tidemark-lossyfs-" + hash);
        final Path program = dir.resolve("lossyfs");
        if (Files.isExecutable(program))
        {
            return program;
        }
        Files.createDirectories(dir);
        final Path src = dir.resolve("lossyfs.c");
        Files.write(src, source);
        final String flags;
        try
        {
            flags = output(List.of("pkg-config", "--cflags", "--libs", "fuse3"));
        }
        catch (final IOException | IllegalStateException e)
        {
            throw new IllegalStateException("libfuse3's development files are missing (apt-get install fuse3 libfuse3-dev): "
                + e.getMessage());
        }
        final Path partial = dir.resolve("lossyfs." + ProcessHandle.current().pid());
        final List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", partial.toString(), src.toString()));
        cmd.addAll(List.of(flags.split("\\s+")));
        try
        {
            output(cmd);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("gcc is missing: " + e.getMessage());
        }
        if (run(List.of("fusermount3", "-V")) != 0)
        {
            throw new IllegalStateException("fusermount3 is missing (apt-get install fuse3)");
        }
        Files.move(partial, program, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return program;
    }
}
