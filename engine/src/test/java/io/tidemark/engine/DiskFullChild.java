package io.tidemark.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child JVM of {@link StorageFailureTest}: appends to a log on a small file system until the disk is
 * full and reports what it saw, one fact per line on stdout. Modes:
 *
 * <pre>
 *  clean   fill, append again, read back, close, reopen, read back
 *  crash   fill, append again, read back, then halt without closing (like kill -9)
 *  reopen  open the log a crash left (recovery on the full disk), read back, append once more
 * </pre>
 *
 * Lines: {@code FULL status=.. kind=.. path=.. appended=N ...}, {@code AGAIN status=..},
 * {@code READ n=N match=..}, {@code CLOSED} or {@code CLOSE_FAILED ..}, {@code REOPEN end=N match=..
 * clean=..} or {@code REOPEN_FAILED ..}, {@code NEXT status=..}, {@code DONE}. The values are
 * {@code v<i>-<padding>}, so the reopening process knows what to expect. A SIGBUS would kill the JVM
 * (or surface as an InternalError on the writer) before DONE.
 */
public final class DiskFullChild
{
    private static final String PADDING = "x".repeat(900);
    private static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(1024 * 1024)
        .preallocateBytes(64 * 1024)
        .retentionMs(-1)
        .build();

    private DiskFullChild()
    {
    }

    /**
     * @param args the directory to create the log in (on the small file system) and the mode.
     */
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]).resolve("full-0");
        switch (args[1])
        {
            case "clean" -> clean(dir);
            case "crash" -> crash(dir);
            case "reopen" -> reopen(dir);
            default -> throw new IllegalArgumentException(args[1]);
        }
        say("DONE");
    }

    private static String value(final int i)
    {
        return "v" + i + "-" + PADDING;
    }

    private static void clean(final Path dir)
    {
        final List<String> appended = new ArrayList<>();
        try (Log log = Log.options(dir).config(CONFIG).open())
        {
            fill(log, appended);
        }
        catch (final RuntimeException ex)
        {
            say("CLOSE_FAILED " + ex);
        }
        say("CLOSED");
        try (Log log = Log.options(dir).config(CONFIG).open())
        {
            final List<String> read = Batches.values(log);
            say("REOPEN end=" + log.logEndOffset() + " match=" + read.equals(appended) + " clean=" +
                log.recoveryReport().cleanShutdown());
        }
        catch (final RuntimeException ex)
        {
            say("REOPEN_FAILED " + ex);
            ex.printStackTrace(System.out);
        }
    }

    private static void crash(final Path dir)
    {
        final List<String> appended = new ArrayList<>();
        final Log log = Log.options(dir).config(CONFIG).open();
        fill(log, appended);
        say("HALT");
        Runtime.getRuntime().halt(0);
    }

    private static void reopen(final Path dir)
    {
        try (Log log = Log.options(dir).config(CONFIG).open())
        {
            final List<String> read = Batches.values(log);
            boolean match = true;
            for (int i = 0; i < read.size(); i++)
            {
                match &= read.get(i).equals(value(i));
            }
            say("REOPEN end=" + log.logEndOffset() + " match=" + match + " clean=" + log.recoveryReport().cleanShutdown());
            final AppendResult next = Batches.append(log, 9000, value(read.size()));
            say("NEXT status=" + AppendResult.statusName(next.status()) + " failure=" + log.failure());
        }
        catch (final RuntimeException ex)
        {
            say("REOPEN_FAILED " + ex);
            ex.printStackTrace(System.out);
        }
    }

    private static void fill(final Log log, final List<String> appended)
    {
        for (int i = 0; i < 100_000; i++)
        {
            final AppendResult r = Batches.append(log, 1000 + i, value(i));
            if (!r.succeeded())
            {
                final StorageException se = r.error() instanceof StorageException e ? e : null;
                say("FULL status=" + AppendResult.statusName(r.status()) + " kind=" + (se == null ? "none" : se.kind()) +
                    " path=" + (se == null ? "none" : se.path()) + " appended=" + appended.size() +
                    " end=" + log.logEndOffset() + " failure=" + log.failure() + " error=" + r.error());
                break;
            }
            appended.add(value(i));
        }
        final AppendResult again = Batches.append(log, 5000, value(appended.size()));
        say("AGAIN status=" + AppendResult.statusName(again.status()) + " end=" + log.logEndOffset());
        if (again.succeeded())
        {
            appended.add(value(appended.size()));
        }
        final List<String> read = Batches.values(log);
        say("READ n=" + read.size() + " match=" + read.equals(appended));
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
