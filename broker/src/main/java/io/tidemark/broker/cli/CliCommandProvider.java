package io.tidemark.broker.cli;

import java.util.List;

/**
 * Contributes subcommands to {@code tidemark}, found with {@link java.util.ServiceLoader}: a module lists
 * its provider in {@code META-INF/services/io.tidemark.broker.cli.CliCommandProvider} (the perf module adds
 * {@code bench}, the cluster tooling {@code dev}).
 */
public interface CliCommandProvider
{
    /**
     * @return picocli command objects (classes annotated with {@code @Command}) or {@code CommandLine}
     *         instances; each is added as a subcommand under its {@code @Command} name.
     */
    List<Object> commands();
}
