package io.tidemark.perf.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per step otherwise. The total is an
 * estimate; the bar never runs past a step's share before the step ends.
 */
class Progress
{
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long totalMs;
    private long doneMs;
    private long stepMs;
    private long stepStartNanos;
    private String label = "";

    Progress(final PrintStream err, final boolean terminal)
    {
        this.err = err;
        this.terminal = terminal;
    }

    /**
     * @return a progress bar that prints nothing.
     */
    static Progress quiet()
    {
        return new Progress(null, false)
        {
            @Override
            synchronized void step(final String what, final long estimatedMs)
            {
            }

            @Override
            synchronized void done()
            {
            }
        };
    }

    synchronized void total(final long estimatedMs)
    {
        totalMs = Math.max(1, estimatedMs);
    }

    /**
     * Ends the current step and starts the next.
     */
    synchronized void step(final String what, final long estimatedMs)
    {
        doneMs += stepMs;
        stepMs = estimatedMs;
        stepStartNanos = System.nanoTime();
        label = what;
        draw(!terminal);
    }

    /**
     * Redraws (on a terminal).
     */
    synchronized void tick()
    {
        if (terminal)
        {
            draw(false);
        }
    }

    synchronized void done()
    {
        doneMs = totalMs;
        stepMs = 0;
        label = "done";
        draw(!terminal);
        if (terminal)
        {
            err.println();
        }
    }

    private void draw(final boolean newLine)
    {
        if (err == null)
        {
            return;
        }
        final long inStep = Math.min(stepMs, (System.nanoTime() - stepStartNanos) / 1_000_000);
        final double f = Math.min(1.0, (doneMs + inStep) / (double)totalMs);
        final int filled = (int)Math.round(f * WIDTH);
        final long elapsedS = (System.nanoTime() - startNanos) / 1_000_000_000L;
        final long leftS = Math.max(0, (totalMs - doneMs - inStep) / 1000);
        final String line = String.format(Locale.ROOT, "[%s%s] %3d%% %s elapsed, ~%s left  %s", "#".repeat(filled), ".".repeat(WIDTH - filled),
            Math.round(f * 100), time(elapsedS), time(leftS), label);
        if (newLine)
        {
            err.println(line);
        }
        else
        {
            err.print("\r" + line + "\033[K");
            err.flush();
        }
    }

    private static String time(final long s)
    {
        return s >= 60 ? s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }
}
