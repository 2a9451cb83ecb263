package io.tidemark.testkit.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * POSIX signals Java cannot send itself (STOP, CONT, QUIT) through {@code kill(1)}, and process states
 * from {@code /proc}. Linux only.
 */
final class Signals
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(2);

    private Signals()
    {
    }

    /**
     * @param pid    the process.
     * @param signal the signal name without SIG, e.g. {@code STOP}.
     */
    static void send(final long pid, final String signal)
    {
        final ProcessBuilder pb = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true);
        try
        {
            final Process kill = pb.start();
            kill.getOutputStream().close();
            final String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!kill.waitFor(10, TimeUnit.SECONDS))
            {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid + " did not return");
            }
            if (kill.exitValue() != 0)
            {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed (" + kill.exitValue() + "): " + output);
            }
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + signal + " to " + pid, e);
        }
    }

    /**
     * @param root a process.
     * @return its descendants, deepest first, then the process itself.
     */
    static List<ProcessHandle> treeLeavesFirst(final ProcessHandle root)
    {
        final List<ProcessHandle> all = new ArrayList<>();
        addLeavesFirst(root, all);
        return all;
    }

    private static void addLeavesFirst(final ProcessHandle handle, final List<ProcessHandle> out)
    {
        handle.children().forEach(child -> addLeavesFirst(child, out));
        out.add(handle);
    }

    /**
     * @param pid a process.
     * @return its state letter from /proc/PID/stat (R, S, D, T, t, Z, ...), or '?' when unknown or gone.
     */
    static char state(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            final int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        }
        catch (final IOException e)
        {
            return '?';
        }
    }

    /**
     * Waits until the process is stopped (or, with {@code stopped} false, no longer stopped), as far as
     * /proc tells; returns at once where /proc is unavailable.
     *
     * @param pid     the process.
     * @param stopped the state awaited.
     * @param timeoutMs how long at most.
     * @return true when the state was observed (or cannot be observed).
     */
    static boolean awaitStopped(final long pid, final boolean stopped, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final char s = state(pid);
            if (s == '?' || ((s == 'T' || s == 't') == stopped))
            {
                return true;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }
}
