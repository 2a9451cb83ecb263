package io.tidemark.perf.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/tidemark} as a user does, waits for it and returns what it printed.
 */
public final class Cli
{
    private Cli()
    {
    }

    /**
     * What one run printed.
     *
     * @param exit the exit code.
     * @param out  stdout.
     * @param err  stderr.
     */
    public record Run(int exit, String out, String err)
    {
    }

    /**
     * @param root    the repository root.
     * @param workDir where the output files go.
     * @param args    the arguments after {@code bin/tidemark}.
     * @return what it printed.
     */
    public static Run run(final Path root, final Path workDir, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("sh", root.resolve("bin/tidemark").toString()));
        command.addAll(Arrays.asList(args));
        final Path out = Files.createTempFile(workDir, "cli-out", ".txt");
        final Path err = Files.createTempFile(workDir, "cli-err", ".txt");
        final ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        final Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new AssertionError("tidemark " + Arrays.toString(args) + " did not finish");
        }
        final Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }
}
