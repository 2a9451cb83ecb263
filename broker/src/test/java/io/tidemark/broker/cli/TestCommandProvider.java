package io.tidemark.broker.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/**
 * A provider found through META-INF/services in the test class path, as the perf module's {@code bench} is.
 */
public final class TestCommandProvider implements CliCommandProvider
{
    /**
     * A contributed command.
     */
    @Command(name = "contributed-by-test", description = "A subcommand contributed through ServiceLoader.")
    public static final class Contributed implements Callable<Integer>
    {
        @Override
        public Integer call()
        {
            return 42;
        }
    }

    @Override
    public List<Object> commands()
    {
        return List.of(new Contributed());
    }
}
