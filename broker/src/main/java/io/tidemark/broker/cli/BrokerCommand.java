package io.tidemark.broker.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.tidemark.broker.Broker;
import io.tidemark.broker.config.BrokerConfig;
import io.tidemark.broker.config.ConfigException;
import io.tidemark.broker.config.ServerProperties;
import io.tidemark.engine.GuardedExecutors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark broker --config FILE [--override key=value]...}: runs a broker until SIGTERM or Ctrl-C,
 * which shut it down cleanly (requests in flight finish, logs close with the clean-shutdown marker).
 */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run a broker (stops cleanly on SIGTERM or Ctrl-C).")
public final class BrokerCommand implements Callable<Integer>
{
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "server.properties (Kafka key names).")
    Path config;

    @Option(names = "--override", paramLabel = "KEY=VALUE", description = "Override a key of the file (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call()
    {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "[%1$tF %1$tT,%1$tL] %4$s %3$s: %5$s%6$s%n");
        }
        final BrokerConfig parsed;
        try
        {
            final Map<String, String> props = ServerProperties.load(config, overrides);
            parsed = BrokerConfig.parse(props);
        }
        catch (final IOException ex)
        {
            System.err.println("tidemark broker: cannot read " + config + ": " + ex.getMessage());
            return 2;
        }
        catch (final ConfigException ex)
        {
            System.err.println("tidemark broker: " + ex.getMessage());
            return 2;
        }
        final Broker broker;
        try
        {
            // the process's handler (TidemarkCli.main installs FatalErrorHandler.haltProcess(): an Error in any broker
            // thread halts the process with one line, never half alive; run in-process by tests, it only logs)
            broker = Broker.builder(parsed).fatalErrorHandler(GuardedExecutors.processHandler()).start();
        }
        catch (final ConfigException ex)
        {
            // a setting this machine cannot honour (address taken or not local, log directory unusable): one line
            System.err.println("tidemark broker: " + ex.getMessage());
            return 2;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("tidemark broker: failed to start: " + ex);
            ex.printStackTrace(System.err);
            return 1;
        }
        // java.util.logging closes its handlers in its own shutdown hook, so the outcome is printed directly
        final Thread hook = new Thread(() ->
        {
            try
            {
                broker.close();
                System.out.println("tidemark broker " + parsed.nodeId() + " shut down cleanly");
            }
            catch (final RuntimeException ex)
            {
                System.err.println("tidemark broker " + parsed.nodeId() + ": shutdown failed: " + ex);
                ex.printStackTrace(System.err);
            }
            System.out.flush();
        }, "tidemark-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("tidemark broker " + parsed.nodeId() + " started, listening on " + broker.advertisedListeners() +
            ", cluster " + broker.clusterId());
        System.out.flush();
        try
        {
            broker.awaitShutdown();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            broker.close();
        }
        return 0;
    }
}
