package io.tidemark.broker.cli;

import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidemark dump-log DIR [--verify] [--print-records]}: the engine's {@code LogDump} (like Kafka's
 * DumpLogSegments) on a log directory or one partition directory. Exit 0 = fine, 1 = faults found,
 * 2 = not a usable log directory.
 *
 * <p>The engine's {@code LogDump} is bound at run time ({@code LogDump.run(Path, boolean, boolean,
 * PrintStream)}): the broker builds against engines with or without it, and says so when it is missing.
 */
@Command(name = "dump-log", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Print (and verify) the segments, batches and indexes of a log or partition directory.")
public final class DumpLogCommand implements Callable<Integer>
{
    static final String LOG_DUMP = "io.tidemark.engine.LogDump";

    @Parameters(index = "0", paramLabel = "DIR", description = "A log directory (every partition in it) or one partition directory.")
    Path dir;

    @Option(names = "--verify", description = "Check CRCs, offsets, indexes and the leader epoch checkpoint; exit 1 on any fault.")
    boolean verify;

    @Option(names = "--print-records", description = "Also print every record.")
    boolean printRecords;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * Prints to the standard streams.
     */
    public DumpLogCommand()
    {
        this(System.out, System.err);
    }

    DumpLogCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * @return the engine's {@code LogDump.run}, or null if this build's engine has none.
     */
    static MethodHandle logDump()
    {
        try
        {
            return MethodHandles.publicLookup().findStatic(Class.forName(LOG_DUMP), "run",
                MethodType.methodType(int.class, Path.class, boolean.class, boolean.class, PrintStream.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            return null;
        }
    }

    @Override
    public Integer call() throws Exception
    {
        final MethodHandle run = logDump();
        if (run == null)
        {
            err.println("tidemark dump-log: this build's engine has no " + LOG_DUMP);
            return 2;
        }
        final int result;
        try
        {
            result = (int)run.invokeExact(dir, verify, printRecords, out);
        }
        catch (final Exception | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
        out.flush();
        return result;
    }
}
