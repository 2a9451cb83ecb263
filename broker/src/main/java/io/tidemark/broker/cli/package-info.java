/**
 * The {@code tidemark} command line ({@link io.tidemark.broker.cli.TidemarkCli}): {@code broker},
 * {@code topics}, {@code produce}, {@code consume}, and subcommands contributed by other modules through
 * {@link io.tidemark.broker.cli.CliCommandProvider} and {@link java.util.ServiceLoader}.
 */
package io.tidemark.broker.cli;
