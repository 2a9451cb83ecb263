package io.tidemark.broker.cli;

import java.util.ServiceLoader;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tidemark} command line: {@code broker}, {@code topics}, {@code produce}, {@code consume},
 * {@code dump-log}, and whatever other modules contribute through {@link CliCommandProvider}.
 */
@Command(name = "tidemark", mixinStandardHelpOptions = true, versionProvider = TidemarkCli.Version.class,
    description = "Tidemark: a Kafka-compatible replicated commit log.",
    footer = "%nRun 'tidemark <command> --help' for a command's options.")
public final class TidemarkCli implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        // this process: an Error in any thread (OutOfMemoryError, ...) halts it with one line, never half alive
        io.tidemark.engine.GuardedExecutors.installProcessHandler(io.tidemark.engine.FatalErrorHandler.haltProcess());
        System.exit(execute(args));
    }

    /**
     * @param args the arguments.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        return commandLine().execute(args);
    }

    /**
     * @return the command line with every built-in and contributed subcommand.
     */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new TidemarkCli());
        cli.addSubcommand(new BrokerCommand());
        cli.addSubcommand(new TopicsCommand());
        cli.addSubcommand(new ProduceCommand());
        cli.addSubcommand(new ConsumeCommand());
        cli.addSubcommand(new GroupsCommand());
        cli.addSubcommand(new DumpLogCommand());
        cli.addSubcommand(new TopCommand());
        for (final CliCommandProvider provider : ServiceLoader.load(CliCommandProvider.class))
        {
            for (final Object command : provider.commands())
            {
                cli.addSubcommand(command);
            }
        }
        return cli;
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    /**
     * The version from the jar manifest.
     */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = TidemarkCli.class.getPackage().getImplementationVersion();
            return new String[] { "tidemark " + (v == null ? "(development build)" : v) };
        }
    }
}
