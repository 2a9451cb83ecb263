package io.tidemark.perf.cli;

import java.util.List;

import io.tidemark.broker.cli.CliCommandProvider;

/**
 * Contributes {@code tidemark dev} to the command line (listed in
 * {@code META-INF/services/io.tidemark.broker.cli.CliCommandProvider}).
 */
public final class DevCommandProvider implements CliCommandProvider
{
    @Override
    public List<Object> commands()
    {
        return List.of(new DevCommand());
    }
}
